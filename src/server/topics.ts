/**
 * The feeds of this site as WebSub topics: which URLs name one (the site's feeds and every tag's, in
 * the three formats), its canonical URL (tags normalised as in requests: `/tags/Venezuela/rss.xml` is
 * the topic `/tags/venezuela/rss.xml`; a tag combination `/tags/B+a/…` is `/tags/a+b/…`; an author's feeds are named by the slug), the index scopes it depends on, and its current version, which
 * is exactly what GET answers (the same cached response).
 */
import { authorScope, SITE_SCOPE, tagScope, type ArticleIndex } from '../articles/article-index.ts';
import { authorSlug } from '../articles/authors.ts';
import { normalizeRequestedTag } from '../articles/tags.ts';
import { combineTags, parseCombination, type CombinationName } from '../articles/tag-sets.ts';
import { FEED_FORMATS, type FeedFormat } from '../feeds/types.ts';
import { FEED_FILES, type SiteUrls } from '../urls.ts';
import type { TopicSource } from '../websub/hub.ts';
import type { TopicVersion } from '../websub/deliveries.ts';
import type { SiteResponses } from './responses.ts';

interface Feed {
  format: FeedFormat;
  tagKey?: string;
  /** A tag combination's feed (tag-sets.ts). */
  combination?: CombinationName;
  /** An author's feed, by slug. */
  author?: string;
}

const FORMAT_OF_FILE = new Map(FEED_FORMATS.map((f) => [FEED_FILES[f], f]));

/**
 * The feeds whose documents a change to these scopes can alter, in every format: the inverse of
 * `FeedTopics.scope` for the feeds that can be listed (the site's, each tag's, each author's; tag
 * combinations are made on request and cannot be). What outside hubs are pinged for.
 */
export function feedsOfScopes(urls: SiteUrls, scopes: Iterable<string>): string[] {
  const feeds: string[] = [];
  for (const scope of scopes) {
    const value = scope.slice(scope.indexOf(':') + 1);
    const feed =
      scope === SITE_SCOPE ? (f: FeedFormat) => urls.feed(f)
      : scope === tagScope(value) ? (f: FeedFormat) => urls.feed(f, value)
      : scope === authorScope(value) ? (f: FeedFormat) => urls.authorFeed(f, value)
      : undefined;
    if (feed) for (const format of FEED_FORMATS) feeds.push(feed(format));
  }
  return feeds;
}

/** The feeds as topics; see the module comment. */
export class FeedTopics implements TopicSource {
  constructor(
    private readonly urls: SiteUrls,
    private readonly index: ArticleIndex,
    private readonly responses: SiteResponses,
  ) {}

  resolve(url: string): { topic: string } | { reason: string } {
    const feed = this.#parse(url);
    if (!feed) return { reason: `hub.topic is not a feed of this site: ${url.slice(0, 200)}` };
    if (feed.author !== undefined) {
      if (!this.index.authored(feed.author, 0)) return { reason: `hub.topic names an author with no article: ${url.slice(0, 200)}` };
      return { topic: this.urls.authorFeed(feed.format, feed.author) };
    }
    if (feed.combination) {
      const { join, keys } = feed.combination;
      if (!combineTags(this.index, keys, join, 0)) return { reason: `hub.topic names a tag combination with no article: ${url.slice(0, 200)}` };
      return { topic: this.urls.combinationFeed(feed.format, feed.combination) };
    }
    if (feed.tagKey !== undefined && !this.index.tagged(feed.tagKey, 1)) return { reason: `hub.topic names a tag with no article: ${url.slice(0, 200)}` };
    return { topic: this.urls.feed(feed.format, feed.tagKey) };
  }

  /**
   * The scopes a topic's feed depends on: the site's, a tag's, or each of a combination's tags (it
   * changes when an article it shows changes, and every such change touches the article's tags).
   */
  scope(topic: string): readonly string[] {
    const feed = this.#parse(topic);
    if (feed?.combination) return feed.combination.keys.map(tagScope);
    if (feed?.author !== undefined) return [authorScope(feed.author)];
    return [feed?.tagKey === undefined ? SITE_SCOPE : tagScope(feed.tagKey)];
  }

  async current(topic: string): Promise<TopicVersion | undefined> {
    const feed = this.#parse(topic);
    if (!feed) return undefined;
    const prepared = await (feed.author !== undefined
      ? this.responses.author(feed.format, feed.author)
      : feed.combination
        ? this.responses.combination(feed.format, feed.combination)
        : this.responses.feed(feed.format, feed.tagKey));
    if (!prepared) return undefined;
    return { topic, etag: prepared.etag, body: prepared.body, contentType: prepared.contentType, link: prepared.link ?? `<${topic}>; rel="self"` };
  }

  /** The feed a URL of this site names, if it names one. */
  #parse(url: string): Feed | undefined {
    const prefix = `${this.urls.base}/`;
    if (!url.startsWith(prefix) || /[?#]/u.test(url)) return undefined;
    const parts = url.slice(prefix.length).split('/');
    const format = FORMAT_OF_FILE.get(parts.at(-1)!);
    if (!format) return undefined;
    if (parts.length === 1) return { format };
    if (parts.length !== 3 || (parts[0] !== 'tags' && parts[0] !== 'authors') || parts[1] === '') return undefined;
    let name: string;
    try {
      name = decodeURIComponent(parts[1]!);
    } catch {
      return undefined;
    }
    if (parts[0] === 'authors') {
      const slug = authorSlug(name);
      return slug === '' ? undefined : { format, author: slug };
    }
    const combination = parseCombination(name);
    if (combination !== undefined) {
      if ('problem' in combination) return undefined;
      return combination.keys.length === 1 ? { format, tagKey: combination.keys[0]! } : { format, combination };
    }
    return { format, tagKey: normalizeRequestedTag(name.startsWith('#') ? name.slice(1) : name) };
  }
}
