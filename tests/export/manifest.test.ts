import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MANIFEST_NAME, readManifest, removeStale, writeManifest } from '../../src/export/manifest.ts';

describe('the export manifest', () => {
  let root: string;
  let dir: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'tagfeeds-manifest-'));
    dir = join(root, 'dist');
    await mkdir(join(dir, 'tags', 'old'), { recursive: true });
    for (const file of ['index.html', 'tags/old.html', 'tags/old/rss.xml', 'mine.txt']) await writeFile(join(dir, file), 'x');
    await writeFile(join(root, 'outside.txt'), 'keep me');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('lists the files of the last export, and nothing before the first', async () => {
    expect(await readManifest(dir)).toEqual([]);
    writeManifest(dir, ['tags/old.html', 'index.html', 'index.html']);
    expect(await readManifest(dir)).toEqual(['index.html', 'tags/old.html']);
  });

  it('removes files of the previous export that this one did not produce, and the folders left empty', async () => {
    const removed = await removeStale(dir, ['index.html', 'tags/old.html', 'tags/old/rss.xml'], new Set(['index.html']));
    expect(removed).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'mine.txt']);
  });

  it('ignores entries of a tampered manifest that point outside the folder', async () => {
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ generator: 'tagfeeds', files: ['../outside.txt', '/etc/passwd', 'tags/../../outside.txt', 'mine.txt'] }));
    const previous = await readManifest(dir);
    expect(previous).toEqual(['mine.txt']);
    await removeStale(dir, previous, new Set());
    expect(await readdir(root)).toContain('outside.txt');
  });
});
