/**
 * A summary cut from a long first paragraph is kept without its ellipsis (ArticleMeta.summaryCut, for
 * memory): every feed and page must still show the ellipsis after it, and one that was not cut none.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFolderApp, makeTempDir, removeTempDir, type TestApp } from '../support/factory.ts';

let dir: string;
let test: TestApp;
const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');

beforeAll(async () => {
  dir = await makeTempDir('tagfeeds-summaries-');
  await writeFile(join(dir, 'long.txt'), `Long One\n\n${words}\nSecond paragraph.\n#Cut\n`);
  await writeFile(join(dir, 'short.txt'), 'Short One\n\nA short first paragraph.\n#Whole\n');
  test = await createFolderApp(dir);
});
afterAll(() => removeTempDir(dir));

const text = async (path: string) => (await test.app.request(path)).text();
/** The summary the parser keeps: words up to a word boundary, at most 280 characters. */
const cutWords = (summary: string) => words.startsWith(summary.slice(0, -1)) && summary.endsWith('…') && !summary.slice(0, -1).includes('…');

describe('cut summaries', () => {
  it('end in an ellipsis in RSS, Atom and JSON Feed', async () => {
    const json = JSON.parse(await text('/tags/cut/feed.json')) as { items: { summary: string }[] };
    expect(cutWords(json.items[0]!.summary)).toBe(true);
    const summary = json.items[0]!.summary;
    expect(await text('/tags/cut/atom.xml')).toContain(`<summary type="text">${summary}</summary>`);
    expect(await text('/tags/cut/rss.xml')).toContain(`<description>${summary}</description>`);
  });

  it('end in an ellipsis on the home page and in the article page description', async () => {
    const json = JSON.parse(await text('/tags/cut/feed.json')) as { items: { summary: string }[] };
    const summary = json.items[0]!.summary;
    expect(await text('/')).toContain(`<br>${summary}</li>`);
    expect(await text('/articles/long')).toContain(`content="${summary}"`);
  });

  it('leave a summary that was not cut as written', async () => {
    const json = JSON.parse(await text('/tags/whole/feed.json')) as { items: { summary: string }[] };
    expect(json.items[0]!.summary).toBe('A short first paragraph.');
    expect(await text('/')).toContain('<br>A short first paragraph.</li>');
  });
});
