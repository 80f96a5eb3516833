/**
 * exportSite over the fixtures: every route becomes a file with the bytes the app answers with, under
 * the name a static host looks up; a second export after a change rewrites only what changed, removes
 * what no longer exists and leaves other files alone; worker threads give the same output.
 */
import { mkdirSync } from 'node:fs';
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join, } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LoadedSite } from '../../src/articles/load-site.ts';
import { availableParallelism } from 'node:os';
import { chooseEarlyJobs, ExportError, exportSite } from '../../src/export/export-site.ts';
import { MANIFEST_NAME } from '../../src/export/manifest.ts';
import { createApp } from '../../src/server/app.ts';
import { createTestSite, loadQuietly, ODD_ID, type TestSite } from './support/site.ts';
import { listFiles, routeOf } from './support/files.ts';

/** The files an export of `site` must produce, from its index. */
function expectedFiles(site: LoadedSite): string[] {
  const tags = site.index.tags().map((t) => t.key);
  return [
    '_headers', MANIFEST_NAME, 'index.html', 'rss.xml', 'atom.xml', 'feed.json', 'tags.html', 'tags.opml', 'sitemap.xml', 'robots.txt',
    ...tags.flatMap((t) => [`tags/${t}.html`, `tags/${t}/rss.xml`, `tags/${t}/atom.xml`, `tags/${t}/feed.json`]),
    ...site.index.latest(site.index.size).map((a) => `articles/${a.id}.html`),
    'authors.html',
    ...site.index.authors().flatMap((a) => [`authors/${a.slug}.html`, `authors/${a.slug}/rss.xml`, `authors/${a.slug}/atom.xml`, `authors/${a.slug}/feed.json`]),
  ].sort();
}

/** The error `promise` rejects with, and the unhandled rejections seen until it settled and a moment after. */
async function failureOf(promise: Promise<unknown>): Promise<{ error: unknown; unhandled: unknown[] }> {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => unhandled.push(reason);
  process.on('unhandledRejection', listener);
  try {
    const error = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    // Node reports a rejection nobody handled once the microtasks run out: give it a turn of the loop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { error, unhandled };
  } finally {
    process.off('unhandledRejection', listener);
  }
}

/** Sets every file's modification time to 2001, so that a rewrite shows as a newer time. */
async function ageFiles(dir: string): Promise<void> {
  const old = new Date('2001-01-01T00:00:00Z');
  for (const file of await listFiles(dir)) await utimes(join(dir, file), old, old);
}

describe('exportSite', { timeout: 60_000 }, () => {
  let test: TestSite;
  let out: string;

  beforeEach(async () => {
    test = await createTestSite();
    out = join(test.dir, 'dist');
  });
  afterEach(() => test.remove());

  it('writes one file per route, named as a static host looks it up', async () => {
    const site = await loadQuietly(test.config);
    const result = await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const files = await listFiles(out);
    expect(files).toEqual(expectedFiles(site));
    expect(files).toContain('tags/日本/rss.xml');
    expect(files).toContain('tags/ελλάδα.html');
    expect(files).toContain(`articles/${ODD_ID}.html`);
    expect(files).toContain('articles/hello world.html');
    expect(files.some((f) => f.includes('draft') || f.includes('secret') || f.includes('future'))).toBe(false);
    expect(result).toMatchObject({ files: files.length - 1, written: files.length - 1, unchanged: 0, removed: 0, collisions: [] });
  });

  it('copies the served media files with their bytes, and no other file of the media folder', async () => {
    mkdirSync(join(test.articlesDir, 'media', 'sub'), { recursive: true });
    await writeFile(join(test.articlesDir, 'media', 'a.png'), Buffer.from([137, 80, 78, 71, 1, 2, 3]));
    await writeFile(join(test.articlesDir, 'media', 'sub', 'b.mp3'), Buffer.alloc(64, 9));
    await writeFile(join(test.articlesDir, 'media', 'notes.txt'), 'not media');
    await writeFile(join(test.articlesDir, 'media', 'x.svg'), '<svg/>');
    const site = await loadQuietly(test.config);
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const files = await listFiles(out);
    expect(files.filter((f) => f.startsWith('media/'))).toEqual(['media/a.png', 'media/sub/b.mp3']);
    const live = createApp({ config: test.config, index: site.index, contents: site.contents });
    const served = Buffer.from(await (await live.app.request('/media/a.png')).arrayBuffer());
    expect(await readFile(join(out, 'media', 'a.png'))).toEqual(served);
  });

  it('writes in each file the bytes the app answers with', async () => {
    const site = await loadQuietly(test.config);
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const fresh = await loadQuietly(test.config);
    const { app } = createApp({ config: test.config, index: fresh.index, contents: fresh.contents });
    for (const file of (await listFiles(out)).filter((f) => f !== '_headers' && f !== MANIFEST_NAME)) {
      const res = await app.request(routeOf(file));
      expect([file, res.status]).toEqual([file, 200]);
      expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(join(out, file))), file).toBe(true);
    }
  });

  it('announces the configured outside hubs in every exported feed, as the server does, and no hub without them', async () => {
    const hubs = ['https://hub.example/', 'https://push.example/hub'];
    const config = { ...test.config, websubHubs: hubs };
    const site = await loadQuietly(config);
    await exportSite({ config, site, outDir: out, jobs: 1 });
    const { app } = createApp({ config, index: site.index, contents: site.contents });
    for (const file of ['rss.xml', 'atom.xml', 'feed.json', 'tags/venezuela/rss.xml']) {
      const body = await readFile(join(out, file));
      for (const hub of hubs) expect(body.toString(), file).toContain(hub);
      const res = await app.request(routeOf(file));
      expect(Buffer.from(await res.arrayBuffer()).equals(body), file).toBe(true);
    }
    const plain = join(test.dir, 'plain');
    await exportSite({ config: test.config, site: await loadQuietly(test.config), outDir: plain, jobs: 1 });
    for (const file of ['rss.xml', 'atom.xml', 'feed.json']) expect((await readFile(join(plain, file), 'utf8')).includes('hub'), file).toBe(false);
  });

  it('rewrites only the files whose content changed after one article changes', async () => {
    await exportSite({ config: test.config, site: await loadQuietly(test.config), outDir: out, jobs: 1 });
    await ageFiles(out);
    const before = new Map<string, Buffer>();
    for (const file of await listFiles(out)) before.set(file, await readFile(join(out, file)));

    const article = join(test.articlesDir, 'athens.txt');
    await writeFile(article, (await readFile(article, 'utf8')).replace('Ferries, olives', 'Ferries, figs'));
    const site = await loadQuietly(test.config);
    const result = await exportSite({ config: test.config, site, outDir: out, jobs: 1 });

    const { app } = createApp({ config: test.config, index: site.index, contents: site.contents });
    const changed: string[] = [];
    for (const file of before.keys()) {
      if (file === '_headers' || file === MANIFEST_NAME) continue;
      const now = Buffer.from(await (await app.request(routeOf(file))).arrayBuffer());
      if (!now.equals(before.get(file)!)) changed.push(file);
    }
    const rewritten: string[] = [];
    // The manifest is rewritten too: it records the new inputs.
    for (const file of await listFiles(out)) if (file !== MANIFEST_NAME && (await stat(join(out, file))).mtime.getUTCFullYear() !== 2001) rewritten.push(file);

    expect(result.incremental).toBe(true);
    expect(changed).toContain('articles/athens.html');
    expect(changed).toContain('tags/travel/rss.xml');
    expect(changed.length).toBeLessThan(before.size / 2);
    expect(rewritten.sort()).toEqual(changed.sort());
    expect(result.written).toBe(changed.length);
    expect(result.unchanged).toBe(result.files - changed.length);
    expect(result.removed).toBe(0);
  });

  it('removes the files of routes that no longer exist, and leaves files it did not write', async () => {
    await exportSite({ config: test.config, site: await loadQuietly(test.config), outDir: out, jobs: 1 });
    await writeFile(join(out, 'humans.txt'), 'Written by hand\n');
    // Zürich is a tag of athens.txt only: without the article, the tag and its four files are gone.
    await rm(join(test.articlesDir, 'athens.txt'));
    const result = await exportSite({ config: test.config, site: await loadQuietly(test.config), outDir: out, jobs: 1 });
    const files = await listFiles(out);
    expect(files.filter((f) => f.startsWith('tags/zurich') || f === 'articles/athens.html')).toEqual([]);
    expect(result.removed).toBe(5);
    await expect(stat(join(out, 'tags', 'zurich'))).rejects.toThrow();
    expect(files).toContain('humans.txt');
  });

  it('gives the same files from worker threads as from one thread', async () => {
    const site = await loadQuietly(test.config);
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const threaded = join(test.dir, 'threaded');
    const result = await exportSite({ config: test.config, site, outDir: threaded, jobs: 3 });
    expect(result.jobs).toBe(3);
    const files = await listFiles(out);
    expect(await listFiles(threaded)).toEqual(files);
    for (const file of files) expect((await readFile(join(threaded, file))).equals(await readFile(join(out, file))), file).toBe(true);
  });

  it('gives the same files when its worker threads start before this thread has loaded the site', async () => {
    const site = await loadQuietly(test.config);
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const early = join(test.dir, 'early');
    let loads = 0;
    const load = () => {
      loads++;
      return loadQuietly(test.config);
    };
    const result = await exportSite({ config: test.config, site: load, outDir: early, jobs: 2 });
    expect(result).toMatchObject({ jobs: 2, incremental: false });
    expect(loads).toBe(1);
    const files = await listFiles(out);
    expect(await listFiles(early)).toEqual(files);
    for (const file of files) expect((await readFile(join(early, file))).equals(await readFile(join(out, file))), file).toBe(true);
  });

  it('ends the worker threads it started and writes nothing when the site cannot be loaded', async () => {
    const { error, unhandled } = await failureOf(
      exportSite({ config: test.config, site: () => Promise.reject(new Error('no articles folder')), outDir: out, jobs: 2, logError: () => {} }),
    );
    expect(unhandled).toEqual([]);
    expect((error as Error).message).toBe('no articles folder');
    // A worker left running would write its shard (tag feeds, pages) a moment later.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await listFiles(out)).toEqual([]);
  });

  it('fails, naming the manifest, when the manifest cannot be written', async () => {
    const site = await loadQuietly(test.config);
    // A folder where the manifest goes makes its rename fail (permission bits would not: tests run as root).
    // It is made once the export has read the previous manifest, which is before the first file is written.
    const block = () => mkdirSync(join(out, MANIFEST_NAME), { recursive: true });
    const { error, unhandled } = await failureOf(exportSite({ config: test.config, site, outDir: out, jobs: 1, onProgress: block }));
    expect(unhandled).toEqual([]);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as Error).message).toContain(join(out, MANIFEST_NAME));
  });

  it('fails with both reasons when a route fails and the manifest cannot be written either', async () => {
    const site = await loadQuietly(test.config);
    const block = () => {
      mkdirSync(join(out, MANIFEST_NAME), { recursive: true });
      throw new Error('the disk is full');
    };
    const { error, unhandled } = await failureOf(exportSite({ config: test.config, site, outDir: out, jobs: 1, onProgress: block, logError: () => {} }));
    expect(unhandled).toEqual([]);
    expect(error).toBeInstanceOf(ExportError);
    expect((error as Error).message).toContain('the disk is full');
    expect((error as Error).message).toContain(join(out, MANIFEST_NAME));
  });
});

describe('chooseEarlyJobs', () => {
  it('starts the requested threads, or one per CPU (up to 4) for a folder of 4,000 article files or more', () => {
    const cpus = Math.min(availableParallelism(), 4);
    expect(chooseEarlyJobs(10, 2)).toBe(2);
    expect(chooseEarlyJobs(10, 0)).toBe(1);
    expect(chooseEarlyJobs(3999)).toBeUndefined();
    expect(chooseEarlyJobs(4000)).toBe(cpus > 1 ? cpus : undefined);
    expect(chooseEarlyJobs(100_000)).toBe(cpus > 1 ? cpus : undefined);
  });
});
