/**
 * Builds every cacheable response of the site from the index: feeds, pages and the OPML. Knows nothing
 * of HTTP; the app decides when to call it, and the cache keeps what it returns.
 */
import { articleScope, authorScope, AUTHORS_SCOPE, SITE_SCOPE, TAGS_SCOPE, tagScope, type ArticleIndex } from '../articles/article-index.ts';
import type { ContentStore } from '../articles/content.ts';
import type { ArticleMeta } from '../articles/types.ts';
import { archiveCount, archiveHistory, archivePositions, archiveSelfUrls, subscriptionHistory } from '../feeds/archives.ts';
import { buildFeed, buildSubjectFeed, latestUpdate, type FeedSubject, type SiteInfo } from '../feeds/build.ts';
import { renderOpml } from '../feeds/opml.ts';
import { FeedComposer } from '../feeds/compose.ts';
import { FEED_CONTENT_TYPES } from '../feeds/render.ts';
import { FEED_FORMATS, type FeedDoc, type FeedFormat } from '../feeds/types.ts';
import { combinationSegment, combineTags, type CombinationName } from '../articles/tag-sets.ts';
import { renderRobots, renderSitemap, renderSitemapIndex, SITEMAP_MAX_URLS, type SitemapEntry } from '../pages/sitemap.ts';
import { articlePage, authorsPage, homePage, listPage, tagPage, tagsPage } from '../pages/views.ts';
import { prepare, type Prepared } from './prepared.ts';
import type { ResponseCache } from './cache.ts';

const HTML = 'text/html; charset=utf-8';
const OPML = 'text/x-opml; charset=utf-8';
/** The media types of the sitemap and robots.txt. */
export const XML = 'application/xml; charset=utf-8';
export const TEXT = 'text/plain; charset=utf-8';
/** A scope no change touches: responses that depend on no article (robots.txt). */
const FIXED_SCOPE = 'fixed';

/** How many articles each page of the home and tag pages lists. */
export const PAGE_LIMIT = 50;

/** How many pages a list of `total` articles takes (one, empty, for none). */
export function pageCount(total: number): number {
  return Math.max(1, Math.ceil(total / PAGE_LIMIT));
}

/**
 * The `Link` header of a subscription feed: its WebSub hubs and its self URL (WebSub §4, RFC 8288), or
 * none when no hub is announced.
 */
export function feedLinkHeader(hubs: readonly string[], self: string): string | undefined {
  if (hubs.length === 0) return undefined;
  return [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(', ');
}

/** The newest lastmod of some entries (the epoch for none). */
function newest(entries: readonly SitemapEntry[]): Date {
  let latest = 0;
  for (const e of entries) latest = Math.max(latest, e.lastmod.getTime());
  return new Date(latest);
}

/**
 * How archive documents use the item and body caches. `'shared'`: like every feed (a static export,
 * which renders each document once and reuses an article's item across the site's and its tags'
 * archives). A number: their items go to a composer of their own bounded to that many bytes, and the
 * bodies read for them are not kept, so that a crawl of the archives (each read about once) leaves the
 * items and bodies of the polled feeds in place and adds only this bound (bench/RESULTS.md).
 */
export type ArchiveItems = 'shared' | number;

/** The site's responses, cached; see the module comment. */
export class SiteResponses {
  readonly #composer: FeedComposer;
  readonly #archiveComposer: FeedComposer;
  readonly #keepArchiveBodies: boolean;

  constructor(
    private readonly index: ArticleIndex,
    private readonly contents: ContentStore,
    private readonly cache: ResponseCache,
    private readonly site: SiteInfo,
    private readonly feedLimit: number,
    private readonly archiveSize: number,
    itemCacheBytes?: number,
    private readonly sitemapMaxUrls = SITEMAP_MAX_URLS,
    archiveItems: ArchiveItems = 'shared',
  ) {
    this.#composer = new FeedComposer(itemCacheBytes);
    this.#archiveComposer = archiveItems === 'shared' ? this.#composer : new FeedComposer(archiveItems);
    this.#keepArchiveBodies = archiveItems === 'shared';
    index.onChange((scopes) => cache.invalidate(scopes));
  }

  /** A feed of the site (no tag key) or of a tag; undefined for a tag with no public article. */
  feed(format: FeedFormat, tagKey?: string): Prepared | Promise<Prepared | undefined> {
    const scope = tagKey === undefined ? SITE_SCOPE : tagScope(tagKey);
    return this.cache.get(scope, format, async () => {
      const found = this.index.range(tagKey, 0, this.feedLimit);
      if (!found) return undefined;
      const bodies = found.articles.map((a) => this.contents.html(a));
      const history = subscriptionHistory(this.site.urls, tagKey, archiveCount(found.total, this.archiveSize));
      return this.#subscriptionFeed(buildFeed(this.site, found.articles, bodies, found.tag, history && { history }), format);
    });
  }

  /** A subscription feed's response: its items from the composer, and its hub and self links as a header. */
  #subscriptionFeed(doc: FeedDoc, format: FeedFormat): Prepared {
    const prepared = prepare(this.#composer.render(doc, format), FEED_CONTENT_TYPES[format], doc.updated);
    prepared.link = feedLinkHeader(doc.hubs, doc.selfUrls[format]);
    return prepared;
  }

  /**
   * The feed (or, for `'page'`, the page) of a tag combination, by its canonical name
   * (tag-sets.ts): the newest FEED_LIMIT articles (PAGE_LIMIT on the page) that carry every tag, or
   * any. Undefined when an AND names a tag with no article, or no tag of an OR has one. Cached under
   * its own scope and under each tag's, so a change to any of its tags drops it.
   */
  combination(format: FeedFormat | 'page', name: CombinationName): Prepared | Promise<Prepared | undefined> {
    const segment = combinationSegment(name);
    const scopes = [`combination:${segment}`, ...name.keys.map(tagScope)];
    return this.cache.get(scopes, format, async () => {
      const found = combineTags(this.index, name.keys, name.join, format === 'page' ? PAGE_LIMIT : this.feedLimit);
      if (!found) return undefined;
      const labels = name.keys.map((key) => `#${found.known.find((t) => t.key === key)?.label ?? key}`);
      const what = labels.join(name.join === 'and' ? ' + ' : ' or ');
      const subject: FeedSubject = {
        title: `${this.site.title}: ${what}`,
        description: name.join === 'and' ? `Articles tagged ${labels.join(' and ')} on ${this.site.title}` : `Articles tagged ${labels.join(' or ')} on ${this.site.title}`,
        homeUrl: this.site.urls.combination(name),
        selfUrls: Object.fromEntries(FEED_FORMATS.map((f) => [f, this.site.urls.combinationFeed(f, name)])) as Record<FeedFormat, string>,
      };
      if (format === 'page') {
        const lead = `The latest articles tagged ${name.join === 'and' ? labels.join(' and ') : labels.join(' or ')}.`;
        const page = { heading: what, lead, canonical: subject.homeUrl, feedTitle: subject.title, feeds: subject.selfUrls };
        return prepare(listPage(this.site, page, found.articles), HTML, latestUpdate(found.articles));
      }
      return this.#subjectFeed(format, subject, found.articles);
    });
  }

  /**
   * The feed (or, for `'page'`, the page) of an author, by slug: the newest FEED_LIMIT articles
   * (PAGE_LIMIT on the page) whose front-matter `author` has that slug. Undefined for no such author.
   */
  author(format: FeedFormat | 'page', slug: string): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(authorScope(slug), format, async () => {
      const found = this.index.authored(slug, format === 'page' ? PAGE_LIMIT : this.feedLimit);
      if (!found) return undefined;
      const subject: FeedSubject = {
        title: `${this.site.title}: ${found.name}`,
        description: `Articles by ${found.name} on ${this.site.title}`,
        homeUrl: this.site.urls.author(slug),
        selfUrls: Object.fromEntries(FEED_FORMATS.map((f) => [f, this.site.urls.authorFeed(f, slug)])) as Record<FeedFormat, string>,
      };
      if (format === 'page') {
        const lead = `${found.count} ${found.count === 1 ? 'article' : 'articles'}${found.count > PAGE_LIMIT ? `, the latest ${PAGE_LIMIT} here` : ''}.`;
        const page = { heading: found.name, lead, canonical: subject.homeUrl, feedTitle: subject.title, feeds: subject.selfUrls };
        return prepare(listPage(this.site, page, found.articles), HTML, latestUpdate(found.articles));
      }
      return this.#subjectFeed(format, subject, found.articles);
    });
  }

  /** The list of authors, with their article counts. */
  authors(): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(AUTHORS_SCOPE, 'page', async () => {
      const authors = this.index.authors();
      return prepare(authorsPage(this.site, authors), HTML, latestUpdate(authors.map((a) => a.latest)));
    });
  }

  /** A subject's feed in one format, its items from the composer like every feed's. */
  #subjectFeed(format: FeedFormat, subject: FeedSubject, articles: readonly ArticleMeta[]): Prepared {
    return this.#subscriptionFeed(buildSubjectFeed(this.site, subject, articles, articles.map((a) => this.contents.html(a))), format);
  }

  /**
   * Archive document `n` (from 1, the oldest) of the site's feed or a tag's (RFC 5005 §4; see
   * feeds/archives.ts): its ARCHIVE_SIZE articles come from the index by position and their items
   * from the same composer as every feed. Undefined past the last archive or for an unknown tag.
   */
  archive(format: FeedFormat, n: number, tagKey?: string): Prepared | Promise<Prepared | undefined> {
    const scope = tagKey === undefined ? SITE_SCOPE : tagScope(tagKey);
    return this.cache.get(scope, `archive-${n}-${format}`, async () => {
      const { start, end } = archivePositions(n, this.archiveSize);
      const found = this.index.range(tagKey, start, end, 'oldest');
      const archives = found ? archiveCount(found.total, this.archiveSize) : 0;
      if (!found || n > archives) return undefined;
      const bodies = found.articles.map((a) => this.contents.html(a, this.#keepArchiveBodies));
      // The tag's label is taken from the archive's own newest article (range() does so), so that a
      // newer article writing the tag another way changes no archive's bytes.
      const place = { history: archiveHistory(this.site.urls, tagKey, n, archives), selfUrls: archiveSelfUrls(this.site.urls, tagKey, n) };
      const doc = buildFeed(this.site, found.articles, bodies, found.tag, place);
      const prepared = prepare(this.#archiveComposer.render(doc, format), FEED_CONTENT_TYPES[format], doc.updated);
      prepared.archive = true;
      return prepared;
    });
  }

  /** Page `n` (from 1, the newest) of the home page; undefined past the last page. */
  home(n = 1): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(SITE_SCOPE, n === 1 ? 'page' : `page-${n}`, async () => {
      const found = this.index.range(undefined, (n - 1) * PAGE_LIMIT, n * PAGE_LIMIT)!;
      const pages = pageCount(found.total);
      if (n > pages) return undefined;
      return prepare(homePage(this.site, found.articles, { page: n, pages }), HTML, latestUpdate(found.articles));
    });
  }

  /** An article's page; undefined when no public article has that id. */
  article(id: string): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(articleScope(id), 'page', async () => {
      const article = this.index.get(id);
      if (!article) return undefined;
      return prepare(articlePage(this.site, article, this.contents.html(article)), HTML, article.updated);
    });
  }

  /** The list of tags. */
  tags(): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(TAGS_SCOPE, 'page', async () => {
      const tags = this.index.tags();
      return prepare(tagsPage(this.site, tags), HTML, latestUpdate(tags.map((t) => t.latest)));
    });
  }

  /** Page `n` (from 1, the newest) of a tag's page; undefined for a tag with no public article, or past the last page. */
  tag(tagKey: string, n = 1): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(tagScope(tagKey), n === 1 ? 'page' : `page-${n}`, async () => {
      const found = this.index.range(tagKey, (n - 1) * PAGE_LIMIT, n * PAGE_LIMIT);
      if (!found) return undefined;
      const pages = pageCount(found.total);
      if (n > pages) return undefined;
      return prepare(tagPage(this.site, found.tag!, found.total, found.articles, { page: n, pages }), HTML, latestUpdate(found.articles));
    });
  }

  /**
   * The sitemap: the home page, every tag page and every article page, each with the Last-Modified it
   * is served with. With more URLs than one sitemap may list, `/sitemap.xml` is a sitemap index and
   * the URLs are in child sitemaps `n` (from 1); undefined for a child that does not exist. Any public
   * change touches the site scope, so the site scope is the sitemap's.
   */
  sitemap(n?: number): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(SITE_SCOPE, n === undefined ? 'sitemap' : `sitemap-${n}`, async () => {
      const tags = this.index.tags();
      const total = 1 + tags.length + this.index.size;
      const children = Math.ceil(total / this.sitemapMaxUrls);
      if (n === undefined && children <= 1) {
        const entries = this.#sitemapEntries(tags, 0, total);
        return prepare(renderSitemap(entries), XML, newest(entries));
      }
      if (n === undefined) {
        const maps = Array.from({ length: children }, (_, i) => ({
          loc: this.site.urls.sitemap(i + 1),
          lastmod: newest(this.#sitemapEntries(tags, i * this.sitemapMaxUrls, (i + 1) * this.sitemapMaxUrls)),
        }));
        return prepare(renderSitemapIndex(maps), XML, newest(maps));
      }
      if (children <= 1 || n > children) return undefined;
      const entries = this.#sitemapEntries(tags, (n - 1) * this.sitemapMaxUrls, n * this.sitemapMaxUrls);
      return prepare(renderSitemap(entries), XML, newest(entries));
    });
  }

  /** robots.txt: everything allowed, and where the sitemap is. */
  robots(): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(FIXED_SCOPE, 'robots', async () => prepare(renderRobots(this.site.urls.sitemap()), TEXT, new Date(0)));
  }

  /** The sitemap's URLs at positions `[start, end)` of: the home page, the tag pages, the article pages (newest first). */
  #sitemapEntries(tags: readonly { key: string }[], start: number, end: number): SitemapEntry[] {
    const entries: SitemapEntry[] = [];
    const urls = this.site.urls;
    // Each lastmod is the Last-Modified of that page: its first page's articles for home and tags.
    const firstPage = (tagKey?: string) => latestUpdate(this.index.range(tagKey, 0, PAGE_LIMIT)?.articles ?? []);
    if (start === 0 && end > 0) entries.push({ loc: urls.home(), lastmod: firstPage() });
    for (let i = Math.max(start, 1); i < Math.min(end, 1 + tags.length); i++) {
      const key = tags[i - 1]!.key;
      entries.push({ loc: urls.tag(key), lastmod: firstPage(key) });
    }
    const from = Math.max(0, start - 1 - tags.length);
    const to = end - 1 - tags.length;
    if (to > from) for (const a of this.index.range(undefined, from, to)!.articles) entries.push({ loc: urls.article(a.id), lastmod: a.updated });
    return entries;
  }

  /** The OPML list of every tag's feed and every author's. */
  opml(): Prepared | Promise<Prepared | undefined> {
    return this.cache.get([TAGS_SCOPE, AUTHORS_SCOPE], 'opml', async () => {
      const tags = this.index.tags();
      const authors = this.index.authors();
      const updated = latestUpdate([...tags, ...authors].map((t): ArticleMeta => t.latest));
      return prepare(renderOpml(this.site, tags, updated, authors), OPML, updated);
    });
  }
}
