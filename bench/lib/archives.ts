/**
 * The archive crawl (RFC 5005 archives and JSON Feed paging): every archive document of the site and
 * of the largest tag, fetched cold by a crawler with a few connections, timed, with the server's peak
 * RSS read after it. Used by `npm run bench` (bench/run.ts) and `bench/archives.ts`.
 */
import { fetchOnce } from './http.ts';
import { readPeakRss } from './memory.ts';
import type { TagPick } from './tags.ts';
import { FEED_FILES } from './classes.ts';

/** Requests in flight during the crawl: a crawler with a few connections. */
const CRAWL_CONCURRENCY = 4;
/** Longest wait for one archive document (a cold one costs 15–100 ms per format at 100k). */
const DOCUMENT_TIMEOUT_MS = 120_000;

/** What one crawl measured. */
export interface CrawlFigure {
  /** Documents fetched (all of `planned` unless the time bound stopped the crawl). */
  documents: number;
  planned: number;
  siteArchives: number;
  tagArchives: number;
  tag: string;
  formats: string[];
  seconds: number;
  bytes: number;
  /** The server's VmHWM just before the crawl and just after it. */
  peakRssBeforeBytes?: number;
  peakRssBytes?: number;
}

/** The number of archives of a feed, from its JSON Feed's next_url (the newest archive). */
export async function archiveCountOf(baseUrl: string, feedPath: string): Promise<number> {
  const res = await fetchOnce(`${baseUrl}${feedPath}`, {}, DOCUMENT_TIMEOUT_MS);
  const next = (JSON.parse(res.body.toString('utf8')) as { next_url?: string }).next_url;
  const match = next ? /\/archive\/(\d+)\/feed\.json$/u.exec(next) : null;
  return match ? Number(match[1]) : 0;
}

/** Checks a `--formats`-style list against the three feed files. */
export function parseFormats(text: string): string[] {
  const formats = text.split(',').filter(Boolean);
  if (formats.length === 0 || formats.some((f) => !(FEED_FILES as readonly string[]).includes(f))) {
    throw new Error(`archive formats: expected some of ${FEED_FILES.join(',')}, got "${text}"`);
  }
  return formats;
}

/**
 * GETs every path, `CRAWL_CONCURRENCY` at a time, until done or `deadline` (performance.now());
 * throws on anything but 200. Returns the documents and bytes read.
 */
async function crawl(baseUrl: string, paths: string[], deadline: number): Promise<{ documents: number; bytes: number }> {
  let next = 0;
  let bytes = 0;
  let documents = 0;
  const worker = async () => {
    while (next < paths.length && performance.now() < deadline) {
      const path = paths[next++]!;
      const res = await fetchOnce(`${baseUrl}${path}`, {}, DOCUMENT_TIMEOUT_MS);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      bytes += res.body.length;
      documents++;
    }
  };
  await Promise.all(Array.from({ length: CRAWL_CONCURRENCY }, worker));
  return { documents, bytes };
}

/**
 * Crawls every archive document of the site and of `tags.large`, newest first, in `formats`, for at
 * most `timeLimitS` seconds; `pid` is the server's, for its peak RSS.
 */
export async function crawlArchives(baseUrl: string, pid: number, tags: TagPick, formats: string[], timeLimitS: number): Promise<CrawlFigure> {
  const tagBase = `/tags/${encodeURIComponent(tags.large.tag)}`;
  const site = await archiveCountOf(baseUrl, '/feed.json');
  const large = await archiveCountOf(baseUrl, `${tagBase}/feed.json`);
  const newestFirst = (count: number, base: string) => Array.from({ length: count }, (_, i) => formats.map((f) => `${base}/archive/${count - i}/${f}`)).flat();
  const paths = [...newestFirst(site, ''), ...newestFirst(large, tagBase)];
  const peakRssBeforeBytes = readPeakRss(pid);
  const started = performance.now();
  const { documents, bytes } = await crawl(baseUrl, paths, started + timeLimitS * 1000);
  const seconds = (performance.now() - started) / 1000;
  return { documents, planned: paths.length, siteArchives: site, tagArchives: large, tag: tags.large.tag, formats, seconds, bytes, peakRssBeforeBytes, peakRssBytes: readPeakRss(pid) };
}

/** One line about a crawl, for the log and the notes. */
export function describeCrawl(c: CrawlFigure): string {
  const mib = (n: number | undefined) => (n === undefined ? 'n/a' : `${(n / 2 ** 20).toFixed(0)} MiB`);
  const done = c.documents === c.planned ? `${c.documents}` : `${c.documents} of ${c.planned} (stopped by the time limit)`;
  return `crawled ${done} archive documents (${c.formats.join('/')}: ${c.siteArchives} site archives + ${c.tagArchives} of #${c.tag}) in ${c.seconds.toFixed(1)} s `
    + `(${(c.documents / c.seconds).toFixed(0)} docs/s, ${mib(c.bytes)} read); peak RSS ${mib(c.peakRssBeforeBytes)} before, ${mib(c.peakRssBytes)} after`;
}
