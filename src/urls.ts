/**
 * The site's URL layout, in one place: every URL in a feed or page is absolute, built from the public
 * base URL, and path segments (ids, tags) are percent-encoded.
 */
import type { FeedFormat } from './feeds/types.ts';
import { JOINERS, type CombinationName } from './articles/tag-sets.ts';

/** File name of each feed format, as it appears in URLs. */
export const FEED_FILES: Record<FeedFormat, string> = { rss: 'rss.xml', atom: 'atom.xml', json: 'feed.json' };

/** Builds the site's absolute URLs from its base URL. */
export class SiteUrls {
  readonly base: string;
  constructor(base: string) {
    this.base = base.replace(/\/+$/u, '');
  }
  home(): string {
    return `${this.base}/`;
  }
  article(id: string): string {
    return `${this.base}/articles/${encodeURIComponent(id)}`;
  }
  tags(): string {
    return `${this.base}/tags`;
  }
  tag(key: string): string {
    return `${this.base}/tags/${encodeURIComponent(key)}`;
  }
  opml(): string {
    return `${this.base}/tags.opml`;
  }
  /** A feed of the site (no tag) or of one tag. */
  feed(format: FeedFormat, tagKey?: string): string {
    return tagKey === undefined ? `${this.base}/${FEED_FILES[format]}` : `${this.tag(tagKey)}/${FEED_FILES[format]}`;
  }
  /** The page of a tag combination (`/tags/a+b`, `/tags/a,b`). */
  combination(name: CombinationName): string {
    return `${this.base}/tags/${combinationPathSegment(name)}`;
  }
  /** A feed of a tag combination. */
  combinationFeed(format: FeedFormat, name: CombinationName): string {
    return `${this.combination(name)}/${FEED_FILES[format]}`;
  }
  /** A file of the media folder, by its path inside it (`photo.jpg`, `2024/a.png`), each segment encoded. */
  media(path: string): string {
    return `${this.base}/media/${path.split('/').map(encodeURIComponent).join('/')}`;
  }
  /**
   * An HTML body with its root-relative `href="/…"` and `src="/…"` made absolute. Markdown bodies come
   * out of articles/markdown.ts with relative targets made root-relative, because that layer knows no
   * base URL; every feed and page is built through here, so that every reader resolves them. Text in a
   * body has its quotes escaped, so only real attributes match. The same string when there is nothing
   * to change, so that cached items compare in O(1).
   */
  absoluteLinks(html: string): string {
    if (!html.includes('="/')) return html;
    return html.replace(/(\s(?:href|src)=")\/(?!\/)/gu, `$1${this.base}/`);
  }
  /** The list of authors. */
  authors(): string {
    return `${this.base}/authors`;
  }
  /** An author's page, by slug (articles/authors.ts). */
  author(slug: string): string {
    return `${this.base}/authors/${encodeURIComponent(slug)}`;
  }
  /** A feed of an author. */
  authorFeed(format: FeedFormat, slug: string): string {
    return `${this.author(slug)}/${FEED_FILES[format]}`;
  }
  /** Archive document `n` (from 1, the oldest) of the site's or a tag's feed (RFC 5005 §4). */
  archive(format: FeedFormat, n: number, tagKey?: string): string {
    return `${tagKey === undefined ? this.base : this.tag(tagKey)}/archive/${n}/${FEED_FILES[format]}`;
  }
  /** Page `n` (from 1, the newest) of the home page or of a tag's page; page 1 is the page itself. */
  page(n: number, tagKey?: string): string {
    if (n === 1) return tagKey === undefined ? this.home() : this.tag(tagKey);
    return `${tagKey === undefined ? this.base : this.tag(tagKey)}/page/${n}`;
  }
  /** The sitemap (sitemaps.org), or one child sitemap of the sitemap index. */
  sitemap(n?: number): string {
    return n === undefined ? `${this.base}/sitemap.xml` : `${this.base}/sitemaps/${n}.xml`;
  }
  robots(): string {
    return `${this.base}/robots.txt`;
  }
}

/**
 * The number in an archive or page URL: decimal from 1, without leading zeros (one URL per document);
 * undefined for anything else.
 */
export function parsePageNumber(segment: string): number | undefined {
  if (!/^[1-9][0-9]{0,8}$/u.test(segment)) return undefined;
  return Number(segment);
}

/**
 * The path segment of a tag combination as its URLs spell it, byte for byte: each key encoded, the
 * joiner not. The server answers only this spelling and redirects every other one to it.
 */
export function combinationPathSegment(name: CombinationName): string {
  return name.keys.map(encodeURIComponent).join(JOINERS[name.join]);
}
