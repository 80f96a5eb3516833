/**
 * Reading feeds back with parsers that did not write them, and checking that the three formats of one
 * feed say the same thing. Used by the format, HTTP, end-to-end and property tests.
 */
import { expect } from 'vitest';
import { normalizeTag } from '../../src/articles/tags.ts';
import { atomSchemaProblems, feedparse, xmlProblems, type ParsedFeed } from './readers.ts';

/** A JSON Feed 1.1 document, as far as the tests read it. */
export interface JsonFeed {
  version: string;
  title: string;
  home_page_url: string;
  feed_url: string;
  description?: string;
  authors: { name: string }[];
  language: string;
  items: JsonFeedItem[];
  [key: string]: unknown;
}

/** A JSON Feed 1.1 item. */
export interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html: string;
  summary: string;
  tags?: string[];
  date_published: string;
  date_modified: string;
  authors?: { name: string }[];
  [key: string]: unknown;
}

/** An ISO date as feedparser prints it: whole seconds, UTC. */
export function toSecond(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** What the three formats of one feed look like to their readers. */
export interface ReadBack {
  json: JsonFeed;
  rss: ParsedFeed;
  atom: ParsedFeed;
}

/**
 * Checks that the RSS and Atom documents are well-formed (xmllint), that the Atom document is valid
 * against RFC 4287's schema, and that the Universal Feed Parser sees in each of them the same items as
 * the JSON Feed holds: ids, titles, links (permalinks), dates and tags, in the same order.
 */
export async function expectSameFeed(bodies: { rss: string; atom: string; json: string }): Promise<ReadBack> {
  const [rssProblems, atomProblems, schema, rss, atom] = await Promise.all([
    xmlProblems(bodies.rss),
    xmlProblems(bodies.atom),
    atomSchemaProblems(bodies.atom),
    feedparse(bodies.rss),
    feedparse(bodies.atom),
  ]);
  expect(rssProblems, 'RSS is well-formed').toBe('');
  expect(atomProblems, 'Atom is well-formed').toBe('');
  expect(schema, 'Atom is valid against RFC 4287').toBe('');
  const json = JSON.parse(bodies.json) as JsonFeed;
  expectFeedparserAgrees(json, rss, atom);
  return { json, rss, atom };
}

/** The comparison part of `expectSameFeed`, for feeds already read. */
export function expectFeedparserAgrees(json: JsonFeed, rss: ParsedFeed, atom: ParsedFeed): void {
  expect(rss.bozo, `feedparser reads the RSS without complaint: ${rss.bozo_exception}`).toBe(false);
  expect(atom.bozo, `feedparser reads the Atom without complaint: ${atom.bozo_exception}`).toBe(false);
  expect(rss.version).toBe('rss20');
  expect(atom.version).toBe('atom10');
  expect(rss.feed.title).toBe(json.title);
  expect(atom.feed.title).toBe(json.title);

  const expected = json.items.map((item) => ({
    id: item.id,
    title: item.title,
    link: item.url,
    published: toSecond(item.date_published),
    tags: item.tags ?? [],
  }));
  expect(
    // RSS leaves out an empty title (one made only of characters XML cannot carry).
    rss.entries.map((e) => ({ id: e.id, title: e.title ?? '', link: e.link, published: e.published, tags: e.tags })),
    'RSS items as feedparser sees them',
  ).toEqual(expected);
  expect(
    atom.entries.map((e) => ({ id: e.id, title: e.title, link: e.link, published: e.published, tags: e.tag_labels })),
    'Atom entries as feedparser sees them',
  ).toEqual(expected);
  expect(atom.entries.map((e) => e.updated)).toEqual(json.items.map((i) => toSecond(i.date_modified)));
  expect(atom.entries.map((e) => e.tags)).toEqual(json.items.map((i) => (i.tags ?? []).map(normalizeTag)));
}
