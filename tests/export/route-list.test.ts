/**
 * The export renders the routes route-inputs.ts lists, not through hono's `toSSG`: the list must hold
 * exactly the routes `toSSG` finds in the app (each parameterised route's `ssgParams`), written to the
 * same files with the same bytes.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toSSG } from 'hono/ssg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportSite } from '../../src/export/export-site.ts';
import { HEADERS_FILE } from '../../src/export/host-files.ts';
import { MANIFEST_NAME } from '../../src/export/manifest.ts';
import { OutputWriter } from '../../src/export/output-writer.ts';
import { listExportRoutes } from '../../src/export/route-inputs.ts';
import { EXTENSION_MAP } from '../../src/export/routes.ts';
import { createApp } from '../../src/server/app.ts';
import { listFiles } from './support/files.ts';
import { createTestSite, loadQuietly, type TestSite } from './support/site.ts';

/** Writes what `toSSG` makes of the export app into `dir`; returns the files. */
async function exportWithToSsg(test: TestSite, dir: string, sitemapMaxUrls?: number): Promise<string[]> {
  const site = await loadQuietly(test.config);
  const { app } = createApp({ config: test.config, index: site.index, contents: site.contents, ssg: true, sitemapMaxUrls, logError: () => {} });
  const writer = new OutputWriter(dir);
  const result = await toSSG(app, writer.fileSystem(), { dir, concurrency: 8, extensionMap: EXTENSION_MAP, plugins: [] });
  expect(result.success).toBe(true);
  return [...writer.produced].sort();
}

describe('the export route list', { timeout: 120_000 }, () => {
  let test: TestSite;
  beforeEach(async () => {
    test = await createTestSite(['--archive-size', '2', '--feed-limit', '3']);
    // Enough articles for paged lists (50 a page), archives, authors, a tag and ids that need escaping,
    // and `#x.html`, which is the tag `x` (a tag ends at the dot).
    for (let i = 0; i < 60; i++) {
      const date = new Date(Date.parse('2022-01-01T00:00:00Z') + i * 3600_000).toISOString();
      await writeFile(join(test.articlesDir, `n°${i} a.b.txt`), `---\ndate: ${date}\nauthor: Zoë ${i % 3}\n---\nArticle ${i}\n\nBody.\n#Bulk #日本 #x.html\n`);
    }
  });
  afterEach(() => test.remove());

  it('holds exactly the files toSSG writes, and the export writes them with the same bytes', async () => {
    const expected = await exportWithToSsg(test, join(test.dir, 'ssg'));
    const site = await loadQuietly(test.config);
    const listed = listExportRoutes(site.index, { feedLimit: 3, archiveSize: 2 }).map((r) => r.file).sort();
    expect(listed).toEqual(expected);
    expect(expected).toEqual(expect.arrayContaining(['page/2.html', 'tags/日本/page/2.html', 'tags/x.html', 'tags/x/page/2.html', 'archive/1/rss.xml', 'authors/zoe-1/feed.json']));

    const out = join(test.dir, 'dist');
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const written = (await listFiles(out)).filter((f) => f !== MANIFEST_NAME && f !== HEADERS_FILE);
    expect(written).toEqual(expected);
    for (const file of written) expect((await readFile(join(out, file))).equals(await readFile(join(test.dir, 'ssg', file))), file).toBe(true);
  });

  it('lists the child sitemaps toSSG writes when the URLs take several files', async () => {
    const expected = await exportWithToSsg(test, join(test.dir, 'ssg'), 20);
    expect(expected).toContain('sitemaps/2.xml');
    const site = await loadQuietly(test.config);
    expect(listExportRoutes(site.index, { feedLimit: 3, archiveSize: 2, sitemapMaxUrls: 20 }).map((r) => r.file).sort()).toEqual(expected);
  });
});
