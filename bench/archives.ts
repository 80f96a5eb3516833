// Archive benchmark (`node --import tsx bench/archives.ts --sizes 10k,100k`): for each corpus size,
// starts our server as `npm start` does (20 items per feed and per archive, as bench/run.ts), then
// (a) crawls every archive document of the site and of the largest tag, cold, timing the crawl and
// reading the server's peak RSS (bench/lib/archives.ts, the crawl `npm run bench` runs too), and
// (b) measures req/s of a cached archive document against the site feeds in the same run
// (alternating rounds, best kept): the machine is shared and noisy, so the ratio is the figure to
// compare. `npm run bench` has both in its class table, beside nginx and the floor; this script is
// the quick one, our server only.
import { parseArgs } from 'node:util';
import { crawlArchives, describeCrawl, parseFormats } from './lib/archives.ts';
import { LOAD_SCRIPT_OPTIONS } from './lib/args.ts';
import { installChildCleanup } from './lib/child.ts';
import { archiveClass, FEED_FILES } from './lib/classes.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { fetchOnce } from './lib/http.ts';
import { defaultLoadSettings, runLoad, type LoadFigure } from './lib/load.ts';
import { probeMemory, type MemoryProbe } from './lib/memory.ts';
import { FEED_LIMIT, startOurServer, stopServer, waitForFirstFeed } from './lib/server-process.ts';
import { pickTags } from './lib/tags.ts';

const log = (line: string) => console.error(line);

async function main(): Promise<void> {
  installChildCleanup();
  const { values } = parseArgs({
    options: {
      ...LOAD_SCRIPT_OPTIONS,
      // Which formats of each archive the crawl fetches (a cold archive costs ~0.1 s a format at 100k).
      formats: { type: 'string', default: FEED_FILES.join(',') },
      // The crawl stops after this many seconds (reported as partial).
      'crawl-limit': { type: 'string', default: '1800' },
      // Start the server through bench/lib/memory-probe.ts (with --expose-gc) and print where its
      // memory is after the load and after the crawl.
      probe: { type: 'boolean', default: false },
    },
  });
  if (values.probe) {
    process.env.BENCH_SERVER_ENTRY ??= 'bench/lib/memory-probe.ts';
    process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim();
  }
  const probes: string[] = [];
  const probe = async (label: string, pid: number, output: () => string) => {
    if (!values.probe) return;
    const report: MemoryProbe | undefined = await probeMemory(pid, output);
    const line = `${label}: ${report ? JSON.stringify(report) : 'no report (is BENCH_SERVER_ENTRY the memory probe?)'}`;
    log(`  memory ${line}`);
    probes.push(line);
  };
  const formats = parseFormats(values.formats);
  const settings = defaultLoadSettings(Number(values.connections), Number(values.duration));
  const rows: string[] = [];
  for (const label of values.sizes.split(',')) {
    const corpus = await ensureCorpus(parseSize(label), log);
    const tags = await pickTags(corpus);
    const server = await startOurServer(corpus.dir);
    try {
      const firstFeedMs = await waitForFirstFeed(server, 120_000);
      await probe(`${corpus.label} after load`, server.child.pid, server.child.output);
      log(`${corpus.label}: crawling every archive of the site and #${tags.large.tag}`);
      const crawl = await crawlArchives(server.baseUrl, server.child.pid, tags, formats, Number(values['crawl-limit']));
      log(`  ${describeCrawl(crawl)}`);
      await probe(`${corpus.label} after crawl`, server.child.pid, server.child.output);

      const classes: Record<string, string[]> = { site: FEED_FILES.map((f) => `/${f}`), archive: archiveClass().paths };
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
      const crawled = crawl.documents === crawl.planned ? crawl.planned.toLocaleString('en') : `${crawl.documents.toLocaleString('en')} of ${crawl.planned.toLocaleString('en')}`;
      rows.push(
        `| ${corpus.label} | ${crawled} (${formats.join('/')}: ${crawl.siteArchives} + ${crawl.tagArchives} of #${crawl.tag}) | ${crawl.seconds.toFixed(1)} s (${(crawl.documents / crawl.seconds).toFixed(0)} docs/s, ${(crawl.bytes / 2 ** 20).toFixed(0)} MiB) | ${mib(crawl.peakRssBeforeBytes)} | ${mib(crawl.peakRssBytes)} | ${Math.round(best.site!.rps).toLocaleString('en')} | ${Math.round(best.archive!.rps).toLocaleString('en')} (${(best.archive!.rps / best.site!.rps).toFixed(2)}×) | ${(firstFeedMs / 1000).toFixed(1)} s |`,
      );
    } finally {
      await stopServer(server);
    }
  }
  console.log(`\n${settings.tool.name === 'wrk' ? 'wrk -t1' : 'autocannon'} ${settings.connections} connections, ${settings.durationS} s per class (+1 s warm-up), best of 2 alternating rounds; --feed-limit ${FEED_LIMIT} --archive-size ${FEED_LIMIT}\n`);
  console.log('| corpus | archive documents crawled | crawl, cold | peak RSS before crawl | peak RSS after crawl | site feeds req/s | cached archive req/s (× site) | first feed |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  if (probes.length > 0) console.log(`\nMemory (MiB; bench/lib/memory-probe.ts):\n${probes.map((p) => `  ${p}`).join('\n')}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
