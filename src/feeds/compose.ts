/**
 * Feeds assembled from items rendered once. An article shows in the site's feed and in the feed of each
 * of its tags (three per tag at 10k articles), and `feed` writes a whole document at a time, so
 * rendering each feed from scratch writes each item several times over. Here each item is rendered by
 * render.ts as a feed of that one item, cut out of it, and kept as UTF-8 bytes; a feed is then its frame
 * (render.ts's output for the feed with a small stand-in item) with the items' bytes in place of it.
 * The result is byte for byte what `renderFeed` writes for the whole feed (tests/property compares the
 * two over arbitrary feeds; tests/feeds/compose.test.ts has the cases found by hand).
 *
 * Two facts about `feed` 6's output make the cut safe: an item's text depends only on the item and the
 * feed's author (the fallback for an item without one), which together are the cache key; and the
 * frame's namespaces depend only on whether some item has a body, so the stand-in has one when some
 * item has one.
 */
import { LRUCache } from 'lru-cache';
import { renderFeed, writesBody } from './render.ts';
import type { FeedDoc, FeedFormat, FeedItem } from './types.ts';

/** Where an item's text sits in a feed written with exactly one item, and what goes between items. */
interface Cut {
  /** The item starts at the first occurrence of `start` (nothing before the items can contain it)… */
  start: string;
  /** …and ends at the last occurrence of `end`… */
  end: string;
  /** …both markers included in the item's text (XML elements) or both left out (the JSON array). */
  inclusive: boolean;
  separator: string;
}

// `feed` writes XML with xml-js, four spaces per level; the frame's header holds only escaped text, so
// the first `<item>`/`<entry>` at item depth is the item's. JSON Feed 1.1 text is JSON.stringify(_, null,
// 2) with `items` last (json-feed.ts); quotes inside strings are escaped, so `"items": [` is the key.
const CUTS: Record<FeedFormat, Cut> = {
  rss: { start: '\n        <item>', end: '</item>', inclusive: true, separator: '' },
  atom: { start: '\n    <entry>', end: '</entry>', inclusive: true, separator: '' },
  json: { start: '"items": [\n', end: '\n  ]\n}', inclusive: false, separator: ',\n' },
};

/** The item a frame is written with: small, so that writing the frame costs little. */
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

  /** `maxBytes` bounds the rendered items kept (their bytes, not the article text they share). */
  constructor(maxBytes = 32 * 1024 * 1024) {
    this.#items = new LRUCache({ maxSize: maxBytes, sizeCalculation: (r) => r.size });
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
    const cut = CUTS[format];
    // The frame is written around a stand-in item, with a body when some item has one so that it
    // declares what such items need (RSS's content namespace); the stand-in is then cut out.
    const frame = renderFeed({ ...doc, items: [doc.items.some(writesBody) ? STAND_IN_WITH_BODY : STAND_IN] }, format);
    const [start, end] = itemBounds(frame, cut);
    const separator = Buffer.from(cut.separator, 'utf8');
    const parts: Buffer[] = [Buffer.from(frame.slice(0, start), 'utf8')];
    doc.items.forEach((item, i) => {
      if (i > 0 && separator.length > 0) parts.push(separator);
      parts.push(this.#item(item, doc, format));
    });
    parts.push(Buffer.from(frame.slice(end), 'utf8'));
    return Buffer.concat(parts);
  }

  /** The bytes of one item in `format`, rendered the first time. */
  #item(item: FeedItem, doc: FeedDoc, format: FeedFormat): Buffer {
    const known = this.#lookup(item, doc.author)?.bytes[format];
    if (known) return known;
    const alone = renderFeed({ ...doc, items: [item] }, format);
    const [start, end] = itemBounds(alone, CUTS[format]);
    return this.#remember(item, doc.author, format, alone.slice(start, end));
  }

  /** The cache entry of this very item (same fields, same fallback author), if there is one. */
  #lookup(item: FeedItem, author: string): Rendered | undefined {
    const entry = this.#items.get(item.url);
    return entry && entry.author === author && sameItem(entry.item, item) ? entry : undefined;
  }

  #remember(item: FeedItem, author: string, format: FeedFormat, text: string): Buffer {
    this.#rendered++;
    const bytes = Buffer.from(text, 'utf8');
    const entry = this.#lookup(item, author);
    if (entry) {
      entry.bytes[format] = bytes;
      entry.size += bytes.length;
      // Setting the entry again makes the cache count its new size.
      this.#items.set(item.url, entry);
    } else {
      this.#items.set(item.url, { item, author, bytes: { [format]: bytes }, size: bytes.length + 256 });
    }
    return bytes;
  }
}

/** Start and end of the one item in `text`, a feed written with exactly one item. */
function itemBounds(text: string, cut: Cut): [number, number] {
  const start = text.indexOf(cut.start);
  const last = text.lastIndexOf(cut.end);
  if (start < 0 || last < start) throw new Error(`feed output without a recognisable item (${cut.start.trim()})`);
  return cut.inclusive ? [start, last + cut.end.length] : [start + cut.start.length, last];
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
    a.tags.length === b.tags.length &&
    a.tags.every((t, i) => t.key === b.tags[i]!.key && t.label === b.tags[i]!.label)
  );
}
