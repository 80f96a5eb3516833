/**
 * The folder watch started before the load (articles/watch.ts `watchFolder`): a file added, changed or
 * deleted after the load had read the folder, but before the watcher took over, reaches the index.
 */
import { mkdir, mkdtemp, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadSite } from '../../src/articles/load-site.ts';
import { watchArticles, watchFolder, type ArticleWatcher } from '../../src/articles/watch.ts';
import { eventually } from '../support/live-server.ts';

let dir: string | undefined;
let watcher: ArticleWatcher | undefined;

afterEach(async () => {
  watcher?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function put(name: string, text: string) {
  await writeFile(join(dir!, `.${name}.tmp`), text);
  await rename(join(dir!, `.${name}.tmp`), join(dir!, name));
}

/** Waits until inotify has had time to report what was just written (the events are then held). */
const settleEvents = () => new Promise((r) => setTimeout(r, 200));

describe('watchFolder before the load', () => {
  it('hands the watcher what changed between the load and its start', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagfeeds-watch-'));
    await put('a.txt', 'Alpha\n\nFirst.\n#One\n');
    await put('b.txt', 'Beta\n\nSecond.\n#One\n');
    const folder = watchFolder(dir);
    const site = await loadSite({ articlesDir: dir, maxFileSize: 1 << 20 }, () => {});
    expect(site.index.size).toBe(2);
    // What a writer does while a big load is still running, after the load has read these files.
    await put('a.txt', 'Alpha, edited\n\nFirst, longer now.\n#One\n');
    await unlink(join(dir, 'b.txt'));
    await put('c.txt', 'Gamma\n\nThird.\n#Two\n');
    await settleEvents();
    const updates: string[] = [];
    watcher = watchArticles(site.index, site.contents, site.readOptions, { updated: (file, kind) => updates.push(`${kind} ${file.split('/').pop()}`) }, { folder });
    await eventually(async () => (updates.length >= 3 ? true : undefined), 'the held events to be applied', 5000);
    expect(updates.sort()).toEqual(['added c.txt', 'changed a.txt', 'removed b.txt']);
    expect(site.index.latest(10).map((a) => a.title).sort()).toEqual(['Alpha, edited', 'Gamma']);
  });

  it('reads nothing again for an event about a file the load already read as it is', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagfeeds-watch-'));
    const folder = watchFolder(dir);
    await put('a.txt', 'Alpha\n\nFirst.\n#One\n');
    const site = await loadSite({ articlesDir: dir, maxFileSize: 1 << 20 }, () => {});
    await settleEvents();
    const updates: string[] = [];
    watcher = watchArticles(site.index, site.contents, site.readOptions, { updated: (file, kind) => updates.push(`${kind} ${file.split('/').pop()}`) }, { folder });
    await put('b.txt', 'Beta\n\nSecond.\n#One\n');
    await eventually(async () => (updates.length >= 1 ? true : undefined), 'b.txt to be added', 5000);
    await new Promise((r) => setTimeout(r, 300));
    expect(updates).toEqual(['added b.txt']);
  });
});

describe('symbolic links while serving', () => {
  it('reads a link again when its target changes, also a target in a subfolder no watch sees, and once per change', async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagfeeds-watch-'));
    await mkdir(join(dir, 'drafts'));
    await writeFile(join(dir, 'drafts', 'shared.txt'), 'Shared\n\nFirst version.\n');
    await writeFile(join(dir, 'target.txt'), 'Target\n\nFirst version.\n');
    await symlink('drafts/shared.txt', join(dir, 'from-sub.txt'));
    await symlink('target.txt', join(dir, 'alias.txt'));
    const site = await loadSite({ articlesDir: dir, maxFileSize: 1 << 20 }, () => {});
    const titles = () => site.index.latest(10).map((a) => a.title).sort();
    expect(titles()).toEqual(['Shared', 'Target', 'Target']);
    const rejected: string[] = [];
    watcher = watchArticles(site.index, site.contents, site.readOptions, { rejected: (error) => rejected.push(error.file.split('/').pop()!) }, { links: site.links });
    // Rewritten in place (a different size), as an editor saves: no event names the links.
    await writeFile(join(dir, 'drafts', 'shared.txt'), 'Shared, edited\n\nSecond version.\n');
    await writeFile(join(dir, 'target.txt'), 'Target, edited\n\nSecond version, longer.\n');
    await eventually(async () => (titles().join('|') === 'Shared, edited|Target, edited|Target, edited' ? true : undefined), 'both links read again', 5000);
    // A target that stays broken is refused once, not at every check.
    await writeFile(join(dir, 'drafts', 'shared.txt'), '\n');
    await eventually(async () => (rejected.includes('from-sub.txt') ? true : undefined), 'the broken target refused', 5000);
    await new Promise((r) => setTimeout(r, 2500));
    expect(rejected.filter((name) => name === 'from-sub.txt')).toEqual(['from-sub.txt']);
    expect(titles()).toContain('Shared, edited');
  });
});
