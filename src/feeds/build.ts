/** Articles + site metadata -> the format-neutral feed document. */
import { summaryOf, type ArticleImage, type ArticleMeta, type Tag } from '../articles/types.ts';
import { FEED_FORMATS, type FeedDoc, type FeedFormat, type FeedHistory, type FeedItem } from './types.ts';
import type { SiteUrls } from '../urls.ts';

/** The site-wide settings that every feed carries. */
export interface SiteInfo {
  title: string;
  description: string;
  language: string;
  author: string;
  urls: SiteUrls;
  /** The WebSub hubs every subscription feed announces (empty: none). */
  hubs: readonly string[];
}

/** Where a built feed sits among its archives (see archives.ts), with the self URLs of an archive document. */
export interface FeedPlace {
  history: FeedHistory;
  /** An archive document's own URLs; a subscription document's are the feed's. */
  selfUrls?: Record<FeedFormat, string>;
}

/**
 * Builds the feed of the site (no tag) or of one tag, from articles newest first and their bodies. An
 * archive document (`place.history.archive`) announces no hub: it is no WebSub topic, it never changes
 * in the usual case, and only subscription documents are pushed.
 */
export function buildFeed(site: SiteInfo, articles: readonly ArticleMeta[], bodies: readonly string[], tag?: Tag, place?: FeedPlace): FeedDoc {
  const items = toItems(site, articles, bodies);
  const selfUrls = place?.selfUrls ?? (Object.fromEntries(FEED_FORMATS.map((f) => [f, site.urls.feed(f, tag?.key)])) as Record<FeedFormat, string>);
  return {
    title: tag ? `${site.title}: #${tag.label}` : site.title,
    description: tag ? `Articles tagged #${tag.label} on ${site.title}` : site.description,
    language: site.language,
    author: site.author,
    homeUrl: tag ? site.urls.tag(tag.key) : site.urls.home(),
    selfUrls,
    hubs: place?.history.archive ? [] : site.hubs,
    ...(place ? { history: place.history } : {}),
    updated: latestUpdate(articles),
    items,
  };
}

/** What a feed other than the site's or one tag's is about (a tag combination, an author): its own names and URLs. */
export interface FeedSubject {
  title: string;
  description: string;
  /** The HTML page the feed mirrors. */
  homeUrl: string;
  selfUrls: Record<FeedFormat, string>;
}

/**
 * Builds the subscription feed of a subject (no archives: such a feed has no `prev-archive` link), from
 * articles newest first and their bodies; its items are exactly those of the site's and tags' feeds.
 */
export function buildSubjectFeed(site: SiteInfo, subject: FeedSubject, articles: readonly ArticleMeta[], bodies: readonly string[]): FeedDoc {
  return {
    title: subject.title,
    description: subject.description,
    language: site.language,
    author: site.author,
    homeUrl: subject.homeUrl,
    selfUrls: subject.selfUrls,
    hubs: site.hubs,
    updated: latestUpdate(articles),
    items: toItems(site, articles, bodies),
  };
}

function toItems(site: SiteInfo, articles: readonly ArticleMeta[], bodies: readonly string[]): FeedItem[] {
  return articles.map((a, i) => ({
    url: site.urls.article(a.id),
    title: a.title,
    summary: summaryOf(a),
    contentHtml: site.urls.absoluteLinks(bodies[i]!),
    published: a.date,
    updated: a.updated,
    tags: a.tags,
    author: a.author,
    ...(a.image ? { enclosure: { url: imageUrl(site, a.image), type: a.image.type, length: a.image.length } } : {}),
  }));
}

/** The absolute URL of an article's image: a media file's on this site, or the remote URL as given. */
export function imageUrl(site: SiteInfo, image: ArticleImage): string {
  return image.local !== undefined ? site.urls.media(image.local) : image.url!;
}

/** The newest `updated` among articles (the epoch for none), for `Last-Modified` and feed `updated`. */
export function latestUpdate(articles: readonly ArticleMeta[]): Date {
  let latest = 0;
  for (const a of articles) latest = Math.max(latest, a.updated.getTime());
  return new Date(latest);
}
