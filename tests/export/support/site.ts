/**
 * Test sites for the export: a temporary copy of the export fixtures (plus an article whose file name
 * holds `?`, `%`, `#` and a space, made here because such names cannot be checked out everywhere), the
 * configuration over it, and an in-process live server to compare with.
 */
import { serve } from '@hono/node-server';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSite, type LoadedSite } from '../../../src/articles/load-site.ts';
import { readConfig, type Config } from '../../../src/config.ts';
import { createApp } from '../../../src/server/app.ts';

/** The base URL of every exported test site. */
export const BASE_URL = 'http://feeds.example';

const FIXTURES = fileURLToPath(new URL('../fixtures/articles/', import.meta.url));

/** The id of the article with the awkward file name. */
export const ODD_ID = 'what? 100% #1';

/** A temporary folder holding `articles/` (a copy of the fixtures); `remove()` deletes it all. */
export interface TestSite {
  dir: string;
  articlesDir: string;
  config: Config;
  remove(): Promise<void>;
}

/** Copies the fixtures into a new temporary folder; `flags` are extra config flags. */
export async function createTestSite(flags: string[] = []): Promise<TestSite> {
  const dir = await mkdtemp(join(tmpdir(), 'tagfeeds-export-'));
  const articlesDir = join(dir, 'articles');
  await cp(FIXTURES, articlesDir, { recursive: true, preserveTimestamps: true });
  await writeFile(
    join(articlesDir, `${ODD_ID}.txt`),
    '---\ndate: 2024-03-30T07:45:00Z\n---\nAn id with a question mark, a percent sign and a hash\n\nEvery character of its file name must survive the URL and the file system.\n#Edge_cases #São_Paulo\n',
  );
  const config = readConfig({}, ['--articles-dir', articlesDir, '--base-url', BASE_URL, ...flags]);
  return { dir, articlesDir, config, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Loads a site without logging its skipped files (the fixtures include a broken one on purpose). */
export function loadQuietly(config: Config): Promise<LoadedSite> {
  return loadSite(config, () => {});
}

/** A live server in this process, on 127.0.0.1 and a free port. */
export interface LiveApp {
  url: string;
  close(): Promise<void>;
}

/** Serves the site with `createApp` and `@hono/node-server`, as `npm start` does. */
export async function startLiveApp(config: Config): Promise<LiveApp> {
  const site = await loadQuietly(config);
  const { app } = createApp({ config, index: site.index, contents: site.contents, logError: () => {} });
  const server = await new Promise<Server>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server));
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Every URL path of the site's routes, from its index: pages, feeds and the OPML. */
export function routePaths(site: LoadedSite): { feeds: string[]; pages: string[]; opml: string } {
  const tags = site.index.tags().map((t) => `/tags/${encodeURIComponent(t.key)}`);
  const articles = site.index.latest(site.index.size).map((a) => `/articles/${encodeURIComponent(a.id)}`);
  const files = ['rss.xml', 'atom.xml', 'feed.json'];
  return {
    feeds: [...files.map((f) => `/${f}`), ...tags.flatMap((t) => files.map((f) => `${t}/${f}`))],
    pages: ['/', '/tags', ...tags, ...articles],
    opml: '/tags.opml',
  };
}
