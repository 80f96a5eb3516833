/**
 * The archives of a feed (RFC 5005 §4, "Archived Feeds"): which articles each archive document holds
 * and how the documents link to each other. Pure arithmetic over the article count.
 *
 * Archive documents are numbered from the oldest article: archive 1 holds the `size` oldest, archive 2
 * the next `size`, and so on, and only complete pages are archives (`floor(total / size)` of them). The
 * newest `total mod size` articles are in no archive: the subscription document holds them (the
 * configuration makes FEED_LIMIT ≥ ARCHIVE_SIZE). So an article dated now, the usual new article,
 * changes no archive document, and archives can be cached for long. The one exception: the article
 * that completes a page makes a new archive, and the archive before it, until then the newest, gains
 * its `next-archive` link.
 */
import type { SiteUrls } from '../urls.ts';
import { FEED_FORMATS, type FeedFormat, type FeedHistory } from './types.ts';

/** How many archive documents a feed of `total` articles has. */
export function archiveCount(total: number, size: number): number {
  return Math.floor(total / size);
}

/** The positions, counted from the oldest article, that archive `n` (from 1) holds: `[start, end)`. */
export function archivePositions(n: number, size: number): { start: number; end: number } {
  return { start: (n - 1) * size, end: n * size };
}

const eachFormat = (url: (format: FeedFormat) => string) => Object.fromEntries(FEED_FORMATS.map((f) => [f, url(f)])) as Record<FeedFormat, string>;

/** The history of a subscription document: a `prev-archive` link to the newest archive, if there is one. */
export function subscriptionHistory(urls: SiteUrls, tagKey: string | undefined, archives: number): FeedHistory | undefined {
  if (archives === 0) return undefined;
  return { archive: false, prevArchive: eachFormat((f) => urls.archive(f, archives, tagKey)) };
}

/** The history of archive `n` of `archives`: its subscription document and its neighbours. */
export function archiveHistory(urls: SiteUrls, tagKey: string | undefined, n: number, archives: number): FeedHistory {
  return {
    archive: true,
    current: eachFormat((f) => urls.feed(f, tagKey)),
    ...(n > 1 ? { prevArchive: eachFormat((f) => urls.archive(f, n - 1, tagKey)) } : {}),
    ...(n < archives ? { nextArchive: eachFormat((f) => urls.archive(f, n + 1, tagKey)) } : {}),
  };
}

/** The self URLs of archive `n`. */
export function archiveSelfUrls(urls: SiteUrls, tagKey: string | undefined, n: number): Record<FeedFormat, string> {
  return eachFormat((f) => urls.archive(f, n, tagKey));
}
