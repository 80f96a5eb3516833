// Archive benchmark (`node --import tsx bench/archives.ts --sizes 10k,100k`): for each corpus size,
// starts our server as `npm start` does (20 items per feed and per archive, as bench/run.ts), then
// (a) crawls every archive document of the site and of the largest tag in the three formats, cold,
// timing the crawl and reading the server's peak RSS, and (b) measures req/s of a cached archive
// document against the site feeds in the same run (alternating rounds, best kept): the machine is
// shared and noisy, so the ratio is the figure to compare.
import { parseArgs } from 'node:util';
import { installChildCleanup } from './lib/child.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { fetchOnce } from './lib/http.ts';
import { defaultLoadSettings, runLoad, type LoadFigure, } from './lib/load.ts';
import { readPeakRss } from './lib/memory.ts';
import { FEED_LIMIT, startOurServer, stopServer, waitForFirstFeed } from './lib/server-process.ts';
import { pickTags } from './lib/tags.ts';

const FILES = ['rss.xml', 'atom.xml', 'feed.json'];
/** Requests in flight during the crawl: a crawler with a few connections. */
const CRAWL_CONCURRENCY = 4;
const log = (line: string) => console.error(line);

/** The number of archives of a feed, from its JSON Feed's next_url (the newest archive). */
async function archiveCountOf(baseUrl: string, feedPath: string): Promise<number> {
  const res = await fetchOnce(`${baseUrl}${feedPath}`, {}, 120_000);
  const next = (JSON.parse(res.body.toString('utf8')) as { next_url?: string }).next_url;
  const match = next ? /\/archive\/(\d+)\/feed\.json$/u.exec(next) : null;
  return match ? Number(match[1]) : 0;
}

/** GETs every path, `CRAWL_CONCURRENCY` at a time; throws on anything but 200. Returns the bytes read. */
async function crawl(baseUrl: string, paths: string[]): Promise<number> {
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++]!;
      const res = await fetchOnce(`${baseUrl}${path}`, {}, 120_000);
      if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
      bytes += res.body.length;
    }
  };
  await Promise.all(Array.from({ length: CRAWL_CONCURRENCY }, worker));
  return bytes;
}

async function main(): Promise<void> {
  installChildCleanup();
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '10k,100k' },
      duration: { type: 'string', default: '5' },
      connections: { type: 'string', default: '32' },
      // Which formats of each archive the crawl fetches (a cold archive costs ~0.1 s a format at 100k).
      formats: { type: 'string', default: FILES.join(',') },
    },
  });
  const formats = values.formats.split(',');
  if (formats.some((f) => !FILES.includes(f))) throw new Error(`--formats: expected some of ${FILES.join(',')}`);
  const settings = defaultLoadSettings(Number(values.connections), Number(values.duration));
  const rows: string[] = [];
  for (const label of values.sizes.split(',')) {
    const corpus = await ensureCorpus(parseSize(label), log);
    const tags = await pickTags(corpus);
    const server = await startOurServer(corpus.dir);
    try {
      const firstFeedMs = await waitForFirstFeed(server, 120_000);
      const tagBase = `/tags/${encodeURIComponent(tags.large.tag)}`;
      const site = await archiveCountOf(server.baseUrl, '/feed.json');
      const large = await archiveCountOf(server.baseUrl, `${tagBase}/feed.json`);
      const paths = [
        ...Array.from({ length: site }, (_, i) => formats.map((f) => `/archive/${site - i}/${f}`)).flat(),
        ...Array.from({ length: large }, (_, i) => formats.map((f) => `${tagBase}/archive/${large - i}/${f}`)).flat(),
      ];
      log(`${corpus.label}: crawling ${paths.length} archive documents (${site} site archives, ${large} of #${tags.large.tag})`);
      const started = performance.now();
      const bytes = await crawl(server.baseUrl, paths);
      const crawlS = (performance.now() - started) / 1000;
      const peak = readPeakRss(server.child.pid);
      log(`  crawled in ${crawlS.toFixed(1)} s, peak RSS ${peak === undefined ? 'n/a' : (peak / 2 ** 20).toFixed(0)} MiB`);

      const classes: Record<string, string[]> = { site: FILES.map((f) => `/${f}`), archive: FILES.map((f) => `/archive/1/${f}`) };
      for (const p of Object.values(classes).flat()) await fetchOnce(`${server.baseUrl}${p}`, {}, 60_000);
      const best: Record<string, LoadFigure> = {};
      for (let round = 0; round < 2; round++) {
        for (const id of round === 0 ? ['site', 'archive'] : ['archive', 'site']) {
          const figure = await runLoad(server.baseUrl, classes[id]!.map((path) => ({ path })), 200, settings);
          log(`  ${id} (round ${round + 1}): ${Math.round(figure.rps)} req/s, p99 ${figure.p99Ms.toFixed(2)} ms${figure.unexpected ? ` (${figure.unexpected} unexpected: ${figure.detail})` : ''}`);
          if (!best[id] || figure.rps > best[id]!.rps) best[id] = figure;
        }
      }
      log(`  best: site ${Math.round(best.site!.rps)} req/s, archive ${Math.round(best.archive!.rps)} req/s (${(best.archive!.rps / best.site!.rps).toFixed(2)}×)`);
      const mib = (n: number | undefined) => (n === undefined ? 'n/a' : `${(n / 2 ** 20).toFixed(0)} MiB`);
      rows.push(
        `| ${corpus.label} | ${paths.length.toLocaleString('en')} (${formats.join('/')}: ${site} + ${large} of #${tags.large.tag}) | ${crawlS.toFixed(1)} s (${(paths.length / crawlS).toFixed(0)} docs/s, ${(bytes / 2 ** 20).toFixed(0)} MiB) | ${mib(peak)} | ${Math.round(best.site!.rps).toLocaleString('en')} | ${Math.round(best.archive!.rps).toLocaleString('en')} (${(best.archive!.rps / best.site!.rps).toFixed(2)}×) | ${(firstFeedMs / 1000).toFixed(1)} s |`,
      );
    } finally {
      await stopServer(server);
    }
  }
  console.log(`\n${settings.tool.name === 'wrk' ? 'wrk -t1' : 'autocannon'} ${settings.connections} connections, ${settings.durationS} s per class (+1 s warm-up), best of 2 alternating rounds; --feed-limit ${FEED_LIMIT} --archive-size ${FEED_LIMIT}\n`);
  console.log('| corpus | archive documents crawled | crawl, cold | peak RSS | site feeds req/s | cached archive req/s (× site) | first feed |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
