import { afterEach, describe, expect, it } from 'vitest';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadArticles } from '../../src/articles/load.ts';
import { ContentStore } from '../../src/articles/content.ts';
import { makeTempDir, removeTempDir } from '../support/factory.ts';

let dir: string | undefined;
afterEach(() => removeTempDir(dir));

/** One article file, loaded; its body then read through a fresh store. */
async function oneArticle() {
  dir = await makeTempDir();
  // The summary is the body's opening: the closing sentence is only in the body read from the file.
  await writeFile(join(dir, 'one.txt'), `A title\n\n${'Opening words. '.repeat(60)}\n\nThe closing, read from the file.\n#Tag\n`);
  const { articles, readOptions } = await loadArticles(dir, 1024 * 1024);
  return { meta: articles[0]!, contents: new ContentStore(readOptions), file: join(dir, 'one.txt') };
}

describe('ContentStore', () => {
  it('keeps a body it read, so a later read needs no file', async () => {
    const { meta, contents, file } = await oneArticle();
    const body = contents.html(meta);
    expect(body).toContain('closing, read from the file');
    await rm(file);
    expect(contents.html(meta)).toBe(body);
  });

  it('with keep false, reads the body without keeping it (archive documents, read about once)', async () => {
    const { meta, contents, file } = await oneArticle();
    expect(contents.html(meta, false)).toContain('closing, read from the file');
    await rm(file);
    // Not kept: the file is read again, and without it the summary stands in.
    expect(contents.html(meta)).not.toContain('closing, read from the file');
  });
});
