/**
 * The articles folder itself replaced or removed while the server runs, against a real server: a
 * deploy that moves a new folder into place, and `rm -rf` then a new folder, are both followed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

let root: string;
let dir: string;
let server: LiveServer;

const article = (title: string) => `${title}\n\n${title} body paragraph.\n#Swap\n`;

async function titles(): Promise<string[]> {
  const res = await fetch(`${server.url}/feed.json`);
  return ((await res.json()) as { items: { title: string }[] }).items.map((i) => i.title).sort();
}

function waitForTitles(expected: string[]) {
  return eventually(async () => ((await titles()).join('|') === [...expected].sort().join('|') ? true : undefined), `/feed.json to list ${expected.join(', ')}`);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tagfeeds-folder-'));
  dir = join(root, 'articles');
  await mkdir(dir);
  await writeFile(join(dir, 'first.txt'), article('First of the old folder'));
  await writeFile(join(dir, 'kept.txt'), article('Kept in both'));
  server = await startServer(['--articles-dir', dir]);
});
afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('the articles folder replaced while serving', () => {
  it('follows a new folder moved into place: its files are served, the old folder is not', async () => {
    await waitForTitles(['First of the old folder', 'Kept in both']);
    const next = join(root, 'articles.new');
    await mkdir(next);
    await writeFile(join(next, 'kept.txt'), article('Kept in both'));
    await writeFile(join(next, 'second.txt'), article('Only in the new folder'));
    await rename(dir, join(root, 'articles.old'));
    await rename(next, dir);
    await waitForTitles(['Kept in both', 'Only in the new folder']);
    expect(server.stderr()).toContain(`articles folder ${dir} is another folder: watching it and reading again what changed`);
    // The new folder is watched: a file written into it shows.
    await writeFile(join(dir, 'third.txt'), article('Written after the swap'));
    await waitForTitles(['Kept in both', 'Only in the new folder', 'Written after the swap']);
  });

  it('serves what it has while the folder is gone, and follows the one made in its place', async () => {
    await rm(dir, { recursive: true });
    await eventually(async () => (server.stderr().includes(`articles folder ${dir} is gone`) ? true : undefined), 'the log line for the folder gone');
    await mkdir(dir);
    await writeFile(join(dir, 'again.txt'), article('In the folder made again'));
    await waitForTitles(['In the folder made again']);
    expect(server.stderr()).toContain(`articles folder ${dir} is back: watching it and reading again what changed`);
  });

  it('follows a folder removed and made again at once, which often gets the old one\'s inode number', async () => {
    await rm(dir, { recursive: true });
    await mkdir(dir);
    await writeFile(join(dir, 'at-once.txt'), article('Made again at once'));
    await waitForTitles(['Made again at once']);
    // And the folder made at once is the one watched.
    await writeFile(join(dir, 'later.txt'), article('Written later'));
    await waitForTitles(['Made again at once', 'Written later']);
  });
});
