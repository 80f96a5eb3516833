import type { AutocannonRequest } from 'autocannon';
import { checkConditional, conditionalRequests, countItems, feedClasses, snapshotPaths, type FeedClass, type Snapshot } from './classes.ts';
import { ensureCorpus, type CorpusSize } from './corpus.ts';
import { fetchOnce } from './http.ts';
import { measureNewArticle } from './freshness.ts';
import { runLoad, type LoadFigure, type LoadSettings } from './load.ts';
import { readPeakRss } from './memory.ts';
import { startNginx, stopNginx } from './nginx.ts';
import type { ClassId, ServerFigures, SizeResult } from './results.ts';
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

async function loadClasses(name: string, baseUrl: string, classes: FeedClass[], conditional: AutocannonRequest[] | undefined,
  settings: LoadSettings, log: Log, notes: string[]): Promise<Partial<Record<ClassId, LoadFigure>>> {
  const runs: Array<[ClassId, AutocannonRequest[], number]> = classes.map((c) => [c.id, c.paths.map((path) => ({ path })), 200]);
  if (conditional) runs.push(['304', conditional, 304]);
  if (conditional) {
    const wrong = await checkConditional(baseUrl, conditional);
    if (wrong.length > 0) notes.push(`${name}: If-None-Match with its own ETag not answered 304 for ${wrong.join(', ')}`);
  }
  const load: Partial<Record<ClassId, LoadFigure>> = {};
  for (const [id, requests, status] of runs) {
    const figure = await runLoad(baseUrl, requests, status, settings);
    log(`  ${name} ${id}: ${Math.round(figure.rps)} req/s, p99 ${figure.p99Ms.toFixed(2)} ms`);
    if (figure.unexpected > 0) notes.push(`${name}, ${id}: ${figure.unexpected} unexpected answers (expected ${status}; ${figure.detail})`);
    if (figure.requests < settings.connections) {
      notes.push(`${name}, ${id}: only ${figure.requests} answers in ${settings.durationS} s with ${settings.connections} connections; too slow to measure well`);
    }
    load[id] = figure;
    await drain(baseUrl);
  }
  return load;
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
 * Measures one corpus size: our server (first feed, load classes, 304s, new
 * article, peak RSS), then the naive server, then nginx serving our exact bytes;
 * each runs alone, one after the other, with the same load settings.
 */
export async function measureSize(size: CorpusSize, settings: LoadSettings, nginxBinary: string | undefined,
  log: Log): Promise<SizeResult> {
  const corpus = await ensureCorpus(size, log);
  const tags = await pickTags(corpus);
  const classes = feedClasses(tags);
  const paths = classes.flatMap((c) => c.paths);
  const notes: string[] = [];
  const labels = Object.fromEntries([...classes.map((c) => [c.id, c.label]), ['304', '304 answers (all feeds above)']]) as Record<ClassId, string>;

  log(`${size.label}: our server`);
  const ours = await startOurServer(corpus.dir);
  let oursFigures: SizeResult['ours'];
  let snapshots: Map<string, Snapshot>;
  try {
    const firstFeedMs = await waitForFirstFeed(ours, START_TIMEOUT_MS);
    snapshots = await snapshotPaths(ours.baseUrl, paths);
    const conditional = conditionalRequests(snapshots);
    if (!conditional) notes.push('our server sent no ETag on some feed: 304 class skipped');
    const load = await loadClasses('ours', ours.baseUrl, classes, conditional, settings, log, notes);
    const newArticleMs = await measureNewArticle(ours.baseUrl, corpus.dir);
    oursFigures = { firstFeedMs, load, newArticleMs, peakRssBytes: readPeakRss(ours.child.pid) };
  } finally {
    await stopServer(ours);
  }

  log(`${size.label}: naive server`);
  const naive = await startNaiveServer(corpus.dir);
  let naiveFigures: ServerFigures;
  try {
    const firstFeedMs = await waitForFirstFeed(naive, START_TIMEOUT_MS);
    compareItems(snapshots, await snapshotPaths(naive.baseUrl, paths), notes);
    const load = await loadClasses('naive', naive.baseUrl, classes, undefined, settings, log, notes);
    naiveFigures = { firstFeedMs, load, peakRssBytes: readPeakRss(naive.child.pid) };
  } finally {
    await stopServer(naive);
  }

  let nginxFigures: ServerFigures | undefined;
  if (nginxBinary) {
    log(`${size.label}: nginx`);
    const nginx = await startNginx(nginxBinary, new Map([...snapshots].map(([path, s]) => [path, s.body])));
    try {
      const own = await snapshotPaths(nginx.baseUrl, paths);
      for (const [path, s] of own) if (!s.body.equals(snapshots.get(path)!.body)) notes.push(`nginx ${path}: body differs from ours`);
      const load = await loadClasses('nginx', nginx.baseUrl, classes, conditionalRequests(own), settings, log, notes);
      nginxFigures = { load };
    } finally {
      await stopNginx(nginx);
    }
  }
  return { size, labels, ours: oursFigures, naive: naiveFigures, nginx: nginxFigures, notes };
}
