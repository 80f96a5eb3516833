/**
 * The site's URL layout, in one place: every URL in a feed or page is absolute, built from the public
 * base URL, and path segments (ids, tags) are percent-encoded.
 */
import type { FeedFormat } from './feeds/types.ts';

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
}
