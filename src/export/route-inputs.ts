/**
 * Every route a static export writes, with its file name and a digest of its inputs: what its bytes are
 * made from, read from the index without rendering anything. An incremental export (export-site.ts)
 * renders only the routes whose digest differs from the one the manifest recorded.
 *
 * Each digest mirrors what `SiteResponses` (server/responses.ts) reads for that route: the articles it
 * shows and the figures it prints (article counts, page and archive counts). An article counts by its
 * file's path, size and modification time: everything the index and the body hold of it is parsed from
 * that file by code the fingerprint covers (image lengths come from media files, covered there too), so
 * this is the change test of make and rsync, and it costs no reading or hashing of metadata. What
 * every route depends on alike (configuration, code) is the export's fingerprint (fingerprint.ts), not
 * part of these. A route missed here, or an input left out, shows as a difference between an
 * incremental export and a fresh one: tests/export/incremental.test.ts compares them byte for byte.
 */
import { hash } from 'node:crypto';
import type { ArticleIndex, ArticleList } from '../articles/article-index.ts';
import type { ArticleMeta } from '../articles/types.ts';
import { archiveCount, archivePositions } from '../feeds/archives.ts';
import { latestUpdate } from '../feeds/build.ts';
import { FEED_FORMATS } from '../feeds/types.ts';
import { PAGE_LIMIT, pageCount } from '../server/responses.ts';
import { SITEMAP_MAX_URLS } from '../pages/sitemap.ts';
import { FEED_FILES } from '../urls.ts';

/** One route of the export. */
export interface ExportRoute {
  /** The request path, percent-encoded as hono's `toSSG` requests it. */
  path: string;
  /** The app's route pattern it is an instance of (`/tags/:tag/rss.xml`), by which threads share the routes (shard.ts). */
  pattern: string;
  /** The file it is written to, relative to the output folder, decoded, with `/` separators. */
  file: string;
  /** A digest of what the route's bytes are made from. */
  inputs: string;
  /** The group it was listed in (a tag's feeds, archives and pages: `tag:{key}`; article pages: `articles:{n}`), if any; see `RouteGroups`. */
  group?: string;
}

/**
 * Groups of routes whose inputs all come from one list: a tag's feeds, archives and pages are made from
 * its articles in order, its label and its count, so one digest of those stands for all of theirs; the
 * article pages, each made from its own article, are listed in groups by id (articleGroup). A
 * re-export after one change lists and hashes again only the groups whose digest changed (a few tags
 * of ~4,500 at 10k articles), and copies the others' files and digests from the manifest.
 */
export interface RouteGroups {
  /** Filled with each group's digest. */
  digests: Map<string, string>;
  /** Whether the last export listed this group with this digest: then its routes are left out of the list. */
  unchanged?: (group: string, digest: string) => boolean;
}

/** What the routes depend on besides the index. */
export interface RouteSettings {
  feedLimit: number;
  archiveSize: number;
  /** Most URLs per sitemap file (default: the protocol's 50,000). */
  sitemapMaxUrls?: number;
}

// crypto.hash, one call per digest: a Hash object per digest (~42k at 10k articles) cost twice the time.
const digest = (parts: readonly (string | number | boolean)[]) => hash('sha1', parts.join('\n'), 'base64url');
// Article digests are joined by the hundred into route digests: 12 characters (72 bits) each keep that short.
const articleDigest = (a: ArticleMeta) => hash('sha1', `${a.file}\n${a.source.size}\n${a.source.mtimeMs}`, 'base64url').slice(0, 12);

/** Groups the article pages are listed in (see articleGroup). */
const ARTICLE_GROUPS = 256;

/** The group of an article's page: FNV-1a of its id, so the same in every export and process. */
function articleGroup(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return (h >>> 0) % ARTICLE_GROUPS;
}

/**
 * The file `toSSG` writes a route to: feeds, the OPML, the sitemap and robots.txt keep their names (their
 * extension is their media type's); an HTML page gets `.html` unless it ends so already (`/` -> `index.html`).
 */
function fileOf(path: string, html: boolean): string {
  // Most paths have no escapes; decoding tens of thousands of them segment by segment shows in the time.
  const decoded = path.includes('%') ? path.split('/').map((s) => decodeURIComponent(s)).join('/').slice(1) : path.slice(1);
  if (!html) return decoded;
  if (path === '/') return 'index.html';
  return decoded.endsWith('.html') ? decoded : `${decoded}.html`;
}

/** Lists every route of the export with its inputs; see the module comment. */
export function listExportRoutes(index: ArticleIndex, settings: RouteSettings, groups?: RouteGroups): ExportRoute[] {
  const { feedLimit, archiveSize } = settings;
  const sitemapMaxUrls = settings.sitemapMaxUrls ?? SITEMAP_MAX_URLS;
  const articleDigests = new Map<ArticleMeta, string>();
  const of = (a: ArticleMeta) => {
    let d = articleDigests.get(a);
    if (d === undefined) articleDigests.set(a, (d = articleDigest(a)));
    return d;
  };
  // `digest([...head, ...articles.map(of)])`, without the arrays: tens of thousands of article digests go into them.
  const digestOf = (head: readonly (string | number | boolean)[], articles: Iterable<ArticleMeta>) => {
    let text = head.join('\n');
    for (const a of articles) text += `\n${of(a)}`;
    return hash('sha1', text, 'base64url');
  };
  const routes: ExportRoute[] = [];
  let group: string | undefined;
  const add = (path: string, pattern: string, html: boolean, parts: (string | number | boolean)[]) => addDigest(path, pattern, html, digest(parts));
  const addDigest = (path: string, pattern: string, html: boolean, inputs: string) =>
    routes.push(group === undefined ? { path, pattern, file: fileOf(path, html), inputs } : { path, pattern, file: fileOf(path, html), inputs, group });

  // A feed and its archives, for the site (`base` '') or a tag (`base` `/tags/{key}`). The subscription
  // document shows the newest FEED_LIMIT and links the newest archive; archive n shows its slice,
  // counted from the oldest, and links the next newer archive when there is one.
  const feedsOf = (tagKey: string | undefined, base: string, label: string) => {
    const at = tagKey === undefined ? '' : '/tags/:tag';
    const newest = index.range(tagKey, 0, feedLimit)!;
    const archives = archiveCount(newest.total, archiveSize);
    // One digest for the three formats of a document: they are made from the same inputs.
    const subscription = digestOf(['feed', label, archives], newest.articles);
    for (const f of FEED_FORMATS) addDigest(`${base}/${FEED_FILES[f]}`, `${at}/${FEED_FILES[f]}`, false, subscription);
    for (let n = 1; n <= archives; n++) {
      const { start, end } = archivePositions(n, archiveSize);
      const slice = index.range(tagKey, start, end, 'oldest')!;
      const parts = digestOf(['archive', n < archives], slice.articles);
      for (const f of FEED_FORMATS) addDigest(`${base}/archive/${n}/${FEED_FILES[f]}`, `${at}/archive/:n/${FEED_FILES[f]}`, false, parts);
    }
  };
  // The paged list of the site or of a tag: page n shows its PAGE_LIMIT articles, the page count and,
  // on a tag's pages, the tag's label and article count.
  const pagesOf = (tagKey: string | undefined, first: string, nth: (n: number) => string, label: string) => {
    const [firstPattern, nthPattern] = tagKey === undefined ? ['/', '/page/:n'] : ['/tags/:tag', '/tags/:tag/page/:n'];
    const total = index.range(tagKey, 0, 0)!.total;
    const pages = pageCount(total);
    for (let n = 1; n <= pages; n++) {
      const found = index.range(tagKey, (n - 1) * PAGE_LIMIT, n * PAGE_LIMIT)!;
      addDigest(n === 1 ? first : nth(n), n === 1 ? firstPattern : nthPattern, true, digestOf(['page', label, total, n, pages], found.articles));
    }
  };

  feedsOf(undefined, '', '');
  pagesOf(undefined, '/', (n) => `/page/${n}`, '');
  const tags = index.tags();
  for (const t of tags) {
    if (groups) {
      group = `tag:${t.key}`;
      const members = index.tagList(t.key)!.articles;
      // Everything feedsOf and pagesOf read for this tag (settings included), so that an equal digest means equal routes.
      const inputs = digestOf(['tag', t.key, t.label, members.length, feedLimit, archiveSize, PAGE_LIMIT], members);
      groups.digests.set(group, inputs);
      if (groups.unchanged?.(group, inputs)) continue;
    }
    const base = `/tags/${encodeURIComponent(t.key)}`;
    // The label shown is the newest article's spelling (in that article's digest too); kept for clarity.
    feedsOf(t.key, base, t.label);
    pagesOf(t.key, base, (n) => `${base}/page/${n}`, t.label);
  }
  group = undefined;
  const all = index.latest(index.size);
  if (groups) {
    // The article pages in ARTICLE_GROUPS groups by their id, which other articles coming and going
    // leave alone: an edit lists again the ~40 pages (at 10k) of its article's group, not all 10k.
    const members: ArticleMeta[][] = Array.from({ length: ARTICLE_GROUPS }, () => []);
    for (const a of all) members[articleGroup(a.id)]!.push(a);
    members.forEach((articles, n) => {
      if (articles.length === 0) return;
      group = `articles:${n}`;
      let text = 'articles';
      for (const a of articles) text += `\n${a.id}\n${of(a)}`;
      const inputs = hash('sha1', text, 'base64url');
      groups.digests.set(group, inputs);
      if (!groups.unchanged?.(group, inputs)) for (const a of articles) addDigest(`/articles/${encodeURIComponent(a.id)}`, '/articles/:id', true, of(a));
    });
    group = undefined;
  } else {
    for (const a of all) addDigest(`/articles/${encodeURIComponent(a.id)}`, '/articles/:id', true, of(a));
  }

  // The lists print each tag's or author's name and count, in their order; the OPML the names and the
  // newest update among the latest articles (its dateModified). An edit that changes none of these,
  // the usual one, renders neither list again (at 10k: /tags 0.4 MB, the OPML 0.9 MB).
  const authors = index.authors();
  add('/tags', '/tags', true, ['tags', ...tags.flatMap((t) => [t.key, t.label, t.count])]);
  const opmlUpdated = latestUpdate([...tags, ...authors].map((t) => t.latest)).getTime();
  add('/tags.opml', '/tags.opml', false, ['opml', opmlUpdated, ...tags.flatMap((t) => [t.key, t.label]), '', ...authors.flatMap((a) => [a.slug, a.name])]);
  add('/authors', '/authors', true, ['authors', ...authors.flatMap((a) => [a.slug, a.name, a.count])]);
  for (const a of authors) {
    const base = `/authors/${encodeURIComponent(a.slug)}`;
    const page = index.authored(a.slug, PAGE_LIMIT)!;
    addDigest(base, '/authors/:author', true, digestOf(['author', page.name, page.count], page.articles));
    const feed = index.authored(a.slug, feedLimit)!;
    const inputs = digestOf(['author-feed', feed.name], feed.articles);
    for (const f of FEED_FORMATS) addDigest(`${base}/${FEED_FILES[f]}`, `/authors/:author/${FEED_FILES[f]}`, false, inputs);
  }

  // The sitemap lists the home page and every tag page with the Last-Modified of their first page,
  // and every article page with its own; past one file's worth of URLs, an index and child sitemaps,
  // which all shift when one URL is added, so they share one digest.
  const firstPage = (list: ArticleList) => {
    let latest = 0;
    for (let i = 0; i < Math.min(list.length, PAGE_LIMIT); i++) latest = Math.max(latest, list.at(i)!.updated.getTime());
    return latest;
  };
  // digest(['sitemap', …]) without the arrays, as digestOf.
  let sitemapText = `sitemap\n${sitemapMaxUrls}\n${firstPage(all)}`;
  for (const t of tags) sitemapText += `\n${t.key}\n${firstPage(index.tagList(t.key)!.articles)}`;
  for (const a of all) sitemapText += `\n${a.id}\n${a.updated.getTime()}`;
  const sitemap = hash('sha1', sitemapText, 'base64url');
  add('/sitemap.xml', '/sitemap.xml', false, [sitemap]);
  const children = Math.ceil((1 + tags.length + all.length) / sitemapMaxUrls);
  if (children > 1) for (let n = 1; n <= children; n++) add(`/sitemaps/${n}.xml`, '/sitemaps/:file', false, [sitemap, n]);
  // robots.txt names the sitemap: only the configuration changes it.
  add('/robots.txt', '/robots.txt', false, ['robots']);
  return routes;
}
