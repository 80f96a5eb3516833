/**
 * The whole path on a real folder of articles, by default the bundled `articles/`:
 * `EXPORT_CORPUS=bench/.corpora/articles-10000 npx vitest run tests/export/corpus.test.ts` runs it on a
 * generated corpus (`npm run bench:export` generates that one; about 4 minutes on 2 CPUs). The folder is exported, nginx serves the output, and every
 * feed nginx serves is compared with the live server's and read back with the Universal Feed Parser.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedSite } from '../../src/articles/load-site.ts';
import { readConfig, type Config } from '../../src/config.ts';
import { exportSite } from '../../src/export/export-site.ts';
import { siteInfo } from '../../src/server/app.ts';
import { findNginx, startNginx, type RunningNginx } from './support/nginx.ts';
import { BASE_URL, loadQuietly, routePaths, startLiveApp, type LiveApp } from './support/site.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CORPUS = resolve(ROOT, process.env.EXPORT_CORPUS ?? 'articles');
const nginxBinary = findNginx();

/** Runs feedparse-many.py over `files`; resolves with the item ids it read from each. */
function feedparseMany(listFile: string): Promise<Map<string, { bozo: boolean; ids: string[] }>> {
  const script = fileURLToPath(new URL('support/feedparse-many.py', import.meta.url));
  return new Promise((resolvePromise, reject) => {
    execFile('/usr/bin/python3', [script, listFile], { maxBuffer: 1024 * 1024 * 1024, timeout: 30 * 60_000 }, (error, stdout) => {
      if (error) return reject(error);
      const parsed = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { path: string; bozo: boolean; ids: string[] });
      resolvePromise(new Map(parsed.map((p) => [p.path, p])));
    });
  });
}

describe.skipIf(!nginxBinary)(`an export of ${process.env.EXPORT_CORPUS ?? 'the bundled articles'}`, { timeout: 60 * 60_000 }, () => {
  let dir: string;
  let config: Config;
  let site: LoadedSite;
  let live: LiveApp;
  let nginx: RunningNginx;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagfeeds-corpus-'));
    config = readConfig({}, ['--articles-dir', CORPUS, '--base-url', BASE_URL]);
    site = await loadQuietly(config);
    await exportSite({ config, site, outDir: join(dir, 'dist') });
    live = await startLiveApp(config);
    nginx = await startNginx(nginxBinary!, { server: `    root ${join(dir, 'dist')};\n    include snippets/tagfeeds-static.conf;` });
  }, 60 * 60_000);

  afterAll(async () => {
    await nginx?.stop();
    await live?.close();
    await rm(dir, { recursive: true, force: true });
  }, 120_000);

  it('serves every feed and the OPML with the bytes of the live server', async () => {
    const { feeds, opml } = routePaths(site);
    let different = 0;
    for (const path of [...feeds, opml]) {
      const [a, b] = await Promise.all([fetch(nginx.url + path), fetch(live.url + path)]);
      const same = a.status === 200 && a.headers.get('content-type') === b.headers.get('content-type')
        && Buffer.from(await a.arrayBuffer()).equals(Buffer.from(await b.arrayBuffer()));
      if (!same && different++ < 5) expect.soft(same, path).toBe(true);
    }
    expect(different).toBe(0);
  });

  it('serves every feed so that the Universal Feed Parser reads the items of the live index', async () => {
    const tags = site.index.tags();
    const { urls } = siteInfo(config);
    const expected = new Map<string, string[]>();
    const idsOf = (articles: { id: string }[]) => articles.map((a) => urls.article(a.id));
    expected.set('', idsOf(site.index.latest(config.feedLimit)));
    for (const tag of tags) expected.set(`/tags/${encodeURIComponent(tag.key)}`, idsOf(site.index.tagged(tag.key, config.feedLimit)!.articles));

    // Read back through nginx: fetched bodies are written to files for one parser process.
    const files: string[] = [];
    const bases = [...expected.keys()];
    for (const [i, base] of bases.entries()) {
      for (const name of ['rss.xml', 'atom.xml']) {
        const file = join(dir, `read-${i}-${name}`);
        await writeFile(file, Buffer.from(await (await fetch(`${nginx.url}${base}/${name}`)).arrayBuffer()));
        files.push(file);
      }
      const json = (await (await fetch(`${nginx.url}${base}/feed.json`)).json()) as { items: { id: string }[] };
      expect([base, json.items.map((item) => item.id)]).toEqual([base, expected.get(base)]);
    }
    await writeFile(join(dir, 'list.txt'), `${files.join('\n')}\n`);
    const read = await feedparseMany(join(dir, 'list.txt'));
    for (const [i, base] of bases.entries()) {
      for (const name of ['rss.xml', 'atom.xml']) {
        const result = read.get(join(dir, `read-${i}-${name}`));
        expect([base, name, result?.bozo, result?.ids]).toEqual([base, name, false, expected.get(base)]);
      }
    }
  });
});
