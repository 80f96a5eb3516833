/**
 * Feed document + format -> body text, with `feed` 6 doing the writing and this layer handling its
 * traps (see xml-safe.ts and json-feed.ts): forbidden characters and `]]>` are handled before it writes;
 * dates come from the articles, never from the clock; each format gets its own self link; Atom titles
 * and summaries are plain text (`type="text"`), RSS ones are written the way readers were measured to
 * read them (rss-text.ts); items carry no `guid`/`id`, so RSS says `isPermaLink="true"` and the Atom
 * id is the permalink.
 */
import { randomUUID } from 'node:crypto';
import { Feed } from 'feed';
import type { FeedDoc, FeedFormat, FeedItem } from './types.ts';
import { toJsonFeed11 } from './json-feed.ts';
import { mediaTypeOf } from '../articles/media.ts';
import { rssDescriptionXml, rssTitleXml } from './rss-text.ts';
import { escapeXml, guardCdata, stripForbidden } from './xml-safe.ts';

/** The media type of each format. */
export const FEED_CONTENT_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** Renders a feed document in one format. */
export function renderFeed(doc: FeedDoc, format: FeedFormat): string {
  switch (format) {
    case 'rss':
      return renderRss(doc);
    case 'atom':
      return renderAtom(doc);
    case 'json':
      return toJsonFeed11(toFeed(doc, format, stripForbidden, stripForbidden).json1(), doc);
  }
}

/** Whether an item is written with a body: `feed` leaves out an empty one (and RSS's content namespace with it). */
export function writesBody(item: FeedItem): boolean {
  return stripForbidden(item.contentHtml) !== '';
}

// xml-js (which `feed` writes XML with) turns `&amp;` in element text back into `&` before escaping it,
// so text such as "AT&amp;T" would reach readers as "AT&T": each `&amp;` is doubled for it to undo.
const xmlText = (s: string) => stripForbidden(s).replaceAll('&amp;', '&amp;amp;');
const xmlCdata = (s: string) => guardCdata(stripForbidden(s));

function toFeed(doc: FeedDoc, format: FeedFormat, text: (s: string) => string, cdata: (s: string) => string): Feed {
  const feed = new Feed({
    id: doc.homeUrl,
    title: text(doc.title),
    description: text(doc.description),
    link: doc.homeUrl,
    language: doc.language,
    updated: doc.updated,
    generator: 'tagfeeds',
    feedLinks: doc.selfUrls,
    author: { name: text(doc.author) },
  });
  for (const item of doc.items) {
    const author = text(item.author ?? doc.author);
    feed.addItem({
      title: cdata(item.title),
      link: item.url,
      date: item.updated,
      published: item.published,
      description: cdata(item.summary),
      content: cdata(item.contentHtml),
      category: item.tags.map((t) => ({ name: text(t.label), term: t.key })),
      ...enclosureOf(item, format),
      // RSS 2.0's <author> must be an e-mail address (the W3C validator rejects a bare name), so RSS
      // names the author with Dublin Core's dc:creator, as the validator recommends.
      ...(format === 'rss' ? { extensions: [{ name: 'dc:creator', objects: { _text: author } }] } : { author: [{ name: author }] }),
    });
  }
  return feed;
}

/**
 * What `feed` 6 is given for an item's enclosure, per format (node_modules/feed/lib/feed.js): RSS
 * `enclosure` writes `<enclosure url length type>` with our length and type; Atom `enclosure` writes
 * `<link rel="enclosure" href type length>` but always with the type `image/<extension>`, which
 * `fixAtomEnclosureTypes` then corrects; JSON Feed `image` writes the item's `image`, for images only
 * (json-feed.ts writes audio as an attachment).
 */
function enclosureOf(item: FeedItem, format: FeedFormat): Record<string, unknown> {
  const e = item.enclosure;
  if (!e) return {};
  if (format === 'rss') return { enclosure: { url: e.url, length: e.length, type: e.type } };
  // Atom's length is optional (RFC 4287 §4.2.7.6): left out when unknown rather than written as 0.
  if (format === 'atom') return { enclosure: { url: e.url, length: e.length > 0 ? e.length : undefined } };
  return e.type.startsWith('image/') ? { image: e.url } : {};
}

/** The media types of `feed`'s Atom enclosure links, which it guesses as `image/<extension>`, made right (RFC 4287 §4.2.7.3). */
function fixAtomEnclosureTypes(xml: string): string {
  if (!xml.includes('rel="enclosure"')) return xml;
  return xml.replace(/(\n {8}<link rel="enclosure" href="([^"]*)") type="image\/[^"]*"/gu, (_whole, start: string, href: string) => {
    const path = href.replace(/[?#].*$/u, '');
    return `${start} type="${mediaTypeOf(path) ?? 'application/octet-stream'}"`;
  });
}

// `feed` writes item titles and summaries as CDATA (RSS) or as CDATA with type="html" (Atom), and
// neither is how they should reach readers. It is given placeholders that no article can contain, then
// each is replaced by its own encoding of the text in one pass (a pattern over the CDATA itself could
// start inside an HTML body that holds such markup). One pattern per format for every render
// (compiling one per nonce cost more than the replacing), the nonce compared in the replacer.
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const RSS_PLACEHOLDER = new RegExp(`<(title|description)><!\\[CDATA\\[(${UUID})-(\\d+)\\]\\]><\\/\\1>`, 'gu');
const ATOM_PLACEHOLDER = new RegExp(`<(title|summary) type="html"><!\\[CDATA\\[(${UUID})-(\\d+)\\]\\]><\\/\\1>`, 'gu');

/**
 * The items with placeholders for their titles and summaries, and a function that writes them back.
 * An empty text stays empty, and `feed` then writes no element for it (RSS titles, all summaries),
 * except an Atom title: `feed` always writes one, and RFC 4287 requires it.
 */
function withPlaceholders(doc: FeedDoc, pattern: RegExp, emptyTitle: boolean, write: (element: string, text: string) => string) {
  const nonce = randomUUID();
  const texts: string[] = [];
  const placeholder = (text: string, keepEmpty = false) => {
    const clean = stripForbidden(text);
    return clean === '' && !keepEmpty ? '' : `${nonce}-${texts.push(clean) - 1}`;
  };
  const items = doc.items.map((item) => ({ ...item, title: placeholder(item.title, emptyTitle), summary: placeholder(item.summary) }));
  const fill = (xml: string) =>
    xml.replace(pattern, (written, element: string, id: string, i: string) => (id === nonce ? write(element, texts[Number(i)]!) : written));
  return { doc: { ...doc, items }, fill };
}

function renderRss(doc: FeedDoc): string {
  const { doc: marked, fill } = withPlaceholders(doc, RSS_PLACEHOLDER, false, (element, text) =>
    `<${element}>${element === 'title' ? rssTitleXml(text) : rssDescriptionXml(text)}</${element}>`,
  );
  const xml = fill(toFeed(marked, 'rss', xmlText, xmlCdata).rss2());
  // `feed` declares the dc namespace only when some item has a body; dc:creator always needs it.
  const rss = xml.replace(/<rss version="2\.0"(?![^>]*xmlns:dc=)/u, '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"');
  return `${addChannelLinks(rss, 'rss', channelLinks(doc, 'rss'), doc.history?.archive)}\n`;
}

/** A feed-level link that `feed` cannot write (it takes one hub at most, and no other rel). */
interface ChannelLink {
  rel: string;
  href: string;
}

/** RFC 5005's namespace, for `<fh:archive/>`. */
export const HISTORY_NAMESPACE = 'http://purl.org/syndication/history/1.0';

/** A feed's links beside its self link: WebSub hubs, then its place among its archives (RFC 5005 §4). */
function channelLinks(doc: FeedDoc, format: 'rss' | 'atom'): ChannelLink[] {
  const links = doc.hubs.map((href) => ({ rel: 'hub', href }));
  const history = doc.history;
  if (history?.current) links.push({ rel: 'current', href: history.current[format] });
  if (history?.prevArchive) links.push({ rel: 'prev-archive', href: history.prevArchive[format] });
  if (history?.nextArchive) links.push({ rel: 'next-archive', href: history.nextArchive[format] });
  return links;
}

const attribute = (text: string) => escapeXml(text).replaceAll('"', '&quot;');

/**
 * Adds feed-level links right after the feed's self link, in the layout xml-js writes: RSS
 * `<atom:link>` in the channel (the atom namespace is declared for the self link), Atom `<link>`. The
 * self link comes before any item, in text that is escaped, so its first occurrence is the feed's own.
 * An archive document also gets `<fh:archive/>` after the links, with its namespace declared on the
 * root element (RFC 5005 §4; Atom allows such foreign elements in the feed, RFC 4287 §6.4).
 */
function addChannelLinks(xml: string, format: 'rss' | 'atom', links: readonly ChannelLink[], archive = false): string {
  if (links.length === 0 && !archive) return xml;
  const self = format === 'rss' ? ' rel="self" type="application/rss+xml"/>' : '<link rel="self" href="';
  let at = xml.indexOf(self);
  if (at < 0) throw new Error(`feed output without its ${format} self link`);
  at = xml.indexOf('>', at) + 1;
  const written = links.map((l) =>
    format === 'rss' ? `\n        <atom:link href="${attribute(l.href)}" rel="${l.rel}"/>` : `\n    <link rel="${l.rel}" href="${attribute(l.href)}"/>`,
  );
  if (!archive) return xml.slice(0, at) + written.join('') + xml.slice(at);
  written.push(format === 'rss' ? '\n        <fh:archive/>' : '\n    <fh:archive/>');
  // The root's start tag is the first one after the XML declaration, before any escaped text.
  const root = format === 'rss' ? '<rss version="2.0"' : '<feed xmlns="http://www.w3.org/2005/Atom"';
  const rootAt = xml.indexOf(root);
  if (rootAt < 0 || rootAt > at) throw new Error(`feed output without its ${format} root element`);
  const declared = rootAt + root.length;
  return `${xml.slice(0, declared)} xmlns:fh="${HISTORY_NAMESPACE}"${xml.slice(declared, at)}${written.join('')}${xml.slice(at)}`;
}

function renderAtom(doc: FeedDoc): string {
  // Atom can say "plain text": `type="text"`, with the text escaped.
  const { doc: marked, fill } = withPlaceholders(doc, ATOM_PLACEHOLDER, true, (element, text) => `<${element} type="text">${escapeXml(text)}</${element}>`);
  const xml = addChannelLinks(fixAtomEnclosureTypes(fill(toFeed(marked, 'atom', xmlText, xmlCdata).atom1())), 'atom', channelLinks(doc, 'atom'), doc.history?.archive);
  return `${xml}\n`;
}
