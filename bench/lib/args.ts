import { parseArgs } from 'node:util';
import { parseFormats } from './archives.ts';
import { parseSize, type CorpusSize } from './corpus.ts';
import type { LoadSettings } from './load.ts';
import { findWrk } from './wrk.ts';

/** Benchmark options from the command line. */
export interface BenchOptions {
  sizes: CorpusSize[];
  load: LoadSettings;
  /** Rounds of every load class on every server, alternated; each server keeps its best (measure-size.ts). */
  rounds: number;
  /** Pairs of our server and the floor, each started afresh; the floor ratios are the median pair's (measure-size.ts). */
  instances: number;
  /** Write raw results as JSON to this file. */
  json?: string;
  /** Exit with status 1 when a target is missed. */
  strict: boolean;
  /** The archive crawl: at which corpus sizes (by article count), in which formats, for how long at most. */
  crawl: CrawlOptions;
}

/** See `BenchOptions.crawl`. */
export interface CrawlOptions {
  counts: number[];
  formats: string[];
  timeLimitS: number;
}

/** Usage text for --help. */
export const USAGE = `usage: npm run bench -- [options]
  --sizes LIST        corpus sizes, comma-separated (default 1k,10k,100k)
  --duration S        measured seconds per load class and server (default 5)
  --warmup S          unmeasured warm-up seconds before each run (default 1; 0 = none)
  --connections N     concurrent connections (default 32)
  --rounds N          rounds of each load class on every server, in alternating order; each server
                      keeps its best round (default 2, at most 10; more rounds steady the ratios on
                      a noisy machine)
  --instances N       run our server and the node floor N times as pairs started afresh, and keep
                      the pair with the median ours/floor (default 1, at most 5; see bench/README.md)
  --tool NAME         load generator: wrk (default when installed; 1 thread; $WRK or /usr/bin/wrk) or autocannon
  --crawl-sizes LIST  sizes (of those run) at which to crawl every archive of the site and the
                      largest tag after the load classes (default 10k,100k; none = no crawl)
  --crawl-formats L   formats the crawl fetches of each archive (default rss.xml: one format keeps
                      the 100k crawl near 2 minutes; rss.xml,atom.xml,feed.json for all three)
  --crawl-limit S     stop a crawl after S seconds, reported as partial (default 600)
  --json FILE         also write the raw results as JSON
  --strict            exit with status 1 if a target is missed
  --help              show this text`;

function positive(name: string, text: string, allowZero = false): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) throw new Error(`--${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`);
  return value;
}

function parseTool(name: string): LoadSettings['tool'] {
  if (name === 'autocannon') return { name };
  if (name !== 'wrk') throw new Error('--tool must be autocannon or wrk');
  const binary = findWrk();
  if (!binary) throw new Error('--tool wrk: wrk not found (install it or set WRK=/path/to/wrk)');
  return { name, binary };
}

/** Parses argv (without node and script); returns undefined when --help was asked for. */
export function parseOptions(argv: string[]): BenchOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '1k,10k,100k' },
      duration: { type: 'string', default: '5' },
      warmup: { type: 'string', default: '1' },
      connections: { type: 'string', default: '32' },
      rounds: { type: 'string', default: '2' },
      instances: { type: 'string', default: '1' },
      // wrk by default: autocannon parses every response in JavaScript and caps nginx at a fraction of
      // what wrk measures on 100 KB feeds, which would flatter our ratios.
      tool: { type: 'string', default: findWrk() ? 'wrk' : 'autocannon' },
      'crawl-sizes': { type: 'string', default: '10k,100k' },
      'crawl-formats': { type: 'string', default: 'rss.xml' },
      'crawl-limit': { type: 'string', default: '600' },
      json: { type: 'string' },
      strict: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  const sizes = values.sizes.split(',').filter(Boolean).map(parseSize);
  if (sizes.length === 0) throw new Error('--sizes is empty');
  const connections = positive('connections', values.connections);
  if (!Number.isInteger(connections) || connections > 1000) throw new Error('--connections must be an integer up to 1000');
  const durationS = positive('duration', values.duration);
  if (durationS > 600) throw new Error('--duration is at most 600 s');
  const rounds = positive('rounds', values.rounds);
  if (!Number.isInteger(rounds) || rounds > 10) throw new Error('--rounds must be an integer from 1 to 10');
  const instances = positive('instances', values.instances);
  if (!Number.isInteger(instances) || instances > 5) throw new Error('--instances must be an integer from 1 to 5');
  const warmupS = positive('warmup', values.warmup, true);
  if (warmupS > 60) throw new Error('--warmup is at most 60 s');
  const crawlSizes = values['crawl-sizes'] === 'none' ? [] : values['crawl-sizes'].split(',').filter(Boolean).map(parseSize);
  const timeLimitS = positive('crawl-limit', values['crawl-limit']);
  if (timeLimitS > 3600) throw new Error('--crawl-limit is at most 3600 s');
  const crawl = { counts: crawlSizes.map((s) => s.count), formats: parseFormats(values['crawl-formats']), timeLimitS };
  return { sizes, load: { connections, durationS, warmupS, tool: parseTool(values.tool) }, rounds, instances, json: values.json, strict: values.strict, crawl };
}

/** The options the single-purpose load scripts (archives.ts, combos.ts) share, for node:util's parseArgs. */
export const LOAD_SCRIPT_OPTIONS = {
  sizes: { type: 'string', default: '10k,100k' },
  duration: { type: 'string', default: '5' },
  connections: { type: 'string', default: '32' },
} as const;

/**
 * The value after `--name` on the command line of a single-purpose script (restart.ts, restart-floor.ts,
 * websub.ts, floor-headers.ts), or `fallback`.
 */
export function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

/**
 * `option(name, fallback)` as a number from `min` to `max` (a whole one when `whole`), or an error
 * naming the option and its range.
 */
export function boundedOption(name: string, fallback: string, min: number, max: number, whole = false): number {
  const value = Number(option(name, fallback));
  const ok = whole ? Number.isInteger(value) : Number.isFinite(value);
  if (!ok || value < min || value > max) throw new Error(`--${name} must be a ${whole ? 'whole ' : ''}number from ${min} to ${max}`);
  return value;
}
