/**
 * The feed renderer as it was before RSS, Atom and JSON Feed were written by hand (src/feeds/render.ts):
 * `feed` 6.0.0 (xml-js 1.6.11) writes each document, and the code that was around it handles its traps,
 * kept here unchanged (from src/feeds/render.ts and json-feed.ts at 10cfbe5) as the oracle that
 * tests/feeds/render-oracle.test.ts compares the hand-written renderer with, byte for byte.
 *
 * What that code did, in short: forbidden characters and `]]>` are handled before `feed` writes;
 * dates come from the articles; each format gets its own self link; Atom titles and summaries are
 * plain text (`type="text"`), RSS ones are written the way readers were measured to read them
 * (rss-text.ts), through placeholders that `feed` writes as CDATA and that are then replaced; RSS says
 * `isPermaLink="true"` and the Atom id is the permalink; xml-js turns `&amp;` back into `&`, so each is
 * doubled for it to undo; it splits only the first `]]>` of a CDATA section, so the others are split first.
 */
import { randomUUID } from 'node:crypto';
import { Feed } from 'feed';
import { mediaTypeOf } from '../../src/articles/media.ts';
import { HISTORY_NAMESPACE } from '../../src/feeds/render.ts';
import { rssDescriptionXml, rssTitleXml } from '../../src/feeds/rss-text.ts';
import type { FeedDoc, FeedFormat, FeedItem } from '../../src/feeds/types.ts';
import { escapeXml, stripForbidden } from '../../src/feeds/xml-safe.ts';

/**
 * Prepares a string that `feed` will put in a CDATA section: xml-js rewrites the first `]]>` itself
 * (`cdata.replace(']]>', …)`), so every later one is split here, leaving the first for it to split.
 */
function guardCdata(text: string): string {
  const first = text.indexOf(']]>');
  if (first < 0) return text;
  const head = text.slice(0, first + 3);
  return head + text.slice(first + 3).replaceAll(']]>', ']]]]><![CDATA[>');
}

/** Renders a feed document in one format through `feed`, as src/feeds/render.ts did before. */
export function renderWithFeed(doc: FeedDoc, format: FeedFormat): string {
  switch (format) {
    case 'rss':
      return renderRss(doc);
    case 'atom':
      return renderAtom(doc);
    case 'json':
      return toJsonFeed11(toFeed(doc, format, stripForbidden, stripForbidden).json1(), doc);
  }
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

interface JsonFeed10Item {
  id?: string;
  url?: string;
  author?: { name?: string };
  [key: string]: unknown;
}

/** Rewrites `feed`'s JSON Feed 1.0 text as JSON Feed 1.1, in the same key order as the spec lists. */
function toJsonFeed11(json10: string, doc: FeedDoc): string {
  const old = JSON.parse(json10) as { items: JsonFeed10Item[]; [key: string]: unknown };
  const feed = {
    version: 'https://jsonfeed.org/version/1.1',
    title: old.title,
    home_page_url: old.home_page_url,
    feed_url: old.feed_url,
    description: old.description,
    // JSON Feed 1.1 `next_url` pages towards older items: the next older archive document (RFC 5005's
    // prev-archive), so that a JSON client following it reads what RSS and Atom readers read.
    ...(doc.history?.prevArchive ? { next_url: doc.history.prevArchive.json } : {}),
    authors: [{ name: stripForbidden(doc.author) }],
    language: doc.language,
    // JSON Feed 1.1 `hubs`: the WebSub hubs that push this feed.
    ...(doc.hubs.length > 0 ? { hubs: doc.hubs.map((url) => ({ type: 'WebSub', url })) } : {}),
    items: old.items.map((item, i) => {
      const source = doc.items[i]!;
      const { author, id, ...rest } = item;
      return {
        id: id ?? source.url,
        url: rest.url,
        // `feed` leaves out an empty title, and the summary of an item without a body.
        title: rest.title ?? stripForbidden(source.title),
        content_html: rest.content_html,
        summary: rest.summary ?? stripForbidden(source.summary),
        image: rest.image,
        // Audio is no `image`: JSON Feed 1.1 carries it as an attachment, with its type and size.
        ...(source.enclosure && !source.enclosure.type.startsWith('image/')
          ? { attachments: [{ url: source.enclosure.url, mime_type: source.enclosure.type, ...(source.enclosure.length > 0 ? { size_in_bytes: source.enclosure.length } : {}) }] }
          : {}),
        date_published: rest.date_published,
        date_modified: rest.date_modified,
        // `feed` leaves out an empty name; the other formats then say the same empty name.
        authors: [{ name: author?.name ?? stripForbidden(source.author ?? doc.author) }],
        tags: rest.tags,
      };
    }),
  };
  return `${JSON.stringify(feed, null, 2)}\n`;
}
