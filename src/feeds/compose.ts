/**
 * Feeds assembled from items rendered once. An article shows in the site's feed and in the feed of each
 * of its tags (in 3.1 feeds per format on average at 10k articles), and `feed` writes a whole document at a time, so
 * rendering each feed from scratch writes each item several times over. Here the items a feed needs
 * that are not known yet are rendered by render.ts together, as one feed, cut apart (cut.ts) and kept
 * as UTF-8 bytes; a feed is then its frame with its items' bytes in between. The frame comes from that
 * same render, or, when every item is known, from a render around a small stand-in item.
 * The result is byte for byte what `renderFeed` writes for the whole feed (tests/property compares the
 * two over arbitrary feeds; tests/feeds/compose.test.ts has the cases found by hand).
 *
 * Two facts about `feed` 6's output make this safe: an item's text depends only on the item and the
 * feed's author (the fallback for an item without one), which together are the cache key; and the
 * frame's namespaces depend only on whether some item has a body, so a frame is only taken from a
 * render whose items agree with the feed's on that.
 */
import { LRUCache } from 'lru-cache';
import { cutFeed, ITEM_SEPARATORS, type CutFeed } from './cut.ts';
import { renderFeed, writesBody } from './render.ts';
import type { FeedDoc, FeedFormat, FeedItem } from './types.ts';

/** The item a frame is written with when all items are known: small, so that the frame costs little. */
const STAND_IN: FeedItem = { url: 'https://stand-in.invalid/', title: 'stand-in', summary: '', contentHtml: '', published: new Date(0), updated: new Date(0), tags: [] };
const STAND_IN_WITH_BODY: FeedItem = { ...STAND_IN, contentHtml: '<p>stand-in</p>' };

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
    const withBody = doc.items.some(writesBody);
    // Each item's bytes: from the cache, else from one render of all the items not known yet.
    const bytes = doc.items.map((item) => this.#lookup(item, doc.author)?.bytes[format]);
    const missing = doc.items.filter((_, i) => !bytes[i]);
    let frame: CutFeed | undefined;
    if (missing.length > 0) {
      const cut = cutFeed(renderFeed({ ...doc, items: missing }, format), format, missing.length);
      if (cut && missing.some(writesBody) === withBody) frame = cut;
      let next = 0;
      doc.items.forEach((item, i) => {
        if (bytes[i]) return;
        // Without a cut, a body holds text that looks like an item boundary: each item on its own cuts for certain.
        const text = cut ? cut.items[next++]! : this.#alone(doc, item, format).items[0]!;
        bytes[i] = this.#remember(item, doc.author, format, text);
      });
    }
    frame ??= this.#alone(doc, withBody ? STAND_IN_WITH_BODY : STAND_IN, format);
    const separator = Buffer.from(ITEM_SEPARATORS[format], 'utf8');
    const parts: Buffer[] = [Buffer.from(frame.head, 'utf8')];
    bytes.forEach((item, i) => {
      if (i > 0 && separator.length > 0) parts.push(separator);
      parts.push(item!);
    });
    parts.push(Buffer.from(frame.foot, 'utf8'));
    return Buffer.concat(parts);
  }

  /** The feed with `item` as its only item, cut. */
  #alone(doc: FeedDoc, item: FeedItem, format: FeedFormat): CutFeed {
    return cutFeed(renderFeed({ ...doc, items: [item] }, format), format, 1)!;
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
