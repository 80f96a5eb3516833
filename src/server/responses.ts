/**
 * Builds every cacheable response of the site from the index: feeds, pages and the OPML. Knows nothing
 * of HTTP; the app decides when to call it, and the cache keeps what it returns.
 */
import { articleScope, SITE_SCOPE, TAGS_SCOPE, tagScope, type ArticleIndex } from '../articles/article-index.ts';
import type { ContentStore } from '../articles/content.ts';
import type { ArticleMeta } from '../articles/types.ts';
import { buildFeed, latestUpdate, type SiteInfo } from '../feeds/build.ts';
import { renderOpml } from '../feeds/opml.ts';
import { FeedComposer } from '../feeds/compose.ts';
import { FEED_CONTENT_TYPES } from '../feeds/render.ts';
import type { FeedFormat } from '../feeds/types.ts';
import { articlePage, homePage, tagPage, tagsPage } from '../pages/views.ts';
import { prepare, type Prepared } from './prepared.ts';
import type { ResponseCache } from './cache.ts';

const HTML = 'text/html; charset=utf-8';
const OPML = 'text/x-opml; charset=utf-8';

/** How many articles the home and tag pages list. */
export const PAGE_LIMIT = 50;

/**
 * The `Link` header of a subscription feed: its WebSub hubs and its self URL (WebSub §4, RFC 8288), or
 * none when no hub is announced.
 */
export function feedLinkHeader(hubs: readonly string[], self: string): string | undefined {
  if (hubs.length === 0) return undefined;
  return [...hubs.map((hub) => `<${hub}>; rel="hub"`), `<${self}>; rel="self"`].join(', ');
}

/** The site's responses, cached; see the module comment. */
export class SiteResponses {
  readonly #composer: FeedComposer;

  constructor(
    private readonly index: ArticleIndex,
    private readonly contents: ContentStore,
    private readonly cache: ResponseCache,
    private readonly site: SiteInfo,
    private readonly feedLimit: number,
    itemCacheBytes?: number,
  ) {
    this.#composer = new FeedComposer(itemCacheBytes);
    index.onChange((scopes) => cache.invalidate(scopes));
  }

  /** A feed of the site (no tag key) or of a tag; undefined for a tag with no public article. */
  feed(format: FeedFormat, tagKey?: string): Prepared | Promise<Prepared | undefined> {
    const scope = tagKey === undefined ? SITE_SCOPE : tagScope(tagKey);
    return this.cache.get(scope, format, async () => {
      const found = tagKey === undefined ? { articles: this.index.latest(this.feedLimit), tag: undefined } : this.index.tagged(tagKey, this.feedLimit);
      if (!found) return undefined;
      const bodies = found.articles.map((a) => this.contents.html(a));
      const doc = buildFeed(this.site, found.articles, bodies, found.tag);
      const prepared = prepare(this.#composer.render(doc, format), FEED_CONTENT_TYPES[format], doc.updated);
      prepared.link = feedLinkHeader(doc.hubs, doc.selfUrls[format]);
      return prepared;
    });
  }

  /** The home page. */
  home(): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(SITE_SCOPE, 'page', async () => {
      const articles = this.index.latest(PAGE_LIMIT);
      return prepare(homePage(this.site, articles), HTML, latestUpdate(articles));
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

  /** A tag's page; undefined for a tag with no public article. */
  tag(tagKey: string): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(tagScope(tagKey), 'page', async () => {
      const found = this.index.tagged(tagKey, PAGE_LIMIT);
      if (!found) return undefined;
      return prepare(tagPage(this.site, found.tag, found.count, found.articles), HTML, latestUpdate(found.articles));
    });
  }

  /** The OPML list of every tag's feed. */
  opml(): Prepared | Promise<Prepared | undefined> {
    return this.cache.get(TAGS_SCOPE, 'opml', async () => {
      const tags = this.index.tags();
      const updated = latestUpdate(tags.map((t): ArticleMeta => t.latest));
      return prepare(renderOpml(this.site, tags, updated), OPML, updated);
    });
  }
}
