/**
 * Test data: a `createArticle(overrides)` factory with fixed dates (jpmonette/feed's setup.ts does the
 * same), the site and config the tests use, an app over factory articles with no file system and no
 * port, and temporary folders that clean up after themselves.
 *
 * Every call returns fresh objects, so no test can change another's sample.
 */
import { cp, mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArticleIndex } from '../../src/articles/article-index.ts';
import { ContentStore } from '../../src/articles/content.ts';
import { loadArticles } from '../../src/articles/load.ts';
import type { ArticleFileInfo } from '../../src/articles/parse.ts';
import { normalizeTag } from '../../src/articles/tags.ts';
import { toMeta, type Article, type ArticleMeta, type Tag } from '../../src/articles/types.ts';
import { readConfig, type Config } from '../../src/config.ts';
import type { SiteInfo } from '../../src/feeds/build.ts';
import { createApp, type App } from '../../src/server/app.ts';
import { SiteUrls } from '../../src/urls.ts';

/** The base URL of every test site. */
export const BASE_URL = 'http://feeds.example';
/** A fixed publication date, so output is the same on every run. */
export const FIXED_DATE = new Date('2024-05-01T09:30:00Z');

/** Folders of real fixture files. */
export const FIXTURES = {
  valid: fileURLToPath(new URL('../fixtures/articles/valid/', import.meta.url)),
  invalid: fileURLToPath(new URL('../fixtures/articles/invalid/', import.meta.url)),
};

/** Overrides for `createArticle`; tags may be given as labels (`'España'`) and are normalised. */
export type ArticleOverrides = Partial<Omit<Article, 'tags'>> & { tags?: (string | Tag)[] };

/** A tag from its label, normalised the way the parser does. */
export function tag(label: string): Tag {
  return { key: normalizeTag(label), label };
}

/**
 * A parsed article with fixed dates; `id` also sets `file` unless given.
 * @example createArticle({ id: 'b', title: 'Second', tags: ['Venezuela'] })
 */
export function createArticle(overrides: ArticleOverrides = {}): Article {
  const id = overrides.id ?? 'sample-article';
  const date = overrides.date ?? new Date(FIXED_DATE);
  const { tags, ...rest } = overrides;
  return {
    id,
    file: `/articles/${id}.txt`,
    format: 'text',
    title: 'Venezuela restores diplomatic relations',
    date,
    updated: overrides.updated ?? date,
    summary: 'The first paragraph of the article.',
    draft: false,
    source: { size: 100, mtimeMs: date.getTime() },
    contentHtml: '<p>The first paragraph of the article.</p>\n<p>The second paragraph.</p>',
    ...rest,
    tags: (tags ?? ['Venezuela', 'Geopolitics']).map((t) => (typeof t === 'string' ? tag(t) : { ...t })),
  };
}

/** The file information `parseArticle` takes, for a file name (`a.txt`, `b.md`) and modification time. */
export function fileInfo(name: string, mtime: Date = FIXED_DATE): ArticleFileInfo {
  const dot = name.lastIndexOf('.');
  return {
    id: name.slice(0, dot),
    file: `/articles/${name}`,
    format: name.slice(dot) === '.md' ? 'markdown' : 'text',
    source: { size: 0, mtimeMs: mtime.getTime() },
  };
}

/** The site the feed tests render. */
export function createSite(overrides: Partial<Omit<SiteInfo, 'urls'>> & { baseUrl?: string } = {}): SiteInfo {
  const { baseUrl = BASE_URL, ...rest } = overrides;
  return {
    title: 'Tagfeeds test site',
    description: 'Articles for the tests',
    language: 'en',
    author: 'Test Author',
    hubs: [],
    ...rest,
    urls: new SiteUrls(baseUrl),
  };
}

/** The configuration the tests use: defaults, with the test base URL. */
export function createConfig(overrides: Partial<Config> = {}): Config {
  return { ...readConfig({}, []), baseUrl: BASE_URL, ...overrides };
}

/** A test app and what it was built from. */
export interface TestApp extends App {
  index: ArticleIndex;
  contents: ContentStore;
  config: Config;
  errors: string[];
  /** Adds or replaces an article, as the watcher does when a file changes. */
  upsert(article: Article): void;
}

/**
 * An app over factory articles: their bodies are held in memory, nothing is read from disk.
 * `now` sets the index's clock (default: the real clock).
 */
export function createTestApp(
  articles: Article[],
  options: { config?: Partial<Config>; now?: () => number; sitemapMaxUrls?: number } = {},
): TestApp {
  const config = createConfig(options.config);
  const index = new ArticleIndex({ now: options.now });
  const contents = new ContentStore({ dir: '/nonexistent', realDir: '/nonexistent', maxBytes: config.maxFileSize });
  for (const article of articles) contents.remember(article);
  index.bulkLoad(articles.map(toMeta));
  const errors: string[] = [];
  const app = createApp({ config, index, contents, logError: (m) => errors.push(m), sitemapMaxUrls: options.sitemapMaxUrls });
  return {
    ...app,
    index,
    contents,
    config,
    errors,
    upsert(article) {
      contents.remember(article);
      index.upsert(toMeta(article));
    },
  };
}

/** An app over a folder of article files, loaded as the server loads them. */
export async function createFolderApp(dir: string, config: Partial<Config> = {}): Promise<TestApp & { loadErrors: string[] }> {
  const full = createConfig({ articlesDir: dir, ...config });
  const { articles, errors, readOptions } = await loadArticles(dir, full.maxFileSize);
  const index = new ArticleIndex();
  const warnings = index.bulkLoad(articles);
  const contents = new ContentStore(readOptions);
  const logged: string[] = [];
  const app = createApp({ config: full, index, contents, logError: (m) => logged.push(m) });
  return {
    ...app,
    index,
    contents,
    config: full,
    errors: logged,
    loadErrors: [...errors, ...warnings].map((e) => `${e.file}: ${e.reason}`),
    upsert(article) {
      contents.remember(article);
      index.upsert(toMeta(article));
    },
  };
}

/** A new empty folder under the system temp folder; remove it with `removeTempDir`. */
export function makeTempDir(prefix = 'tagfeeds-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Removes a folder made by `makeTempDir`, whatever it holds. */
export async function removeTempDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/**
 * Copies the valid fixture articles to `dir` and gives each file its own fixed modification time (one
 * hour apart, in name order), since a checkout sets them to the time of the checkout.
 */
export async function copyValidFixtures(dir: string): Promise<string[]> {
  await cp(FIXTURES.valid, dir, { recursive: true });
  const names = (await readdir(dir)).sort();
  await Promise.all(
    names.map((name, i) => {
      const when = new Date(FIXED_DATE.getTime() - (i + 1) * 3600_000);
      return utimes(join(dir, name), when, when);
    }),
  );
  return names;
}

/** Metadata of factory articles, for the index. */
export function metas(articles: Article[]): ArticleMeta[] {
  return articles.map(toMeta);
}
