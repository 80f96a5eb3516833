/**
 * Cutting a feed as render.ts writes it into its frame (what comes before the items and after them)
 * and the text of each item, for compose.ts. This relies on the shape of `feed` 6's output:
 *
 * - RSS and Atom are written by xml-js, four spaces per level: an item is `\n        <item>…</item>`, an
 *   entry `\n    <entry>…</entry>`, one after the other. What comes before the items is escaped text,
 *   so the first such opening is an item's; bodies are CDATA and may hold the same text, so in a feed of
 *   several items each marker must occur exactly once per item, or the cut is refused.
 * - JSON Feed 1.1 is `JSON.stringify(_, null, 2)` with `items` last (json-feed.ts): quotes inside strings
 *   are escaped and line breaks are `\n` escapes, so `"items": [` and the line `    },` that closes an item
 *   before the next can only be the structure itself.
 *
 * So `feed` is pinned to exactly 6.0.0 in package.json (no `^`): a minor or patch release may change
 * these bytes, and then cuts are refused (each item is written alone: slow) or, worse, items come out
 * unlike the whole render. xml-js is `feed`'s own `^1.6.11` range, held only by package-lock.json.
 * When upgrading either, run tests/feeds/cut.test.ts, tests/feeds/compose.test.ts and the property
 * test that compares composed feeds with whole renders (tests/property/feeds.property.test.ts), and
 * look at xml-js's indentation (four spaces a level, one element a line) and at which JSON Feed keys
 * `feed` writes, leaves out and in what order (json-feed.ts sets the order of the ones it copies).
 */
import type { FeedFormat } from './types.ts';

/** A feed cut into its frame and its items' text; `head + items.join(separator) + foot` is the feed. */
export interface CutFeed {
  head: string;
  items: string[];
  foot: string;
}

/** What goes between two items' text in each format. */
export const ITEM_SEPARATORS: Record<FeedFormat, string> = { rss: '', atom: '', json: ',\n' };

const XML_MARKERS = { rss: { start: '\n        <item>', end: '</item>' }, atom: { start: '\n    <entry>', end: '</entry>' } };
const JSON_ITEMS_START = '"items": [\n';
const JSON_ITEMS_END = '\n  ]\n}';
const JSON_BETWEEN = '\n    },\n    {';

/**
 * Cuts `text`, a feed written with exactly `count` items (at least one). Undefined when the items
 * cannot be told apart for certain (then each can be written, and cut, on its own: a feed of one item
 * always cuts).
 */
export function cutFeed(text: string, format: FeedFormat, count: number): CutFeed | undefined {
  return format === 'json' ? cutJson(text, count) : cutXml(text, XML_MARKERS[format], count);
}

function cutXml(text: string, markers: { start: string; end: string }, count: number): CutFeed | undefined {
  if (count === 1) {
    const start = text.indexOf(markers.start);
    const end = text.lastIndexOf(markers.end) + markers.end.length;
    if (start < 0 || end < start + markers.end.length) throw new Error(`feed output without a recognisable item (${markers.start.trim()})`);
    return { head: text.slice(0, start), items: [text.slice(start, end)], foot: text.slice(end) };
  }
  const starts = occurrences(text, markers.start, count);
  const ends = occurrences(text, markers.end, count);
  if (!starts || !ends) return undefined;
  const items: string[] = [];
  for (let i = 0; i < count; i++) {
    const end = ends[i]! + markers.end.length;
    if (ends[i]! < starts[i]! || (i + 1 < count && starts[i + 1] !== end)) return undefined;
    items.push(text.slice(starts[i], end));
  }
  return { head: text.slice(0, starts[0]), items, foot: text.slice(ends[count - 1]! + markers.end.length) };
}

function cutJson(text: string, count: number): CutFeed | undefined {
  const open = text.indexOf(JSON_ITEMS_START);
  const close = text.lastIndexOf(JSON_ITEMS_END);
  if (open < 0 || close < open) throw new Error('JSON feed output without its items');
  const start = open + JSON_ITEMS_START.length;
  const parts = text.slice(start, close).split(JSON_BETWEEN);
  if (parts.length !== count) return undefined;
  const items = parts.map((part, i) => `${i > 0 ? '    {' : ''}${part}${i < count - 1 ? '\n    }' : ''}`);
  return { head: text.slice(0, start), items, foot: text.slice(close) };
}

/** The positions of `marker` in `text` when it occurs exactly `count` times; else undefined. */
function occurrences(text: string, marker: string, count: number): number[] | undefined {
  const found: number[] = [];
  for (let at = text.indexOf(marker); at >= 0; at = text.indexOf(marker, at + marker.length)) {
    if (found.push(at) > count) return undefined;
  }
  return found.length === count ? found : undefined;
}
