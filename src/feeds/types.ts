/** The one item model that all three feed formats are rendered from. */
import type { Tag } from '../articles/types.ts';

/** A feed format. */
export type FeedFormat = 'rss' | 'atom' | 'json';

/** Every feed format, in the order pages list them. */
export const FEED_FORMATS: readonly FeedFormat[] = ['rss', 'atom', 'json'];

/** One entry of a feed. Titles and summaries are plain text; `contentHtml` is HTML. */
export interface FeedItem {
  /** The permalink: also the item's id/guid, so it never changes while the base URL does not. */
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  published: Date;
  updated: Date;
  tags: Tag[];
  author?: string;
}

/** A feed, ready to render in any format. */
export interface FeedDoc {
  title: string;
  description: string;
  language: string;
  author: string;
  /** The HTML page this feed mirrors. */
  homeUrl: string;
  /** The URL of this feed in each format (its self links). */
  selfUrls: Record<FeedFormat, string>;
  /** The WebSub hubs this feed is announced on (none: no push), as `rel="hub"` links and JSON `hubs`. */
  hubs: readonly string[];
  /** The newest modification among the items; fixed for an empty feed, so output stays deterministic. */
  updated: Date;
  items: FeedItem[];
}
