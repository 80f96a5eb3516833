/**
 * The static export of the history: every archive document, the paged home and tag pages, the sitemap
 * and robots.txt are written with the bytes the server answers; an export after one new article
 * (dated now, completing no page) rewrites no archive file.
 */
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join, } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { archiveCount } from '../../src/feeds/archives.ts';
import { exportSite } from '../../src/export/export-site.ts';
import { MANIFEST_NAME } from '../../src/export/manifest.ts';
import { createApp } from '../../src/server/app.ts';
import { createTestSite, loadQuietly, type TestSite } from './support/site.ts';
import { listFiles, routeOf } from './support/files.ts';

/** Adds `count` articles an hour apart in 2022, every third one tagged #Many. */
async function addArticles(dir: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const date = new Date(Date.parse('2022-01-01T00:00:00Z') + i * 3600_000).toISOString();
    await writeFile(join(dir, `bulk-${i}.txt`), `---\ndate: ${date}\n---\nBulk article ${i}\n\nBody ${i}.\n${i % 3 === 0 ? '#Many ' : ''}#Bulk\n`);
  }
}

describe('exporting archives, pages, the sitemap and robots.txt', { timeout: 120_000 }, () => {
  let test: TestSite;
  let out: string;

  beforeEach(async () => {
    // Small archives and pages of 50 make several of each out of a little over 100 articles.
    test = await createTestSite(['--archive-size', '4', '--feed-limit', '6']);
    out = join(test.dir, 'dist');
  });
  afterEach(() => test.remove());

  it('writes every archive document, paged page, the sitemap and robots.txt with the server’s bytes', async () => {
    await addArticles(test.articlesDir, 113);
    const site = await loadQuietly(test.config);
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const files = await listFiles(out);
    const archives = archiveCount(site.index.size, 4);
    for (let n = 1; n <= archives; n++) for (const f of ['rss.xml', 'atom.xml', 'feed.json']) expect(files).toContain(`archive/${n}/${f}`);
    expect(files).not.toContain(`archive/${archives + 1}/rss.xml`);
    const many = site.index.tagged('many', 1)!.count;
    expect(files.filter((f) => f.startsWith('tags/many/archive/'))).toHaveLength(3 * archiveCount(many, 4));
    expect(files).toEqual(expect.arrayContaining(['page/2.html', 'page/3.html', 'tags/bulk/page/2.html', 'sitemap.xml', 'robots.txt']));
    expect(files).not.toContain('page/1.html');

    const { app } = createApp({ config: test.config, index: site.index, contents: site.contents });
    for (const file of files.filter((f) => f !== '_headers' && f !== MANIFEST_NAME)) {
      const res = await app.request(routeOf(file));
      expect([file, res.status]).toEqual([file, 200]);
      expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(join(out, file))), file).toBe(true);
    }
  });

  it('rewrites no archive file after a new article that completes no page', async () => {
    await addArticles(test.articlesDir, 113);
    let site = await loadQuietly(test.config);
    // Make the site's count a multiple of the archive size, so that one more article completes no page.
    const extra = (4 - (site.index.size % 4)) % 4;
    for (let i = 0; i < extra; i++) await writeFile(join(test.articlesDir, `pad-${i}.txt`), `---\ndate: 2021-01-0${i + 1}T00:00:00Z\n---\nPad ${i}\n\nPadding.\n#Pad${i}\n`);
    site = await loadQuietly(test.config);
    expect(site.index.size % 4).toBe(0);
    await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
    const old = new Date('2001-01-01T00:00:00Z');
    const archiveFiles = (await listFiles(out)).filter((f) => f.includes('archive/'));
    expect(archiveFiles.length).toBeGreaterThan(50);
    const before = new Map<string, Buffer>();
    for (const file of archiveFiles) {
      await utimes(join(out, file), old, old);
      before.set(file, await readFile(join(out, file)));
    }

    await writeFile(join(test.articlesDir, 'newest.txt'), 'The newest article\n\nDated now, by its file time.\n#Fresh\n');
    site = await loadQuietly(test.config);
    const result = await exportSite({ config: test.config, site, outDir: out, jobs: 1 });

    const after = (await listFiles(out)).filter((f) => f.includes('archive/'));
    expect(after).toEqual(archiveFiles);
    for (const file of archiveFiles) {
      expect([file, (await stat(join(out, file))).mtime.getUTCFullYear()]).toEqual([file, 2001]);
      expect((await readFile(join(out, file))).equals(before.get(file)!), file).toBe(true);
    }
    expect(await readFile(join(out, 'feed.json'), 'utf8')).toContain('/articles/newest');
    expect(result.unchanged).toBeGreaterThanOrEqual(archiveFiles.length);
    expect(result.written).toBeLessThan(result.files - archiveFiles.length);
    expect(result.removed).toBe(0);
  });
});
