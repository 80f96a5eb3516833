/**
 * The bridge from `feed` 6's JSON Feed 1.0 to JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/):
 * `version`, `authors` arrays instead of `author`, `language`, and ids that are always set.
 */
import type { FeedDoc } from './types.ts';
import { stripForbidden } from './xml-safe.ts';

interface JsonFeed10Item {
  id?: string;
  url?: string;
  author?: { name?: string };
  [key: string]: unknown;
}

/** Rewrites `feed`'s JSON Feed 1.0 text as JSON Feed 1.1, in the same key order as the spec lists. */
export function toJsonFeed11(json10: string, doc: FeedDoc): string {
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
