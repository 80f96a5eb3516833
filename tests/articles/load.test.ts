import { cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadArticles, statFiles, type LoadResult } from '../../src/articles/load.ts';
import { statSync } from 'node:fs';
import { FIXTURES, makeTempDir, removeTempDir } from '../support/factory.ts';

// Each case in this thread, and with a read thread handing over chunks smaller than some files (each
// such file then gets a buffer of its own) and buffers that go round many times.
describe.each([
  { mode: 'in this thread', options: { readThread: false } },
  { mode: 'with a read thread', options: { readThread: true, readChunkBytes: 1024 } },
])('loadArticles $mode', ({ options }) => {
  let root: string;
  let dir: string;
  let result: LoadResult;
  const reasons = () => Object.fromEntries(result.errors.map((e) => [e.file.slice(dir.length + 1), e.reason]));

  beforeAll(async () => {
    root = await makeTempDir();
    dir = join(root, 'articles');
    await mkdir(dir);
    await cp(FIXTURES.valid, dir, { recursive: true });
    await cp(FIXTURES.invalid, dir, { recursive: true });
    // Broken files that cannot be committed.
    await writeFile(join(dir, 'binary.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0]));
    await writeFile(join(dir, 'too-large.txt'), `TOOLARGE-MARKER\n${'x'.repeat(6000)}\n`);
    await writeFile(join(root, 'outside.txt'), 'OUTSIDE-MARKER\nSecret.\n');
    await symlink(join(root, 'outside.txt'), join(dir, 'outside-link.txt'));
    await symlink('front-matter.txt', join(dir, 'inside-link.txt'));
    await symlink('loop.txt', join(dir, 'loop.txt'));
    await mkdir(join(dir, 'folder.txt'));
    // Good files under names no URL can carry, or that are not UTF-8 (node lists U+FFFD for the byte).
    await writeFile(join(dir, 'new\nline.txt'), 'A fine title\n\nBody.\n#tag\n');
    await writeFile(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'Another title\n\nBody.\n#tag\n');
    // Names that are not articles, and a subfolder, which is not scanned.
    for (const name of ['.hidden.txt', 'backup.txt~', '.#lock.txt', 'swap.txt.swp', 'notes.html', 'README']) {
      await writeFile(join(dir, name), `IGNORED-MARKER ${name}\nBody.\n`);
    }
    await mkdir(join(dir, 'sub'));
    await writeFile(join(dir, 'sub', 'nested.txt'), 'NESTED-MARKER\nBody.\n');
    result = await loadArticles(dir, 4800, options);
    expect(result.readThread).toBe(options.readThread);
  });
  afterAll(() => removeTempDir(root));

  it('loads every good article, a link inside the folder included', () => {
    expect(result.articles.map((a) => a.id).sort()).toEqual([
      '000_66bcc8fb033b93b3',
      'año nuevo',
      'blank-lines',
      'control-characters',
      'crlf-bom',
      'crlf-plain',
      'draft',
      'front-matter',
      'inside-link',
      'markdown-article',
      'plain-mtime',
      'unicode-tags',
    ]);
  });

  it('reports each bad file once with its reason, in file order', () => {
    expect(reasons()).toEqual({
      'bad-date.txt': 'bad-front-matter',
      'bad-tag.txt': 'bad-front-matter',
      'bad-yaml.txt': 'bad-front-matter',
      'binary.txt': 'binary',
      'blank.txt': 'no-title',
      'caf\uFFFD.txt': 'bad-file-name',
      'new\nline.txt': 'bad-file-name',
      'empty.txt': 'empty',
      'folder.txt': 'not-a-file',
      'impossible-date.txt': 'bad-front-matter',
      'latin1.txt': 'not-utf8',
      'loop.txt': 'unreadable',
      'only-tags.txt': 'no-title',
      'outside-link.txt': 'outside-link',
      'too-large.txt': 'too-large',
      'unclosed-front-matter.txt': 'bad-front-matter',
    });
    const files = result.errors.map((e) => e.file);
    expect(files).toEqual([...files].sort());
    for (const error of result.errors) expect(error.message.length).toBeGreaterThan(5);
  });

  it('neither loads nor reports dotfiles, editor backups, other extensions or subfolders', () => {
    const everything = JSON.stringify(result);
    expect(everything).not.toContain('IGNORED-MARKER');
    expect(everything).not.toContain('NESTED-MARKER');
    for (const name of ['.hidden.txt', 'backup.txt~', '.#lock.txt', 'swap.txt.swp', 'notes.html', 'README', 'sub']) {
      expect(everything).not.toContain(JSON.stringify(join(dir, name)));
    }
  });

  it('keeps nothing of a rejected file but its name', () => {
    const everything = JSON.stringify(result);
    for (const marker of ['OUTSIDE-MARKER', 'TOOLARGE-MARKER', 'LATIN1-MARKER', 'UNCLOSED-MARKER', 'BADYAML-MARKER', 'BADDATE-MARKER', 'IMPOSSIBLEDATE-MARKER', 'ONLYTAGMARKER']) {
      expect(everything, marker).not.toContain(marker);
    }
  });

  it('gives the resolved folder for later reads', () => {
    expect(result.readOptions).toMatchObject({ dir, maxBytes: 4800 });
  });

  it('loads an empty folder', async () => {
    const empty = join(root, 'empty');
    await mkdir(empty);
    expect(await loadArticles(empty, 1024)).toMatchObject({ articles: [], errors: [] });
  });

  it('fails for a folder that does not exist', async () => {
    await expect(loadArticles(join(root, 'missing'), 1024)).rejects.toThrow();
  });
});

describe('loadArticles with loader threads', () => {
  it('gives the same articles and errors as loading in this thread', async () => {
    const root = await makeTempDir();
    try {
      const dir = join(root, 'articles');
      await mkdir(dir);
      await cp(FIXTURES.valid, dir, { recursive: true });
      await cp(FIXTURES.invalid, dir, { recursive: true });
      const here = await loadArticles(dir, 4800, { workers: 0 });
      const threads = await loadArticles(dir, 4800, { workers: 2 });
      expect(here.threads).toBe(0);
      expect(threads.threads).toBe(2);
      const byId = (r: LoadResult) => [...r.articles].sort((a, b) => (a.file < b.file ? -1 : 1));
      expect(byId(threads)).toEqual(byId(here));
      expect(threads.errors.map((e) => [e.file, e.reason, e.message])).toEqual(here.errors.map((e) => [e.file, e.reason, e.message]));
      expect(threads.errors.every((e) => e instanceof Error)).toBe(true);
    } finally {
      await removeTempDir(root);
    }
  }, 60_000);
});

describe('loadArticles with a read thread', () => {
  it('parses each file from its own bytes while chunk buffers are reused many times over', async () => {
    const root = await makeTempDir();
    try {
      // 300 files of 60 to 6,000 bytes, each naming itself in its title and body, read in 2 KiB chunks
      // (four buffers): a byte of another file, or of an earlier round of the same buffer, would show.
      for (let i = 0; i < 300; i++) {
        const filler = `word${i} `.repeat(((i * 7919) % 600) + 5);
        await writeFile(join(root, `a${String(i).padStart(3, '0')}.txt`), `Title ${i}\n\n${filler}\n#t${i % 7}x\n`);
      }
      const here = await loadArticles(root, 1 << 20, { readThread: false });
      const read = await loadArticles(root, 1 << 20, { readThread: true, readChunkBytes: 2048 });
      expect(read.readThread).toBe(true);
      expect(read.articles).toEqual(here.articles);
      expect(read.articles.map((a) => a.title)).toEqual(Array.from({ length: 300 }, (_, i) => `Title ${i}`));
      expect(read.articles.every((a, i) => a.summary.startsWith(`word${i} `) && a.tags[0]!.key === `t${i % 7}x`)).toBe(true);
    } finally {
      await removeTempDir(root);
    }
  }, 60_000);
});

describe('statFiles', () => {
  it('gives each name its size and mtime, and -1 for what is not a plain file, in a thread as in this one', async () => {
    const root = await makeTempDir();
    try {
      await writeFile(join(root, 'a.txt'), 'Title\n\nBody.\n#tag\n');
      await writeFile(join(root, 'b.md'), 'x'.repeat(4321));
      await mkdir(join(root, 'folder.txt'));
      await symlink('a.txt', join(root, 'link.txt'));
      const names = ['a.txt', 'b.md', 'folder.txt', 'gone.txt', 'link.txt'];
      const expected = names.flatMap((name) => {
        const stat = statSync(join(root, name), { throwIfNoEntry: false });
        return stat?.isFile() ? [stat.size, stat.mtimeMs] : [-1, stat?.mtimeMs ?? 0];
      });
      expect(expected.filter((_, i) => i % 2 === 0)).toEqual([18, 4321, -1, -1, 18]);
      // Threshold 0: the stats run in a worker thread; Infinity: in this one.
      const threaded = await statFiles(root, names, 0).result;
      const here = await statFiles(root, names, Number.POSITIVE_INFINITY).result;
      expect([...threaded]).toEqual(expected);
      expect([...here]).toEqual(expected);
      // Shared between the thread and this one, a chunk of names at a time: many chunks, each name in its place.
      const many = Array.from({ length: 5000 }, (_, i) => names[i % names.length]!);
      const shared = statFiles(root, many, 0);
      shared.share();
      expect([...(await shared.result)]).toEqual(many.flatMap((_, i) => expected.slice(2 * (i % names.length), 2 * (i % names.length) + 2)));
    } finally {
      await removeTempDir(root);
    }
  });
});
