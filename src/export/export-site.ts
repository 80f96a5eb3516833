/**
 * The static export: every route of the app, rendered by the app itself (so each file holds the bytes
 * the server would answer with), written atomically and only when changed, plus the `_headers` file and
 * the media files (`media/`); files of routes that no longer exist are removed last, and only when every
 * route rendered.
 *
 * A full export renders every route, split between threads on big sites (render-shard.ts). Given a
 * function that loads the site rather than the loaded site, a full export of a big folder starts its
 * worker threads first: each loads its own copy of the site while this thread loads its own, where
 * they used to start after it (on 2 cores the second one had nothing to do during this thread's load,
 * 3-5 s of a 10k export). When
 * the output folder holds the manifest of an earlier export with the same fingerprint (configuration,
 * code, media: fingerprint.ts), the export is incremental: it renders, in this thread, only the routes
 * whose inputs (route-inputs.ts) differ from those the manifest recorded, and leaves every other file
 * as it is, unread. A missing, corrupted or older manifest means a full export (with a log line).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { makeFolder } from '../folders.ts';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { isArticleFileName } from '../articles/files.ts';
import type { LoadedSite } from '../articles/load-site.ts';
import { listMediaFiles, MEDIA_DIR } from '../articles/media.ts';
import { ConfigError, type Config } from '../config.ts';
import { PARAMETERISED_ROUTES } from '../server/app.ts';
import { SecurityHeaders } from '../server/security.ts';
import { exportFingerprint } from './fingerprint.ts';
import { HEADERS_FILE, renderHeadersFile } from './host-files.ts';
import { countGroupFiles, joinGroupFiles, readManifest, removeStale, splitGroupFiles, writeManifest, type GroupRecord, type PreviousExport } from './manifest.ts';
import { OutputWriter, type WriteCounts } from './output-writer.ts';
import { renderRoutes } from './render-routes.ts';
import { listExportRoutes, type ExportRoute, type RouteGroups } from './route-inputs.ts';
import { renderShard, type ShardResult } from './render-shard.ts';
import { maxShards } from './shard.ts';
import { runShardInWorker } from './workers.ts';

/** What an export reads of a loaded site. */
export type ExportedSite = Pick<LoadedSite, 'index' | 'readOptions'>;

/** What to export, and where. */
export interface ExportOptions {
  config: Config;
  /** The loaded site, or a function that loads it (then worker threads may start first: see the module comment). */
  site: ExportedSite | (() => Promise<ExportedSite>);
  /** The output folder, absolute. */
  outDir: string;
  /**
   * Threads to render with (default: one per CPU, up to 4, and one for small sites); never more than
   * the app has parameterised routes, as each route is rendered whole by one thread (see shard.ts).
   */
  jobs?: number;
  /** Called with the totals so far, after each file (in the main thread) or batch of files (workers). */
  onProgress?: (counts: WriteCounts) => void;
  /** Where a route that failed, or a manifest that could not be used, is logged (default: console.error). */
  logError?: (message: string) => void;
}

/** What an export did. */
export interface ExportResult extends WriteCounts {
  /** Files of an earlier export whose routes no longer exist, now removed. */
  removed: number;
  /** Files that two routes mapped to; the static host can serve only one of each. */
  collisions: readonly string[];
  /** Whether only the routes whose inputs changed were rendered (see the module comment). */
  incremental: boolean;
  /** Routes rendered: every one in a full export. */
  rendered: number;
  jobs: number;
  ms: number;
}

/** A failed export: a route did not render (then nothing stale is removed), or the manifest was not written. */
export class ExportError extends Error {
  override name = 'ExportError';
}

/** Most threads used by default: each holds its own copy of the index and caches. */
const MAX_DEFAULT_JOBS = 4;
/** Below this many routes a worker thread costs more to start than it saves. */
const MIN_ROUTES_PER_JOB = 2000;
/**
 * Article files from which a full export starts one thread per CPU (up to 4) before the site is
 * loaded: each file is one route at least, so such a folder is big enough for two threads (chooseJobs).
 */
const EARLY_START_FILES = 2 * MIN_ROUTES_PER_JOB;

/** The number of threads for a site: `requested`, or one per CPU (up to 4) when the site is big enough. */
export function chooseJobs(site: Pick<LoadedSite, 'index'>, requested?: number): number {
  if (requested !== undefined) return Math.max(1, Math.min(maxShards(PARAMETERISED_ROUTES), Math.floor(requested)));
  const routes = site.index.size + 4 * site.index.tagCount;
  return Math.max(1, Math.min(availableParallelism(), MAX_DEFAULT_JOBS, Math.floor(routes / MIN_ROUTES_PER_JOB)));
}

/**
 * The threads of a full export started before the site is loaded (see the module comment): `requested`,
 * or one per CPU (up to 4) for a folder of `EARLY_START_FILES` article files or more; undefined when
 * the site is to be loaded first and chooseJobs decides.
 */
export function chooseEarlyJobs(articleFiles: number, requested?: number): number | undefined {
  if (requested !== undefined) return Math.max(1, Math.min(maxShards(PARAMETERISED_ROUTES), Math.floor(requested)));
  const jobs = Math.min(availableParallelism(), MAX_DEFAULT_JOBS);
  return articleFiles >= EARLY_START_FILES && jobs > 1 ? jobs : undefined;
}

/** Exports the site; see the module comment. Throws `ExportError` when a route fails or the manifest cannot be written. */
export async function exportSite(options: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const { config, outDir } = options;
  const logError = options.logError ?? ((m: string) => console.error(m));
  const previous = await readManifest(outDir);
  if (previous.problem) logError(`warning: ${previous.problem}; exporting every route`);
  try {
    makeFolder(outDir);
  } catch (error) {
    // The flag's to change, as for any configuration error (exit status 2).
    throw new ConfigError(`output folder ${outDir} cannot be made: ${(error as Error).message} (--out)`);
  }
  const fingerprint = exportFingerprint(config);
  const incremental = previous.fingerprint !== '' && previous.fingerprint === fingerprint;
  let early: Shards | undefined;
  if (!incremental && typeof options.site === 'function') {
    const jobs = chooseEarlyJobs(countArticleFiles(config.articlesDir), options.jobs);
    if (jobs !== undefined && jobs > 1) early = startShards(options, jobs, logError);
  }
  let site: ExportedSite;
  try {
    site = typeof options.site === 'function' ? await options.site() : options.site;
  } catch (error) {
    early?.stop();
    throw error;
  }
  // An incremental export leaves out the groups of routes (a tag's) whose inputs the manifest already holds.
  const groups: RouteGroups = { digests: new Map(), unchanged: incremental ? (g, d) => previous.groups?.get(g)?.digest === d : undefined };
  const routes = listExportRoutes(site.index, { feedLimit: config.feedLimit, archiveSize: config.archiveSize }, groups);
  const rendered = incremental
    ? await renderChanged(options, site, routes, previous, logError)
    : await renderAll(options, site, previous, logError, early);

  const writer = new OutputWriter(outDir);
  const policy = { maxAge: config.cacheMaxAge, sMaxAge: config.cacheSMaxAge, staleWhileRevalidate: config.cacheStaleWhileRevalidate };
  const archivePolicy = { maxAge: config.archiveMaxAge, sMaxAge: config.archiveMaxAge, staleWhileRevalidate: config.cacheStaleWhileRevalidate };
  writer.write(HEADERS_FILE, renderHeadersFile(policy, archivePolicy, await new SecurityHeaders().ready));
  // The media files that `/media/…` serves, as they are (the static host gives their types by extension).
  for (const name of listMediaFiles(config.articlesDir)) writer.write(`${MEDIA_DIR}/${name}`, readFileSync(join(config.articlesDir, MEDIA_DIR, name)));
  const { files, groups: records, members } = recordFiles(routes, rendered.produced, groups.digests, incremental ? previous : undefined);
  for (const name of writer.produced) files.set(name, '');
  const current = new Set(files.keys());
  for (const listed of members.values()) for (const name of listed.keys()) current.add(name);
  // The files of the groups copied from the last manifest are in both; they are read only if a file
  // missing from this export's own could be one of them (two routes mapping to one file).
  let kept: Set<string> | undefined;
  const keptFiles = () => (kept ??= new Set([...records].flatMap(([g, r]) => (members.has(g) ? [] : [...splitGroupFiles(r.files).keys()]))));
  const removed = await removeStale(outDir, previousFiles(previous, records), { has: (name) => current.has(name) || keptFiles().has(name) });
  // Without the manifest the next export cannot tell which files it may remove: the export failed.
  await writeManifest(outDir, { fingerprint, files, groups: records }).catch((error: Error) => {
    throw new ExportError(`export failed: ${error.message}`, { cause: error });
  });
  let fileCount = files.size;
  for (const [group, record] of records) fileCount += members.get(group)?.size ?? countGroupFiles(record.files);
  const written = rendered.counts.written + writer.counts.written;
  return {
    files: fileCount,
    written,
    unchanged: fileCount - written,
    removed,
    collisions: rendered.collisions,
    incremental,
    rendered: rendered.routes,
    jobs: rendered.jobs,
    ms: performance.now() - started,
  };
}

/**
 * What the rendering step produced: the files (undefined: the file of every route listed, rendered now
 * or left as the last export wrote it), and the counts.
 */
interface Rendered {
  produced?: ReadonlySet<string>;
  counts: WriteCounts;
  collisions: string[];
  routes: number;
  jobs: number;
}

/**
 * Records what a failed export wrote, so that a later (full: no fingerprint) export can still remove
 * it, and throws the `ExportError`.
 */
async function failExport(outDir: string, previous: PreviousExport, produced: Iterable<string>, reason: string): Promise<never> {
  const files = new Map(previous.files);
  for (const name of produced) files.set(name, '');
  const manifestProblem = await writeManifest(outDir, { fingerprint: '', files, groups: previous.groups }).then(
    () => undefined,
    (error: Error) => error.message,
  );
  throw new ExportError(manifestProblem ? `${reason}; ${manifestProblem}` : reason);
}

/**
 * The incremental export: renders the routes whose inputs differ from the manifest's (new routes
 * included), in this thread: a handful of routes after a usual change, where starting a worker thread
 * and loading the site again would cost more than they do. Every other route keeps its file unread.
 */
async function renderChanged(options: ExportOptions, site: ExportedSite, routes: readonly ExportRoute[], previous: PreviousExport, logError: (m: string) => void): Promise<Rendered> {
  const before = previousInputs(previous);
  const changed = routes.filter((r) => before(r) !== r.inputs);
  const writer = new OutputWriter(options.outDir, options.onProgress);
  const { failed } = await renderRoutes({ config: options.config, site, writer, logError }, changed);
  if (failed > 0) await failExport(options.outDir, previous, writer.produced, `${failed} routes did not answer 200 (see the errors above)`);
  return { counts: writer.counts, collisions: [...writer.collisions], routes: changed.length, jobs: 1 };
}

/** The worker threads of a full export, started (shards 1 to `jobs - 1`), and its progress. */
interface Shards {
  jobs: number;
  workers: Promise<ShardResult>[];
  /** The progress callback of each shard. */
  report: (shard: number) => (counts: WriteCounts) => void;
  /** Ends the workers (when the site could not be loaded). */
  stop: () => void;
}

/** Starts the worker threads of a full export in `jobs` threads; each loads its own copy of the site. */
function startShards(options: ExportOptions, jobs: number, logError: (m: string) => void): Shards {
  const progress: WriteCounts[] = Array.from({ length: jobs }, () => ({ files: 0, written: 0, unchanged: 0 }));
  const report = (shard: number) => (counts: WriteCounts) => {
    progress[shard] = counts;
    options.onProgress?.(sum(progress));
  };
  const controller = new AbortController();
  const workers = Array.from({ length: jobs - 1 }, (_, i) => {
    const worker = runShardInWorker({ config: options.config, outDir: options.outDir, shard: i + 1, shards: jobs }, report(i + 1), logError, controller.signal);
    // Handled here, so that a worker failing while this thread still loads is no unhandled rejection;
    // renderAll reads its outcome.
    worker.catch(() => {});
    return worker;
  });
  return { jobs, workers, report, stop: () => controller.abort() };
}

/** The full export: every route, in `jobs` threads (see shard.ts), the workers perhaps started already. */
async function renderAll(options: ExportOptions, site: ExportedSite, previous: PreviousExport, logError: (m: string) => void, early?: Shards): Promise<Rendered> {
  const { config, outDir } = options;
  const { jobs, workers, report } = early ?? startShards(options, chooseJobs(site, options.jobs), logError);
  // The first shard renders here, on the index already loaded, while the others render theirs in their threads.
  const shards = await Promise.allSettled([renderShard({ config, outDir, shard: 0, shards: jobs, site, onProgress: report(0), logError }), ...workers]);
  const results = shards.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const produced = new Set<string>();
  const collisions = results.flatMap((r) => r.collisions);
  for (const name of results.flatMap((r) => r.produced)) {
    if (produced.has(name)) collisions.push(name);
    produced.add(name);
  }
  const problems = [
    ...shards.flatMap((s) => (s.status === 'rejected' ? [String((s.reason as Error)?.message ?? s.reason)] : [])),
    ...results.flatMap((r) => (r.error ? [r.error] : [])),
  ];
  const failed = results.reduce((n, r) => n + r.failed, 0);
  if (problems.length > 0 || failed > 0) {
    await failExport(outDir, previous, produced, problems.length > 0 ? `export failed: ${problems.join('; ')}` : `${failed} routes did not answer 200 (see the errors above)`);
  }
  return { produced, counts: sum(results), collisions, routes: produced.size, jobs };
}

/**
 * What the next manifest records of the routes: the files of routes in no group with their inputs; each
 * group's record, made from its routes when it was listed (`members`), or copied from the last export's
 * manifest (`previous`, for an incremental export) when the listing left it out as unchanged.
 */
function recordFiles(routes: readonly ExportRoute[], produced: ReadonlySet<string> | undefined, digests: ReadonlyMap<string, string>, previous?: PreviousExport) {
  const files = new Map<string, string>();
  const members = new Map<string, Map<string, string>>();
  for (const r of routes) {
    if (produced && !produced.has(r.file)) continue;
    if (r.group === undefined) {
      files.set(r.file, r.inputs);
      continue;
    }
    let listed = members.get(r.group);
    if (!listed) members.set(r.group, (listed = new Map()));
    listed.set(r.file, r.inputs);
  }
  const groups = new Map<string, GroupRecord>();
  for (const [group, digest] of digests) {
    const listed = members.get(group);
    const kept = previous?.groups?.get(group);
    // Sorted by name, so that a group's record is the same whichever export made it.
    if (listed) groups.set(group, { digest, files: joinGroupFiles([...listed].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) });
    else if (kept?.digest === digest) groups.set(group, kept);
  }
  return { files, groups, members };
}

/** The files the last export recorded, but those of the groups this one copied from its manifest as they were. */
function* previousFiles(previous: PreviousExport, records: ReadonlyMap<string, GroupRecord>): Iterable<string> {
  yield* previous.files.keys();
  for (const [group, record] of previous.groups ?? []) if (records.get(group) !== record) yield* splitGroupFiles(record.files).keys();
}

/** The inputs the last export recorded for a route's file (its group's record read when first asked). */
function previousInputs(previous: PreviousExport): (route: ExportRoute) => string | undefined {
  const split = new Map<string, Map<string, string>>();
  return (route) => {
    const record = route.group === undefined ? undefined : previous.groups?.get(route.group);
    if (record) {
      let files = split.get(route.group!);
      if (!files) split.set(route.group!, (files = splitGroupFiles(record.files)));
      const inputs = files.get(route.file);
      if (inputs !== undefined) return inputs;
    }
    return previous.files.get(route.file);
  };
}

/** The article files in a folder, by name; 0 when it cannot be read (the load then says why). */
function countArticleFiles(dir: string): number {
  try {
    return readdirSync(dir).filter(isArticleFileName).length;
  } catch {
    return 0;
  }
}

function sum(counts: readonly WriteCounts[]): WriteCounts {
  return counts.reduce((a, c) => ({ files: a.files + c.files, written: a.written + c.written, unchanged: a.unchanged + c.unchanged }), { files: 0, written: 0, unchanged: 0 });
}
