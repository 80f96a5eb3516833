import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countGroupFiles, joinGroupFiles, MANIFEST_NAME, readManifest, removeStale, splitGroupFiles, writeManifest } from '../../src/export/manifest.ts';

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

  it('records the files of the last export with their inputs, groups and fingerprint, and nothing before the first', async () => {
    expect(await readManifest(dir)).toEqual({ fingerprint: '', files: new Map() });
    const old = { digest: 'g', files: joinGroupFiles([['tags/old.html', 'b'], ['tags/old/rss.xml', 'c']]) };
    const groups = new Map([['tag:old', old], ['tag:empty', { digest: 'e', files: '' }]]);
    await writeManifest(dir, { fingerprint: 'f1', files: new Map([['mine.txt', ''], ['index.html', 'a']]), groups });
    const read = await readManifest(dir);
    expect(read).toEqual({ fingerprint: 'f1', files: new Map([['index.html', 'a'], ['mine.txt', '']]), groups: new Map([['tag:empty', groups.get('tag:empty')], ['tag:old', old]]) });
    expect([...read.files.keys()]).toEqual(['index.html', 'mine.txt']);
    expect(splitGroupFiles(read.groups!.get('tag:old')!.files)).toEqual(new Map([['tags/old.html', 'b'], ['tags/old/rss.xml', 'c']]));
    expect([countGroupFiles(old.files), countGroupFiles('')]).toEqual([2, 0]);
  });

  it('reads the files of a version 3 manifest as files in no group', async () => {
    const files = ['index.html', 'a', '', 'tags/old.html', 'b', 'tag:old'];
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ generator: 'tagfeeds', version: 3, fingerprint: 'f', files, groups: ['tag:old', 'g'] }));
    expect(await readManifest(dir)).toEqual({ fingerprint: 'f', files: new Map([['index.html', 'a'], ['tags/old.html', 'b']]) });
  });

  it('says why a corrupted, foreign or older manifest cannot be used, keeping an older one\'s files for removal', async () => {
    await writeFile(join(dir, MANIFEST_NAME), '{"generator": "tagfeeds", "files": {');
    const corrupted = await readManifest(dir);
    expect(corrupted).toMatchObject({ fingerprint: '', files: new Map() });
    expect(corrupted.problem).toMatch(/not valid JSON/u);
    expect(corrupted.problem).toContain(MANIFEST_NAME);
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ generator: 'other', files: {} }));
    expect((await readManifest(dir)).problem).toMatch(/not an export manifest/u);
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ generator: 'tagfeeds', files: ['index.html'] }));
    const older = await readManifest(dir);
    expect(older).toMatchObject({ fingerprint: '', files: new Map([['index.html', '']]) });
    expect(older.problem).toMatch(/older version/u);
  });

  it('removes files of the previous export that this one did not produce, and the folders left empty', async () => {
    const removed = await removeStale(dir, ['index.html', 'tags/old.html', 'tags/old/rss.xml'], new Set(['index.html']));
    expect(removed).toBe(2);
    expect((await readdir(dir)).sort()).toEqual(['index.html', 'mine.txt']);
  });

  it('ignores entries of a tampered manifest that point outside the folder', async () => {
    const files = Object.fromEntries(['../outside.txt', '/etc/passwd', 'tags/../../outside.txt', 'mine.txt'].map((f) => [f, 'x']));
    await writeFile(join(dir, MANIFEST_NAME), JSON.stringify({ generator: 'tagfeeds', version: 2, fingerprint: 'f', files }));
    const previous = await readManifest(dir);
    expect([...previous.files.keys()]).toEqual(['mine.txt']);
    await removeStale(dir, previous.files.keys(), new Set());
    expect(await readdir(root)).toContain('outside.txt');
    expect([...splitGroupFiles(joinGroupFiles(Object.keys(files).map((f) => [f, 'x']))).keys()]).toEqual(['mine.txt']);
  });
});
