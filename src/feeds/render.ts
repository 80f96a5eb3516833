/**
 * Feed document + format -> body text. A feed is a frame (what comes before its items and after them)
 * with its items' text in between, and each part is written here on its own, so that compose.ts can
 * render an item once and reuse it in every feed that shows it.
 *
 * RSS 2.0 and Atom 1.0 are written by hand, and JSON Feed 1.1 with `JSON.stringify`, to exactly the
 * bytes that `feed` 6.0.0 (through xml-js 1.6.11) and the code around it wrote before. That renderer is
 * kept as the oracle in tests/support/feed-oracle.ts; tests/property/feeds.property.test.ts compares the
 * two byte for byte over hostile feeds (controls, `]]>`, `&amp;`, lone surrogates, enclosures, hubs,
 * archives) and tests/feeds/render-oracle.test.ts over the fixture articles. One difference is on
 * purpose: the old renderer fixed Atom enclosure types with a pattern over the whole document, which
 * also rewrote such text inside a body; here only the item's own enclosure link is written.
 *
 * Why by hand: `feed` builds an object tree per document that xml-js then walks, and
 * the items were then cut out of its text again. In a CPU profile of the full export at 10k articles,
 * xml-js alone was 28% of the worker thread's busy time and 14% of the main thread's, and with the
 * cutting and placeholder passes 37% of both threads' (28 s of 76 s); with these feeds written
 * directly (and the export run from a bundle), a full export took 21.5-27.5 s of user CPU against
 * 36.7-40.2 s before, alternated on the same machine (bench/RESULTS.md, 2026-12-02, exportspeed).
 *
 * What the bytes are (each rule is what the oracle's writer did):
 * - Characters XML cannot carry are removed and line ends normalised first (xml-safe.ts), in every
 *   format, so all three say the same.
 * - XML is indented by four spaces a level, one element a line; text is escaped (`&`, `<`, `>`), and
 *   attribute values have `&` and `"` escaped.
 * - RSS item titles and summaries are plain text written the way readers were measured to read them
 *   (rss-text.ts); Atom says `type="text"`. Bodies are CDATA, each `]]>` split across two sections.
 * - Dates come from the articles, never from the clock; each format gets its own self link; items
 *   carry no separate guid/id, so RSS says `isPermaLink="true"` and the Atom id is the permalink; URLs
 *   of items and self links are written as `new URL()` serialises them.
 * - RSS 2.0's `<author>` must be an e-mail address (the W3C validator rejects a bare name), so RSS names
 *   the author with Dublin Core's `dc:creator`, as the validator recommends.
 */
import { mediaTypeOf } from '../articles/media.ts';
import { rssDescriptionXml, rssTitleXml } from './rss-text.ts';
import type { FeedDoc, FeedFormat, FeedItem } from './types.ts';
import { escapeXml, stripForbidden } from './xml-safe.ts';

/** The media type of each format. */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** RFC 5005's namespace, for `<fh:archive/>`. */
export const HISTORY_NAMESPACE = 'http://purl.org/syndication/history/1.0';

/** What goes between two items' text in each format. */
export const ITEM_SEPARATORS: Record<FeedFormat, string> = { rss: '', atom: '', json: ',\n' };

/** What comes before a feed's items and after them: `head + items.join(separator) + foot` is the feed. */
export interface FeedFrame {
  head: string;
  foot: string;
}

/** Renders a feed document in one format. */
export function renderFeed(doc: FeedDoc, format: FeedFormat): string {
  if (format === 'json' && doc.items.length === 0) return `${JSON.stringify(jsonFeed(doc, []), null, 2)}\n`;
  const frame = renderFrame(doc, format, doc.items.some(writesBody));
  return frame.head + doc.items.map((item) => renderItem(item, doc.author, format)).join(ITEM_SEPARATORS[format]) + frame.foot;
}

/** Whether an item is written with a body (an empty one is left out, and RSS's content namespace with it). */
export function writesBody(item: FeedItem): boolean {
  return stripForbidden(item.contentHtml) !== '';
}

/**
 * A feed's frame, for a feed of at least one item. `withBody` says whether some item has a body (only
 * RSS's namespaces depend on it). The frame depends on nothing else of the items.
 */
export function renderFrame(doc: FeedDoc, format: FeedFormat, withBody: boolean): FeedFrame {
  switch (format) {
    case 'rss':
      return rssFrame(doc, withBody);
    case 'atom':
      return atomFrame(doc);
    case 'json':
      return jsonFrame(doc);
  }
}

/**
 * One item's text in a format. It depends only on the item and on `feedAuthor`, the feed's author,
 * which names an item that has none.
 */
export function renderItem(item: FeedItem, feedAuthor: string, format: FeedFormat): string {
  switch (format) {
    case 'rss':
      return rssItem(item, feedAuthor);
    case 'atom':
      return atomItem(item, feedAuthor);
    case 'json':
      return jsonItem(item, feedAuthor);
  }
}

// ---------------------------------------------------------------- XML pieces

const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
const ATOM_NAMESPACE = 'http://www.w3.org/2005/Atom';
const DC_NAMESPACE = 'http://purl.org/dc/elements/1.1/';
const CONTENT_NAMESPACE = 'http://purl.org/rss/1.0/modules/content/';

/** Plain text as XML character data. */
const textXml = (s: string) => escapeXml(stripForbidden(s));
/**
 * A value as the oracle's writer wrote element text it was given unprepared (xml-js's `writeText`):
 * `&amp;` is first read back as `&`, then `&`, `<` and `>` are escaped.
 */
const rawTextXml = (s: string) => escapeXml(s.replaceAll('&amp;', '&'));
/** An attribute value as xml-js writes one: only `"` is escaped, the rest is the caller's. */
const attributeXml = (s: string) => s.replaceAll('"', '&quot;');
/** `&` escaped, as `feed` does to URLs and terms before they reach attributes and text. */
const escapeAmp = (s: string) => s.replaceAll('&', '&amp;');
/** A URL as `feed` writes it: parsed (throws on a bad one) and serialised again. */
const urlOf = (url: string) => new URL(url).toString();
/** A link's attribute value, for the links `feed` could not write (hubs, archives). */
const linkAttribute = (href: string) => escapeXml(href).replaceAll('"', '&quot;');
/** HTML as the text of a CDATA section: each `]]>` ends one section and starts the next. */
const cdataXml = (html: string) => html.replaceAll(']]>', ']]]]><![CDATA[>');

/** A feed-level link beside the self link (WebSub hubs, RFC 5005's archive links). */
interface ChannelLink {
  rel: string;
  href: string;
}

/** A feed's links beside its self link: WebSub hubs, then its place among its archives (RFC 5005 §4). */
function channelLinks(doc: FeedDoc, format: 'rss' | 'atom'): ChannelLink[] {
  const links = doc.hubs.map((href) => ({ rel: 'hub', href }));
  const history = doc.history;
  if (history?.current) links.push({ rel: 'current', href: history.current[format] });
  if (history?.prevArchive) links.push({ rel: 'prev-archive', href: history.prevArchive[format] });
  if (history?.nextArchive) links.push({ rel: 'next-archive', href: history.nextArchive[format] });
  return links;
}

// ---------------------------------------------------------------- RSS 2.0

function rssFrame(doc: FeedDoc, withBody: boolean): FeedFrame {
  // An archive document declares RFC 5005's namespace for `<fh:archive/>` (§4). The content namespace
  // is declared only when some item has a body; dc:creator always needs Dublin Core's.
  const history = doc.history?.archive ? ` xmlns:fh="${HISTORY_NAMESPACE}"` : '';
  const content = withBody ? ` xmlns:content="${CONTENT_NAMESPACE}"` : '';
  let head =
    `${XML_DECLARATION}\n<rss version="2.0"${history} xmlns:dc="${DC_NAMESPACE}"${content} xmlns:atom="${ATOM_NAMESPACE}">\n    <channel>` +
    `\n        <title>${textXml(doc.title)}</title>` +
    `\n        <link>${escapeXml(urlOf(doc.homeUrl))}</link>` +
    `\n        <description>${textXml(doc.description)}</description>` +
    `\n        <lastBuildDate>${doc.updated.toUTCString()}</lastBuildDate>` +
    '\n        <docs>https://validator.w3.org/feed/docs/rss2.html</docs>' +
    '\n        <generator>tagfeeds</generator>' +
    (doc.language ? `\n        <language>${rawTextXml(doc.language)}</language>` : '') +
    `\n        <atom:link href="${attributeXml(escapeAmp(urlOf(doc.selfUrls.rss)))}" rel="self" type="application/rss+xml"/>`;
  for (const link of channelLinks(doc, 'rss')) head += `\n        <atom:link href="${linkAttribute(link.href)}" rel="${link.rel}"/>`;
  if (doc.history?.archive) head += '\n        <fh:archive/>';
  return { head, foot: '\n    </channel>\n</rss>\n' };
}

function rssItem(item: FeedItem, feedAuthor: string): string {
  const title = stripForbidden(item.title);
  const summary = stripForbidden(item.summary);
  const body = stripForbidden(item.contentHtml);
  const link = escapeXml(urlOf(item.url));
  let xml = '\n        <item>';
  // An empty title or summary is left out: RSS 2.0 needs one of the two only (§ "Elements of <item>").
  if (title !== '') xml += `\n            <title>${rssTitleXml(title)}</title>`;
  xml += `\n            <link>${link}</link>\n            <guid isPermaLink="true">${link}</guid>\n            <pubDate>${item.published.toUTCString()}</pubDate>`;
  if (summary !== '') xml += `\n            <description>${rssDescriptionXml(summary)}</description>`;
  if (body !== '') xml += `\n            <content:encoded><![CDATA[${cdataXml(body)}]]></content:encoded>`;
  for (const tag of item.tags) xml += `\n            <category>${textXml(tag.label)}</category>`;
  const e = item.enclosure;
  if (e) xml += `\n            <enclosure length="${attributeXml(String(e.length))}" type="${attributeXml(e.type)}" url="${attributeXml(escapeAmp(urlOf(e.url)))}"/>`;
  return `${xml}\n            <dc:creator>${textXml(item.author ?? feedAuthor)}</dc:creator>\n        </item>`;
}

// ---------------------------------------------------------------- Atom 1.0

/** An element of text, or an empty element for empty text (`<name/>`), at the given indentation. */
const atomText = (indent: string, name: string, xml: string) => (xml === '' ? `\n${indent}<${name}/>` : `\n${indent}<${name}>${xml}</${name}>`);

function atomFrame(doc: FeedDoc): FeedFrame {
  const history = doc.history?.archive ? ` xmlns:fh="${HISTORY_NAMESPACE}"` : '';
  let head =
    `${XML_DECLARATION}\n<feed xmlns="${ATOM_NAMESPACE}"${history}>` +
    atomText('    ', 'id', rawTextXml(doc.homeUrl)) +
    atomText('    ', 'title', textXml(doc.title)) +
    `\n    <updated>${doc.updated.toISOString()}</updated>` +
    '\n    <generator>tagfeeds</generator>' +
    `\n    <author>${atomText('        ', 'name', textXml(doc.author))}\n    </author>` +
    `\n    <link rel="alternate" href="${attributeXml(escapeAmp(urlOf(doc.homeUrl)))}"/>` +
    `\n    <link rel="self" href="${attributeXml(escapeAmp(urlOf(doc.selfUrls.atom)))}"/>`;
  for (const link of channelLinks(doc, 'atom')) head += `\n    <link rel="${link.rel}" href="${linkAttribute(link.href)}"/>`;
  // RFC 4287 §6.4 allows foreign elements such as `<fh:archive/>` in the feed.
  if (doc.history?.archive) head += '\n    <fh:archive/>';
  const description = textXml(doc.description);
  if (description !== '') head += `\n    <subtitle>${description}</subtitle>`;
  return { head, foot: '\n</feed>\n' };
}

function atomItem(item: FeedItem, feedAuthor: string): string {
  const summary = stripForbidden(item.summary);
  const body = stripForbidden(item.contentHtml);
  const url = urlOf(item.url);
  // RFC 4287 requires a title: an empty one is still written.
  let xml = `\n    <entry>\n        <title type="text">${textXml(item.title)}</title>\n        <id>${escapeXml(url)}</id>\n        <link href="${attributeXml(escapeAmp(url))}"/>`;
  const e = item.enclosure;
  if (e) {
    const href = attributeXml(escapeAmp(urlOf(e.url)));
    // The type by the file's extension (RFC 4287 §4.2.7.3); the length is optional (§4.2.7.6): left
    // out when unknown rather than written as 0.
    const type = mediaTypeOf(href.replace(/[?#].*$/u, '')) ?? 'application/octet-stream';
    xml += `\n        <link rel="enclosure" href="${href}" type="${type}"${e.length > 0 ? ` length="${e.length}"` : ''}/>`;
  }
  xml += `\n        <updated>${item.updated.toISOString()}</updated>`;
  if (summary !== '') xml += `\n        <summary type="text">${escapeXml(summary)}</summary>`;
  if (body !== '') xml += `\n        <content type="html"><![CDATA[${cdataXml(body)}]]></content>`;
  xml += `\n        <author>${atomText('            ', 'name', textXml(item.author ?? feedAuthor))}\n        </author>`;
  for (const tag of item.tags) {
    // As `feed` wrote labels: with `&` escaped, and an `&amp;` in the label escaped twice.
    const label = escapeAmp(stripForbidden(tag.label).replaceAll('&amp;', '&amp;amp;'));
    xml += `\n        <category label="${attributeXml(label)}" term="${attributeXml(escapeAmp(tag.key))}"/>`;
  }
  return `${xml}\n        <published>${item.published.toISOString()}</published>\n    </entry>`;
}

// ---------------------------------------------------------------- JSON Feed 1.1

/** The feed's fields, in the order the spec lists them (https://www.jsonfeed.org/version/1.1/). */
function jsonFeed(doc: FeedDoc, items: unknown[]): Record<string, unknown> {
  return {
    version: 'https://jsonfeed.org/version/1.1',
    title: stripForbidden(doc.title),
    home_page_url: doc.homeUrl || undefined,
    feed_url: doc.selfUrls.json || undefined,
    description: stripForbidden(doc.description) || undefined,
    // JSON Feed 1.1 `next_url` pages towards older items: the next older archive document (RFC 5005's
    // prev-archive), so that a JSON client following it reads what RSS and Atom readers read.
    ...(doc.history?.prevArchive ? { next_url: doc.history.prevArchive.json } : {}),
    authors: [{ name: stripForbidden(doc.author) }],
    language: doc.language,
    // JSON Feed 1.1 `hubs`: the WebSub hubs that push this feed.
    ...(doc.hubs.length > 0 ? { hubs: doc.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    items,
  };
}

// `JSON.stringify(_, null, 2)` writes `"items": [`, then each item indented by four spaces, then `]`:
// an item's text is cut from a document that holds only it, the frame from one with a stand-in.
const JSON_ITEM_HEAD = '{\n  "items": [\n'.length;
const JSON_ITEM_FOOT = '\n  ]\n}'.length;
const JSON_STAND_IN = '    0\n  ]\n}';

function jsonFrame(doc: FeedDoc): FeedFrame {
  const text = JSON.stringify(jsonFeed(doc, [0]), null, 2);
  return { head: text.slice(0, text.length - JSON_STAND_IN.length), foot: '\n  ]\n}\n' };
}

function jsonItem(item: FeedItem, feedAuthor: string): string {
  const e = item.enclosure;
  const fields = {
    id: item.url,
    url: item.url || undefined,
    title: stripForbidden(item.title),
    content_html: stripForbidden(item.contentHtml),
    summary: stripForbidden(item.summary),
    image: e?.type.startsWith('image/') ? e.url || undefined : undefined,
    // Audio is no `image`: JSON Feed 1.1 carries it as an attachment, with its type and size.
    ...(e && !e.type.startsWith('image/') ? { attachments: [{ url: e.url, mime_type: e.type, ...(e.length > 0 ? { size_in_bytes: e.length } : {}) }] } : {}),
    date_published: item.published.toISOString(),
    date_modified: item.updated.toISOString(),
    authors: [{ name: stripForbidden(item.author ?? feedAuthor) }],
    tags: item.tags.map((t) => stripForbidden(t.label)).filter((label) => label !== ''),
  };
  const text = JSON.stringify({ items: [fields] }, null, 2);
  return text.slice(JSON_ITEM_HEAD, text.length - JSON_ITEM_FOOT);
}
