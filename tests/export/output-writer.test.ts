import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutputWriter } from '../../src/export/output-writer.ts';

describe('OutputWriter', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagfeeds-writer-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('replaces a changed file by renaming a new one into place, leaving no temporary file', async () => {
    await writeFile(join(dir, 'rss.xml'), 'old');
    const before = await stat(join(dir, 'rss.xml'));
    const writer = new OutputWriter(dir);
    writer.write('rss.xml', 'new body');
    const after = await stat(join(dir, 'rss.xml'));
    expect(await readFile(join(dir, 'rss.xml'), 'utf8')).toBe('new body');
    // A new inode: the reader of the old file kept reading the old file, never a half-written one.
    expect(after.ino).not.toBe(before.ino);
    expect(await readdir(dir)).toEqual(['rss.xml']);
    expect(writer.counts).toEqual({ files: 1, written: 1, unchanged: 0 });
  });

  it('leaves a file with the same bytes untouched', async () => {
    await writeFile(join(dir, 'index.html'), 'same');
    const old = new Date('2001-01-01T00:00:00Z');
    await utimes(join(dir, 'index.html'), old, old);
    const writer = new OutputWriter(dir);
    writer.write('index.html', Buffer.from('same'));
    expect((await stat(join(dir, 'index.html'))).mtime).toEqual(old);
    expect(writer.counts).toEqual({ files: 1, written: 0, unchanged: 1 });
  });

  it('decodes the percent-encoded paths that toSSG gives it and reports files written twice', async () => {
    const writer = new OutputWriter(dir);
    const fs = writer.fileSystem();
    await fs.mkdir(`${dir}/tags/%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1`, { recursive: true });
    await fs.writeFile(`${dir}/tags/%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1/rss.xml`, '<rss/>');
    await fs.writeFile(`${dir}/tags/%CE%B5%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1/rss.xml`, '<rss/>');
    expect(await readFile(join(dir, 'tags', 'ελλάδα', 'rss.xml'), 'utf8')).toBe('<rss/>');
    expect([...writer.produced]).toEqual(['tags/ελλάδα/rss.xml']);
    expect(writer.collisions).toEqual(['tags/ελλάδα/rss.xml']);
  });
});
