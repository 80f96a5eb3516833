import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { articlePath, describeFileName, isArticleFileName, readArticleFile, resolveReadOptions, type ReadOptions } from '../../src/articles/files.ts';
import { makeTempDir, removeTempDir } from '../support/factory.ts';

/** Root reads files whatever their permissions, so a chmod 000 file is unreadable only for other users. */
const isRoot = process.getuid?.() === 0;

describe('isArticleFileName', () => {
  it('accepts .txt and .md files, whatever the case of the extension', () => {
    for (const name of ['a.txt', 'b.md', 'C.TXT', 'D.Md', 'año nuevo.txt', '000_66bcc8fb033b93b3.txt', 'a.b.txt']) {
      expect(isArticleFileName(name), name).toBe(true);
    }
  });

  it('ignores dotfiles, editor backups and other extensions', () => {
    for (const name of ['.hidden.txt', '.txt', 'x.txt~', '.#x.txt', '#x.txt#', 'x.txt.swp', '.x.txt.swp', 'x.swp', 'x.html', 'README', 'x.txt.bak', 'x.markdown']) {
      expect(isArticleFileName(name), name).toBe(false);
    }
  });
});

describe('articlePath', () => {
  it('gives what path.join gives, for folders written every way and names of every kind', () => {
    const dirs = ['articles', 'articles/', './articles', 'a/../articles', '/srv/feeds/articles/', '/', '.', '..', '', 'a//b', '../x/./y/', 'ü/日本'];
    const names = ['x.txt', 'a b.md', '.hidden.txt', '日本.md', 'x', '.', '..', '', 'sub/x.txt', '../x.txt', 'a\\b.txt'];
    for (const dir of dirs) {
      for (const name of names) expect(articlePath({ dir, realDir: dir, maxBytes: 1 }, name), `${dir} + ${name}`).toBe(join(dir, name));
    }
  });
});

describe('describeFileName', () => {
  it('gives the name without its extension as the id, and the format', () => {
    expect(describeFileName('año nuevo.txt')).toEqual({ id: 'año nuevo', format: 'text' });
    expect(describeFileName('a.b.md')).toEqual({ id: 'a.b', format: 'markdown' });
    expect(describeFileName('UPPER.TXT')).toEqual({ id: 'UPPER', format: 'text' });
  });
});

describe('readArticleFile', () => {
  let root: string;
  let dir: string;
  let options: ReadOptions;

  beforeEach(async () => {
    root = await makeTempDir();
    dir = join(root, 'articles');
    await mkdir(dir);
    options = await resolveReadOptions(dir, 1024);
  });
  afterEach(async () => {
    await chmod(join(dir, 'unreadable.txt'), 0o644).catch(() => {});
    await removeTempDir(root);
  });

  it('reads and parses a file, dated by its modification time', async () => {
    await writeFile(join(dir, 'good.txt'), 'Title\nBody.\n#Venezuela\n');
    const result = await readArticleFile('good.txt', options);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.article).toMatchObject({ id: 'good', file: join(dir, 'good.txt'), format: 'text', title: 'Title' });
    expect(result.article.source.size).toBe(23);
    expect(result.article.date.getTime()).toBe(Math.floor(result.article.source.mtimeMs));
  });

  it('rejects a name with a control character, and one not in UTF-8, as the watcher reads them; a name holding U+FFFD is fine', async () => {
    await writeFile(join(dir, 'tab\tname.txt'), 'Title\nBody.\n');
    const tab = readArticleFile('tab\tname.txt', options);
    expect(!tab.ok && [tab.error.reason, tab.error.message]).toEqual(['bad-file-name', 'its name holds the control character U+0009, which no URL can carry: rename it']);
    await writeFile(Buffer.concat([Buffer.from(`${dir}/caf`), Buffer.from([0xe9]), Buffer.from('.txt')]), 'Title\nBody.\n');
    const latin1 = readArticleFile('caf\uFFFD.txt', options);
    expect(!latin1.ok && latin1.error.reason).toBe('bad-file-name');
    await writeFile(join(dir, 'real\uFFFD.txt'), 'Title\nBody.\n');
    expect(readArticleFile('real\uFFFD.txt', options).ok).toBe(true);
  });

  it('rejects a file over the size limit', async () => {
    await writeFile(join(dir, 'big.txt'), `Title\n${'x'.repeat(2000)}\n`);
    const result = await readArticleFile('big.txt', options);
    expect(!result.ok && result.error.reason).toBe('too-large');
    expect(!result.ok && result.error.file).toBe(join(dir, 'big.txt'));
  });

  it('accepts a file exactly at the size limit', async () => {
    await writeFile(join(dir, 'edge.txt'), `Title\n${'x'.repeat(1024 - 7)}\n`);
    expect((await readArticleFile('edge.txt', options)).ok).toBe(true);
  });

  it('rejects a binary file and a file that is not UTF-8', async () => {
    await writeFile(join(dir, 'bin.txt'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d]));
    await writeFile(join(dir, 'latin1.txt'), Buffer.from('Caf\xe9\n', 'latin1'));
    expect(await readArticleFile('bin.txt', options)).toMatchObject({ ok: false, error: { reason: 'binary' } });
    expect(await readArticleFile('latin1.txt', options)).toMatchObject({ ok: false, error: { reason: 'not-utf8' } });
  });

  it('rejects a symbolic link that points outside the folder', async () => {
    await writeFile(join(root, 'secret.txt'), 'SECRET title\nSECRET body\n');
    await symlink(join(root, 'secret.txt'), join(dir, 'outside.txt'));
    await symlink('../secret.txt', join(dir, 'relative-outside.txt'));
    for (const name of ['outside.txt', 'relative-outside.txt']) {
      const result = await readArticleFile(name, options);
      expect(!result.ok && result.error.reason, name).toBe('outside-link');
    }
  });

  it('accepts a symbolic link to a file inside the folder, under its own id', async () => {
    await writeFile(join(dir, 'target.txt'), 'Linked title\nBody.\n');
    await symlink('target.txt', join(dir, 'alias.txt'));
    const result = await readArticleFile('alias.txt', options);
    expect(result.ok && { id: result.article.id, title: result.article.title }).toEqual({ id: 'alias', title: 'Linked title' });
  });

  it('says of a symbolic link that points to nothing what it points to, not that the file disappeared', async () => {
    await symlink('gone.txt', join(dir, 'dangling.txt'));
    for (const kind of ['symlink', 'unknown'] as const) {
      expect(await readArticleFile('dangling.txt', options, kind)).toMatchObject({ ok: false, error: { reason: 'unreadable', message: 'symbolic link points to gone.txt, which does not exist' } });
    }
  });

  it('rejects a folder named like an article', async () => {
    await mkdir(join(dir, 'folder.txt'));
    expect(await readArticleFile('folder.txt', options)).toMatchObject({ ok: false, error: { reason: 'not-a-file' } });
  });

  it('rejects a symbolic link that loops as unreadable', async () => {
    await symlink('loop.txt', join(dir, 'loop.txt'));
    const result = await readArticleFile('loop.txt', options);
    expect(!result.ok && result.error.reason).toBe('unreadable');
    expect(!result.ok && result.error.file).toBe(join(dir, 'loop.txt'));
  });

  it.skipIf(isRoot)('rejects a file without read permission as unreadable (not as root, who may read it)', async () => {
    await writeFile(join(dir, 'unreadable.txt'), 'Title\nBody\n');
    await chmod(join(dir, 'unreadable.txt'), 0o000);
    expect(await readArticleFile('unreadable.txt', options)).toMatchObject({ ok: false, error: { reason: 'unreadable' } });
  });

  it('reports a file that is gone', async () => {
    const result = await readArticleFile('missing.txt', options);
    expect(!result.ok && result.error.reason).toBe('unreadable');
  });
});
