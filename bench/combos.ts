// Tag-combination benchmark (`node --import tsx bench/combos.ts --sizes 10k,100k`): for each corpus
// size, starts our server as `npm start` does (20 items per feed, as bench/run.ts), then measures the
// AND (`/tags/a+b/…`) and the OR (`/tags/a,b/…`) of the corpus's two largest ASCII tags: the first
// render of each format (cold, one request at a time, in ms) and req/s once cached, next to the
// largest tag's own feeds in the same run (alternating rounds, best kept: the machine is shared and
// noisy, so the ratio is the figure to compare).
import { parseArgs } from 'node:util';
import { installChildCleanup } from './lib/child.ts';
import { LOAD_SCRIPT_OPTIONS } from './lib/args.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { fetchOnce } from './lib/http.ts';
import { defaultLoadSettings, runLoad, type LoadFigure, } from './lib/load.ts';
import { FEED_LIMIT, startOurServer, stopServer, waitForFirstFeed } from './lib/server-process.ts';
import { countTags } from './lib/tags.ts';

const FILES = ['rss.xml', 'atom.xml', 'feed.json'];
const log = (line: string) => console.error(line);

/** Fetches each path once, cold, and returns the slowest time to the whole body, in ms. */
async function firstRenderMs(baseUrl: string, paths: string[]): Promise<number> {
  let slowest = 0;
  for (const path of paths) {
    const started = performance.now();
    const res = await fetchOnce(`${baseUrl}${path}`, {}, 120_000);
    if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

async function main(): Promise<void> {
  installChildCleanup();
  const { values } = parseArgs({
    options: {
      ...LOAD_SCRIPT_OPTIONS,
    },
  });
  const settings = defaultLoadSettings(Number(values.connections), Number(values.duration));
  const rows: string[] = [];
  for (const label of values.sizes.split(',')) {
    const corpus = await ensureCorpus(parseSize(label), log);
    const counts = [...(await countTags(corpus))].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
    const [[a, countA], [b, countB]] = [counts[0]!, counts[1]!];
    const [first, second] = [a, b].sort();
    const server = await startOurServer(corpus.dir);
    try {
      await waitForFirstFeed(server, 120_000);
      const classes: Record<string, string[]> = {
        tag: FILES.map((f) => `/tags/${a}/${f}`),
        and: FILES.map((f) => `/tags/${first}+${second}/${f}`),
        or: FILES.map((f) => `/tags/${first},${second}/${f}`),
      };
      const cold = { and: await firstRenderMs(server.baseUrl, classes.and!), or: await firstRenderMs(server.baseUrl, classes.or!), tag: await firstRenderMs(server.baseUrl, classes.tag!) };
      log(`${corpus.label}: #${a} (${countA}) and #${b} (${countB}); first render, slowest format: AND ${cold.and.toFixed(1)} ms, OR ${cold.or.toFixed(1)} ms, tag ${cold.tag.toFixed(1)} ms`);
      const best: Record<string, LoadFigure> = {};
      for (let round = 0; round < 2; round++) {
        for (const id of round === 0 ? ['tag', 'and', 'or'] : ['or', 'and', 'tag']) {
          const figure = await runLoad(server.baseUrl, classes[id]!.map((path) => ({ path })), 200, settings);
          log(`  ${id} (round ${round + 1}): ${Math.round(figure.rps)} req/s, p99 ${figure.p99Ms.toFixed(2)} ms${figure.unexpected ? ` (${figure.unexpected} unexpected: ${figure.detail})` : ''}`);
          if (!best[id] || figure.rps > best[id]!.rps) best[id] = figure;
        }
      }
      const rps = (id: string) => `${Math.round(best[id]!.rps).toLocaleString('en')}${id === 'tag' ? '' : ` (${(best[id]!.rps / best.tag!.rps).toFixed(2)}×)`}`;
      rows.push(`| ${corpus.label} | #${a} (${countA}) + #${b} (${countB}) | ${cold.and.toFixed(1)} ms | ${cold.or.toFixed(1)} ms | ${cold.tag.toFixed(1)} ms | ${rps('tag')} | ${rps('and')} | ${rps('or')} |`);
    } finally {
      await stopServer(server);
    }
  }
  console.log(`\n${settings.tool.name === 'wrk' ? 'wrk -t1' : 'autocannon'} ${settings.connections} connections, ${settings.durationS} s per class (+1 s warm-up), best of 2 alternating rounds; --feed-limit ${FEED_LIMIT}\n`);
  console.log('| corpus | two largest tags | AND first render | OR first render | tag first render | tag req/s | AND req/s (× tag) | OR req/s (× tag) |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
