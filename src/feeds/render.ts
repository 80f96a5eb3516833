/**
 * Feed document + format -> body text, with `feed` 6 doing the writing and this layer handling its
 * traps (see xml-safe.ts and json-feed.ts): forbidden characters and `]]>` are handled before it writes;
 * dates come from the articles, never from the clock; each format gets its own self link; Atom titles
 * and summaries are plain text (`type="text"`); items carry no `guid`/`id`, so RSS says
 * `isPermaLink="true"` and the Atom id is the permalink.
 */
import { Feed } from 'feed';
import type { FeedDoc, FeedFormat } from './types.ts';
import { toJsonFeed11 } from './json-feed.ts';
import { cdataText, escapeXml, guardCdata, stripForbidden } from './xml-safe.ts';

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
      // RSS titles and descriptions go out as CDATA; readers take them as text (checked with feedparser).
      return renderRss(doc);
    case 'atom':
      return renderAtom(doc);
    case 'json':
      return toJsonFeed11(toFeed(doc, (s) => stripForbidden(s), (s) => stripForbidden(s)).json1(), doc);
  }
}

function toFeed(doc: FeedDoc, text: (s: string) => string, cdata: (s: string) => string): Feed {
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
    feed.addItem({
      title: cdata(item.title),
      link: item.url,
      date: item.updated,
      published: item.published,
      description: cdata(item.summary),
      content: cdata(item.contentHtml),
      category: item.tags.map((t) => ({ name: text(t.label), term: t.key })),
      author: [{ name: text(item.author ?? doc.author) }],
    });
  }
  return feed;
}

function renderRss(doc: FeedDoc): string {
  return `${toFeed(doc, stripForbidden, (s) => guardCdata(stripForbidden(s))).rss2()}\n`;
}

function renderAtom(doc: FeedDoc): string {
  const xml = toFeed(doc, stripForbidden, (s) => guardCdata(stripForbidden(s))).atom1();
  // `feed` writes entry titles and summaries as CDATA with type="html"; they are plain text.
  return `${xml.replace(
    /<(title|summary) type="html">(<!\[CDATA\[[\s\S]*?\]\]>)<\/\1>/gu,
    (_m, element: string, cdata: string) => `<${element} type="text">${escapeXml(cdataText(cdata))}</${element}>`,
  )}\n`;
}
