import type { AutocannonRequest } from 'autocannon';
import type { CrawlOptions } from './args.ts';
import { crawlArchives, describeCrawl } from './archives.ts';
import { archiveClass, checkConditional, conditionalRequests, countItems, feedClasses, snapshotPaths, type FeedClass, type Snapshot } from './classes.ts';
import { ensureCorpus, type CorpusSize } from './corpus.ts';
import { fetchOnce } from './http.ts';
import { measureNewArticle } from './freshness.ts';
import { runLoad, type LoadFigure, type LoadSettings } from './load.ts';
import { readPeakRss } from './memory.ts';
import { startFloor, stopFloor } from './floor.ts';
import { startNginx, stopNginx } from './nginx.ts';
import type { ClassId, SizeResult } from './results.ts';
import { FEED_LIMIT, startNaiveServer, startOurServer, stopServer, waitForFirstFeed } from './server-process.ts';
import { pickTags } from './tags.ts';

/** Longest wait for a server's first feed (100k articles with a slow disk). */
const START_TIMEOUT_MS = 120_000;

type Log = (line: string) => void;

/**
 * Waits (up to 60 s) until a server has answered the requests still queued from
 * the last load run, so that they do not eat into the next run's window: a
 * single-threaded server answers this probe only after its backlog.
 */
async function drain(baseUrl: string): Promise<void> {
  await fetchOnce(`${baseUrl}/rss.xml`, {}, 60_000).catch(() => undefined);
}

/** A server under load: ours, the naive one or nginx. */
interface Target {
  name: string;
  baseUrl: string;
  /** The 304 class's requests (its own ETags); none: the class is not run on it. */
  conditional?: AutocannonRequest[];
  /** Classes it has no answer for (the naive server has no archives). */
  skips?: ReadonlySet<ClassId>;
}

/**
 * Measures every class on every server, the servers of one class back to back (ours, naive, nginx,
 * then the other way round), so that the machine's load when a class is measured weighs on all of
 * them alike; each server keeps its best of `rounds` (`--rounds`). On a shared, noisy machine this is what makes the
 * ratios mean something: a sequential ours-then-nginx run swung the site-feed ratio from 0.45× to
 * 0.83× between two runs a minute apart.
 */
async function loadInterleaved(targets: Target[], classes: FeedClass[], settings: LoadSettings, rounds: number, log: Log,
  notes: string[]): Promise<Map<string, Partial<Record<ClassId, LoadFigure>>>> {
  const results = new Map(targets.map((t) => [t.name, {} as Partial<Record<ClassId, LoadFigure>>]));
  for (const t of targets) {
    if (!t.conditional) continue;
    const wrong = await checkConditional(t.baseUrl, t.conditional);
    if (wrong.length > 0) notes.push(`${t.name}: If-None-Match with its own ETag not answered 304 for ${wrong.join(', ')}`);
  }
  const runs: Array<[ClassId, (t: Target) => AutocannonRequest[] | undefined, number]> = classes.map((c) => [
    c.id, (t) => (t.skips?.has(c.id) ? undefined : c.paths.map((path) => ({ path }))), 200]);
  runs.push(['304', (t) => t.conditional, 304]);
  for (const [id, requestsFor, status] of runs) {
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const requests = requestsFor(t);
        if (!requests) continue;
        const figure = await runLoad(t.baseUrl, requests, status, settings);
        log(`  ${t.name} ${id} (round ${round + 1}): ${Math.round(figure.rps)} req/s, p99 ${figure.p99Ms.toFixed(2)} ms`);
        if (figure.unexpected > 0) notes.push(`${t.name}, ${id}: ${figure.unexpected} unexpected answers (expected ${status}; ${figure.detail})`);
        if (figure.requests < settings.connections) {
          notes.push(`${t.name}, ${id}: only ${figure.requests} answers in ${settings.durationS} s with ${settings.connections} connections; too slow to measure well`);
        }
        const kept = results.get(t.name)!;
        if (!kept[id] || figure.rps > kept[id]!.rps) kept[id] = figure;
        await drain(t.baseUrl);
      }
    }
  }
  return results;
}

type ClassFigures = Partial<Record<ClassId, LoadFigure>>;

/**
 * Instances 2 to `instances` of our server and of the floor: each pair started afresh (the floor from
 * that server's own bytes and ETags), every class loaded on the two, interleaved, then both stopped.
 *
 * Why fresh processes: on this shared machine one process runs persistently faster or slower than
 * another running the same code, for as long as it lives: four copies of one bare `node:http` 304
 * server, side by side, measured 50–54k req/s for one (19–21 µs CPU an answer) against 57–75k for the
 * other three (14–17 µs), four rounds alternated; restarted, the slow one measured with the others. No
 * number of rounds on one pair of processes evens that out, so the floor ratios are those of the
 * median pair (`medianPair`).
 */
async function moreInstances(dir: string, paths: string[], classes: FeedClass[], settings: LoadSettings, rounds: number,
  instances: number, log: Log, notes: string[]): Promise<Array<{ ours: ClassFigures; floor: ClassFigures }>> {
  const figures: Array<{ ours: ClassFigures; floor: ClassFigures }> = [];
  for (let instance = 2; instance <= instances; instance++) {
    log(`  instance ${instance} of ${instances}: our server and the floor started afresh`);
    const ours = await startOurServer(dir);
    let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
    try {
      await waitForFirstFeed(ours, START_TIMEOUT_MS);
      const snapshots = await snapshotPaths(ours.baseUrl, paths);
      floor = await startFloor(snapshots);
      const targets: Target[] = [
        { name: 'ours', baseUrl: ours.baseUrl, conditional: conditionalRequests(snapshots) },
        { name: 'floor', baseUrl: floor.baseUrl, conditional: conditionalRequests(await snapshotPaths(floor.baseUrl, paths)) },
      ];
      const load = await loadInterleaved(targets, classes, settings, rounds, log, notes);
      figures.push({ ours: load.get('ours')!, floor: load.get('floor')! });
    } finally {
      if (floor) await stopFloor(floor);
      await stopServer(ours);
    }
  }
  return figures;
}

/**
 * Per class, the figures of the instance (a pair of our server and the floor, each figure its best
 * round) whose ours ÷ floor is the median (of an even count, the lower of the middle two). The ratio
 * of one pair is measured in one window of the machine's load, which drifts over minutes; the median
 * of the pairs then drops the pair with a lucky or unlucky process.
 */
export function medianPair(instances: Array<{ ours: ClassFigures; floor: ClassFigures }>): { ours: ClassFigures; floor: ClassFigures } {
  const median = { ours: {} as ClassFigures, floor: {} as ClassFigures };
  const ids = new Set(instances.flatMap((pair) => Object.keys(pair.ours) as ClassId[]));
  for (const id of ids) {
    const pairs = instances
      .map((pair) => ({ ours: pair.ours[id], floor: pair.floor[id] }))
      .filter((pair): pair is { ours: LoadFigure; floor: LoadFigure } => pair.ours !== undefined && pair.floor !== undefined && pair.floor.rps > 0)
      .sort((a, b) => a.ours.rps / a.floor.rps - b.ours.rps / b.floor.rps);
    const middle = pairs[Math.floor((pairs.length - 1) / 2)];
    if (!middle) continue;
    median.ours[id] = middle.ours;
    median.floor[id] = middle.floor;
  }
  return median;
}

function compareItems(ours: Map<string, Snapshot>, naive: Map<string, Snapshot>, notes: string[]): void {
  for (const [path, snapshot] of ours) {
    const mine = countItems(path, snapshot.body);
    const theirs = naive.has(path) ? countItems(path, naive.get(path)!.body) : undefined;
    if (mine > FEED_LIMIT) notes.push(`our ${path} has ${mine} items, more than --feed-limit ${FEED_LIMIT}`);
    if (theirs !== undefined && theirs !== mine) notes.push(`${path}: ours has ${mine} items, naive ${theirs}`);
  }
}

/**
 * Measures one corpus size: starts our server (first feed), the naive server and nginx serving our
 * exact bytes, all on loopback; then every load class on the three, interleaved (see
 * `loadInterleaved`); then the new-article latency and our peak RSS; then, when `crawl` names this
 * size, the archive crawl (archives.ts) on our server alone, last, so that it disturbs nothing else.
 */
export async function measureSize(size: CorpusSize, settings: LoadSettings, rounds: number, instances: number, nginxBinary: string | undefined,
  log: Log, crawl?: CrawlOptions): Promise<SizeResult> {
  const corpus = await ensureCorpus(size, log);
  const tags = await pickTags(corpus);
  const classes = [...feedClasses(tags), archiveClass()];
  const paths = classes.flatMap((c) => c.paths);
  const feedPaths = classes.filter((c) => c.id !== 'archive').flatMap((c) => c.paths);
  const notes: string[] = [];
  const labels = Object.fromEntries([...classes.map((c) => [c.id, c.label]), ['304', '304 answers (all feeds above)']]) as Record<ClassId, string>;

  log(`${size.label}: starting our server, the naive server${nginxBinary ? ' and nginx' : ''}`);
  const ours = await startOurServer(corpus.dir);
  let naive: Awaited<ReturnType<typeof startNaiveServer>> | undefined;
  let nginx: Awaited<ReturnType<typeof startNginx>> | undefined;
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  try {
    const firstFeedMs = await waitForFirstFeed(ours, START_TIMEOUT_MS);
    const snapshots = await snapshotPaths(ours.baseUrl, paths);
    const conditional = conditionalRequests(snapshots);
    if (!conditional) notes.push('our server sent no ETag on some feed: 304 class skipped');

    naive = await startNaiveServer(corpus.dir);
    const naiveFirstFeedMs = await waitForFirstFeed(naive, START_TIMEOUT_MS);
    compareItems(snapshots, await snapshotPaths(naive.baseUrl, feedPaths), notes);

    const targets: Target[] = [
      { name: 'ours', baseUrl: ours.baseUrl, conditional },
      { name: 'naive', baseUrl: naive.baseUrl, skips: new Set(['archive']) },
    ];
    if (nginxBinary) {
      nginx = await startNginx(nginxBinary, new Map([...snapshots].map(([path, s]) => [path, s.body])));
      const own = await snapshotPaths(nginx.baseUrl, paths);
      for (const [path, s] of own) if (!s.body.equals(snapshots.get(path)!.body)) notes.push(`nginx ${path}: body differs from ours`);
      targets.push({ name: 'nginx', baseUrl: nginx.baseUrl, conditional: conditionalRequests(own) });
    }
    floor = await startFloor(snapshots);
    const fromFloor = await snapshotPaths(floor.baseUrl, paths);
    for (const [path, s] of fromFloor) if (!s.body.equals(snapshots.get(path)!.body)) notes.push(`floor ${path}: body differs from ours`);
    targets.push({ name: 'floor', baseUrl: floor.baseUrl, conditional: conditionalRequests(fromFloor) });
    const load = await loadInterleaved(targets, classes, settings, rounds, log, notes);
    const newArticleMs = await measureNewArticle(ours.baseUrl, corpus.dir);
    const peakRssBytes = readPeakRss(ours.child.pid);
    const naivePeakRssBytes = readPeakRss(naive.child.pid);
    if (instances > 1) {
      const more = await moreInstances(corpus.dir, paths, classes, settings, rounds, instances, log, notes);
      const median = medianPair([{ ours: load.get('ours')!, floor: load.get('floor')! }, ...more]);
      load.set('ours', median.ours);
      load.set('floor', median.floor);
    }
    const naiveLoad = load.get('naive')!;
    let crawled: SizeResult['ours']['crawl'];
    if (crawl?.counts.includes(size.count)) {
      // The other servers are done: stopped now, so that the crawl has the machine to itself.
      await stopFloor(floor);
      if (nginx) await stopNginx(nginx);
      await stopServer(naive);
      [floor, nginx, naive] = [undefined, undefined, undefined];
      log(`  crawling every archive of the site and #${tags.large.tag} (${crawl.formats.join(', ')}; at most ${crawl.timeLimitS} s)`);
      crawled = await crawlArchives(ours.baseUrl, ours.child.pid, tags, crawl.formats, crawl.timeLimitS);
      log(`  ${describeCrawl(crawled)}`);
      if (crawled.documents < crawled.planned) notes.push(describeCrawl(crawled));
    }
    return {
      size,
      labels,
      ours: { firstFeedMs, load: load.get('ours')!, newArticleMs, peakRssBytes, crawl: crawled },
      naive: { firstFeedMs: naiveFirstFeedMs, load: naiveLoad, peakRssBytes: naivePeakRssBytes },
      nginx: nginxBinary ? { load: load.get('nginx')! } : undefined,
      floor: { load: load.get('floor')! },
      notes,
    };
  } finally {
    if (floor) await stopFloor(floor);
    if (nginx) await stopNginx(nginx);
    if (naive) await stopServer(naive);
    await stopServer(ours);
  }
}
