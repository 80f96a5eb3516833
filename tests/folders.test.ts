/**
 * makeFolder (src/folders.ts): `mkdir -p` that fails at once, naming the folder, where node's own
 * recursive mkdir never returns (under /proc), and for a path through a file.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeFolder } from '../src/folders.ts';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'tagfeeds-folders-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('makeFolder', () => {
  it('makes a folder and every missing folder above it, and leaves one that exists as it is', async () => {
    const deep = join(root, 'a', 'b', 'c');
    makeFolder(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await writeFile(join(deep, 'kept'), 'x');
    makeFolder(deep);
    makeFolder(`${root}/a/./b/../b/c/`);
    expect((await stat(join(deep, 'kept'))).isFile()).toBe(true);
  });

  it('refuses a path that is, or runs through, a file', async () => {
    const file = join(root, 'file');
    await writeFile(file, 'x');
    expect(() => makeFolder(file)).toThrow(/^ENOTDIR: not a directory, mkdir '.*file'$/u);
    expect(() => makeFolder(join(file, 'below'))).toThrow(/ENOTDIR/u);
  });

  it.runIf(process.platform === 'linux')('fails at once under /proc, where a recursive mkdir never returns', () => {
    expect(() => makeFolder('/proc/tagfeeds-no-such/folder')).toThrow("ENOENT: no such file or directory, mkdir '/proc/tagfeeds-no-such'");
  });
});
