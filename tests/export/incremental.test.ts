/**
 * The incremental export: after one article is edited, added or deleted, a second export into the same
 * folder renders only the routes whose inputs changed, and leaves a folder byte-identical to a fresh
 * full export into another one; a configuration change, or a corrupted or missing manifest, means a
 * full export.
 */
import { readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { exportSite, type ExportResult } from '../../src/export/export-site.ts';
import { MANIFEST_NAME } from '../../src/export/manifest.ts';
import { listFiles } from './support/files.ts';
import { BASE_URL, createTestSite, loadQuietly, type TestSite } from './support/site.ts';

const OLD = new Date('2001-01-01T00:00:00Z');
const FLAGS = ['--archive-size', '3', '--feed-limit', '4'];

/** Adds `count` articles an hour apart in 2022 (so more than one page), tagged #Bulk, every third #Many, some with authors. */
async function addArticles(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const date = new Date(Date.parse('2022-01-01T00:00:00Z') + i * 3600_000).toISOString();
    const author = i % 4 === 0 ? `author: ${i % 8 === 0 ? 'Ana Pérez' : 'Bo Li'}\n` : '';
    await writeFile(join(dir, `bulk-${i}.txt`), `---\ndate: ${date}\n${author}---\nBulk article ${i}\n\nBody ${i}.\n${i % 3 === 0 ? '#Many ' : ''}#Bulk\n`);
  }
}

/** Every file of a folder with its bytes. */
async function readAll(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const file of await listFiles(dir)) files.set(file, await readFile(join(dir, file)));
  return files;
}

/** Sets every file's modification time to 2001, so that a rewrite shows. */
async function ageFiles(dir: string): Promise<void> {
  for (const file of await listFiles(dir)) await utimes(join(dir, file), OLD, OLD);
}

/** The files of `dir` modified since `ageFiles`, but the manifest (which records every export). */
async function rewrittenFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const file of await listFiles(dir)) if (file !== MANIFEST_NAME && (await stat(join(dir, file))).mtime.getTime() !== OLD.getTime()) out.push(file);
  return out.sort();
}

/** The files whose bytes differ between two snapshots, or that only one has, but the manifest. */
function differences(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((n) => n !== MANIFEST_NAME && !(a.get(n) && b.get(n)?.equals(a.get(n)!))).sort();
}

describe('an incremental export', { timeout: 120_000 }, () => {
  let test: TestSite;
  let out: string;
  let fresh: string;
  let before: Map<string, Buffer>;
  const logs: string[] = [];
  const run = async (dir: string, flags: string[] = []): Promise<ExportResult> => {
    const config = readConfig({}, ['--articles-dir', test.articlesDir, '--base-url', BASE_URL, ...FLAGS, ...flags]);
    return exportSite({ config, site: await loadQuietly(config), outDir: dir, jobs: 1, logError: (m) => logs.push(m) });
  };

  /** Exports again into `out` and fresh into another folder; checks they are the same, and returns what the incremental one did. */
  const exportBoth = async () => {
    const result = await run(out);
    await rm(fresh, { recursive: true, force: true });
    const full = await run(fresh);
    const after = await readAll(out);
    const expected = await readAll(fresh);
    expect([...after.keys()]).toEqual([...expected.keys()]);
    // The manifest too: the same inputs and fingerprint as a fresh export's.
    for (const [file, bytes] of expected) expect(after.get(file)!.equals(bytes), file).toBe(true);
    return { result, full, changed: differences(before, after), rewritten: await rewrittenFiles(out) };
  };

  beforeEach(async () => {
    logs.length = 0;
    test = await createTestSite(FLAGS);
    await addArticles(test.articlesDir, 70);
    out = join(test.dir, 'dist');
    fresh = join(test.dir, 'fresh');
    const first = await run(out);
    expect(first.incremental).toBe(false);
    // The route list of route-inputs.ts is exactly what toSSG rendered (else a warning is logged).
    expect(logs).toEqual([]);
    await ageFiles(out);
    before = await readAll(out);
  });
  afterEach(() => test.remove());

  it('after an edit, renders only the routes that show the article and rewrites only the files that changed', async () => {
    const file = join(test.articlesDir, 'bulk-30.txt');
    await writeFile(file, (await readFile(file, 'utf8')).replace('Body 30.', 'Body 30, edited.'));
    const { result, full, changed, rewritten } = await exportBoth();
    expect(result.incremental).toBe(true);
    expect(changed).toContain('articles/bulk-30.html');
    expect(rewritten).toEqual(changed);
    expect(result.written).toBe(changed.length);
    expect(result.removed).toBe(0);
    // Not everything rendered and compared: the article's page, the feeds and archives that show it.
    expect(result.rendered).toBeGreaterThanOrEqual(changed.length);
    expect(result.rendered).toBeLessThan(full.rendered / 4);
    expect(logs).toEqual([]);
  });

  it('after an edit that spells a tag and an author anew, rewrites the lists that print their names', async () => {
    // A tag is shown as its newest article writes it, an author as their oldest article does.
    const newest = join(test.articlesDir, 'bulk-69.txt');
    await writeFile(newest, (await readFile(newest, 'utf8')).replace('#Bulk', '#BULK'));
    const oldest = join(test.articlesDir, 'bulk-4.txt');
    await writeFile(oldest, (await readFile(oldest, 'utf8')).replace('author: Bo Li', 'author: BO LI'));
    const { result, changed, rewritten } = await exportBoth();
    expect(result.incremental).toBe(true);
    expect(changed).toEqual(expect.arrayContaining(['tags.html', 'tags.opml', 'authors.html', 'tags/bulk.html']));
    expect(rewritten).toEqual(changed);
  });

  it('after a new article dated now, rewrites no archive file, and writes the new tag', async () => {
    const site = await loadQuietly(test.config);
    // One more article must complete no archive page of the site.
    if ((site.index.size + 1) % 3 === 0) await writeFile(join(test.articlesDir, 'pad.txt'), '---\ndate: 2020-01-01T00:00:00Z\n---\nPad\n\nPadding.\n#Pad\n');
    await run(out);
    await ageFiles(out);
    before = await readAll(out);
    await writeFile(join(test.articlesDir, 'newest.txt'), 'The newest article\n\nDated now, by its file time.\n#Fresh #Bulk\n');
    const { result, changed, rewritten } = await exportBoth();
    expect(result.incremental).toBe(true);
    expect(changed).toEqual(expect.arrayContaining(['articles/newest.html', 'tags/fresh/rss.xml', 'tags/fresh.html', 'rss.xml', 'tags.html']));
    expect(rewritten).toEqual(changed);
    expect(rewritten.filter((f) => f.includes('archive/') && !f.startsWith('tags/fresh/') && !f.startsWith('tags/bulk/'))).toEqual([]);
  });

  it('after a deletion, removes the files of the article and of a tag left empty', async () => {
    await writeFile(join(test.articlesDir, 'lonely.txt'), '---\ndate: 2023-05-01T00:00:00Z\n---\nLonely\n\nThe only one.\n#Lonely\n');
    await run(out);
    await ageFiles(out);
    before = await readAll(out);
    expect(before.has('tags/lonely/rss.xml')).toBe(true);
    await rm(join(test.articlesDir, 'lonely.txt'));
    const { result, changed, rewritten } = await exportBoth();
    expect(result.incremental).toBe(true);
    expect(changed).toEqual(expect.arrayContaining(['articles/lonely.html', 'tags/lonely.html', 'tags/lonely/rss.xml']));
    expect(result.removed).toBe(5);
    expect(rewritten).toEqual(changed.filter((f) => before.has(f) && !f.includes('lonely')));
  });

  it('renders and writes nothing when nothing changed', async () => {
    const result = await run(out);
    expect(result).toMatchObject({ incremental: true, rendered: 0, written: 0, removed: 0 });
    expect(await rewrittenFiles(out)).toEqual([]);
  });

  it('renders every route again after a configuration change', async () => {
    const { result, full, changed } = await (async () => {
      const result = await run(out, ['--site-title', 'Renamed']);
      await rm(fresh, { recursive: true, force: true });
      const full = await run(fresh, ['--site-title', 'Renamed']);
      return { result, full, changed: differences(before, await readAll(out)) };
    })();
    expect(result.incremental).toBe(false);
    expect(result.rendered).toBe(full.rendered);
    expect(changed.length).toBeGreaterThan(before.size / 2);
    expect(differences(await readAll(out), await readAll(fresh))).toEqual([]);
  });

  it('falls back to a full export, with a log line, when the manifest is corrupted or missing', async () => {
    await writeFile(join(out, MANIFEST_NAME), '{"generator": "tagfeeds", "version": 2, "fingerp');
    const corrupted = await run(out);
    expect(corrupted.incremental).toBe(false);
    expect(logs).toEqual([expect.stringMatching(new RegExp(`${MANIFEST_NAME} is not valid JSON.*exporting every route`, 'u'))]);
    // A full export keeps the bytes, and the files' times, of what did not change.
    expect(corrupted.written).toBe(0);
    await rm(join(out, MANIFEST_NAME));
    const missing = await run(out);
    expect(missing.incremental).toBe(false);
    expect(missing.rendered).toBe(corrupted.rendered);
    expect((await run(out)).incremental).toBe(true);
  });
});
