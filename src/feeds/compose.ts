/**
 * Feeds assembled from items rendered once. An article shows in the site's feed and in the feed of each
 * of its tags (in 3.1 feeds per format on average at 10k articles), so rendering each feed whole
 * would write each item several times over. Here each item is rendered by render.ts on its own the
 * first time a feed needs it and kept as UTF-8 bytes; a feed is then its frame (render.ts writes it
 * from the feed alone) with its items' bytes in between. The result is byte for byte what `renderFeed`
 * writes for the whole feed (tests/property compares the two over arbitrary feeds;
 * tests/feeds/compose.test.ts has the cases found by hand).
 *
 * An item's text depends only on the item and the feed's author (the fallback for an item without
 * one), which together are the cache key; the frame depends on the items only through whether some
 * item has a body (RSS's content namespace).
 */
import { LRUCache } from 'lru-cache';
import { ITEM_SEPARATORS, renderFeed, renderFrame, renderItem, writesBody } from './render.ts';
import type { FeedDoc, FeedFormat, FeedItem } from './types.ts';

interface Rendered {
  item: FeedItem;
  author: string;
  bytes: Partial<Record<FeedFormat, Buffer>>;
  size: number;
}

/** Renders feeds from cached items; see the module comment. */
export class FeedComposer {
  readonly #items: LRUCache<string, Rendered>;
  #rendered = 0;

  /**
   * `maxBytes` bounds the bytes of the rendered items kept. Each entry also keeps its item, to compare
   * with the next one asked for; the body text in it is shared with the body store while that holds
   * it, and is never larger than the item's own bytes, so the cache holds at most about twice `maxBytes`.
   * 0 keeps no item (lru-cache wants a positive bound and refuses an entry larger than it; each counts 256 or more).
   */
  constructor(maxBytes = 32 * 1024 * 1024) {
    this.#items = new LRUCache({ maxSize: Math.max(1, maxBytes), sizeCalculation: (r) => r.size });
  }

  /** How many times an item has been rendered: a measure of what the cache saves. */
  get itemsRendered(): number {
    return this.#rendered;
  }

  /** Bytes of rendered items held. */
  get bytes(): number {
    return this.#items.calculatedSize;
  }

  /** The feed in one format, as UTF-8 bytes: the same bytes as `renderFeed(doc, format)`. */
  render(doc: FeedDoc, format: FeedFormat): Buffer {
    if (doc.items.length === 0) return Buffer.from(renderFeed(doc, format), 'utf8');
    const frame = renderFrame(doc, format, format === 'rss' && doc.items.some(writesBody));
    const separator = Buffer.from(ITEM_SEPARATORS[format], 'utf8');
    const parts: Buffer[] = [Buffer.from(frame.head, 'utf8')];
    doc.items.forEach((item, i) => {
      if (i > 0 && separator.length > 0) parts.push(separator);
      parts.push(this.#lookup(item, doc.author)?.bytes[format] ?? this.#remember(item, doc.author, format, renderItem(item, doc.author, format)));
    });
    parts.push(Buffer.from(frame.foot, 'utf8'));
    return Buffer.concat(parts);
  }

  /** The cache entry of this very item (same fields, same fallback author), if there is one. */
  #lookup(item: FeedItem, author: string): Rendered | undefined {
    const entry = this.#items.get(item.url);
    return entry && entry.author === author && sameItem(entry.item, item) ? entry : undefined;
  }

  #remember(item: FeedItem, author: string, format: FeedFormat, text: string): Buffer {
    this.#rendered++;
    const bytes = Buffer.from(text, 'utf8');
    const kept = { ...this.#lookup(item, author)?.bytes, [format]: bytes };
    const size = Object.values(kept).reduce((n, b) => n + b.length, 256);
    // A new entry, never the old one grown: lru-cache 11 counts a size only when a key gets a different
    // value, so setting the same object again would keep its first size and the cache would hold about
    // three times its bound (one format counted of three).
    this.#items.set(item.url, { item, author, bytes: kept, size });
    return bytes;
  }
}

/** Whether two items would be written the same (strings compare in O(1) when they are the same string). */
function sameItem(a: FeedItem, b: FeedItem): boolean {
  return (
    a.url === b.url &&
    a.title === b.title &&
    a.summary === b.summary &&
    a.contentHtml === b.contentHtml &&
    a.author === b.author &&
    a.published.getTime() === b.published.getTime() &&
    a.updated.getTime() === b.updated.getTime() &&
    a.enclosure?.url === b.enclosure?.url &&
    a.enclosure?.type === b.enclosure?.type &&
    a.enclosure?.length === b.enclosure?.length &&
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => t.key === b.tags[i]!.key && t.label === b.tags[i]!.label)
  );
}
