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
  /** The article's image or audio: an RSS enclosure, an Atom `rel="enclosure"` link, JSON `image` (audio: an attachment). */
  enclosure?: FeedEnclosure;
}

/** A file attached to an item, its URL absolute. */
export interface FeedEnclosure {
  url: string;
  /** Media type. */
  type: string;
  /** Bytes; 0 when unknown. */
  length: number;
}

/**
 * Where a feed document sits in its feed's history (RFC 5005 §4, "Archived Feeds"), each link in every
 * format (each format's chain links to documents of its own format).
 */
export interface FeedHistory {
  /** This document is an archive document (`<fh:archive/>`), not the subscription document. */
  archive: boolean;
  /** The subscription document (`rel="current"`), on archives. */
  current?: Record<FeedFormat, string>;
  /** The next older archive (`rel="prev-archive"`; JSON Feed `next_url`). */
  prevArchive?: Record<FeedFormat, string>;
  /** The next newer archive (`rel="next-archive"`). */
  nextArchive?: Record<FeedFormat, string>;
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
  /** Its place in the feed's archives, if the feed has any. */
  history?: FeedHistory;
  /** The newest modification among the items; fixed for an empty feed, so output stays deterministic. */
  updated: Date;
  items: FeedItem[];
}
