/**
 * The static export: every route of the app, rendered by the app itself through hono's `toSSG` (so each
 * file holds the bytes the server would answer with), split between threads on big sites, written
 * atomically and only when changed, plus the `_headers` file and the media files (`media/`); files of routes that no longer exist are
 * removed last, and only when every route rendered.
 */
import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import type { LoadedSite } from '../articles/load-site.ts';
import { listMediaFiles, MEDIA_DIR } from '../articles/media.ts';
import type { Config } from '../config.ts';
import { PARAMETERISED_ROUTES } from '../server/app.ts';
import { SecurityHeaders } from '../server/security.ts';
import { HEADERS_FILE, renderHeadersFile } from './host-files.ts';
import { readManifest, removeStale, writeManifest } from './manifest.ts';
import { OutputWriter, type WriteCounts } from './output-writer.ts';
import { renderShard, } from './render-shard.ts';
import { maxShards } from './shard.ts';
import { runShardInWorker } from './workers.ts';

/** What to export, and where. */
export interface ExportOptions {
  config: Config;
  site: Pick<LoadedSite, 'index' | 'readOptions'>;
  /** The output folder, absolute. */
  outDir: string;
  /**
   * Threads to render with (default: one per CPU, up to 4, and one for small sites); never more than
   * the app has parameterised routes, as each route is rendered whole by one thread (see shard.ts).
   */
  jobs?: number;
  /** Called with the totals so far, after each file (in the main thread) or batch of files (workers). */
  onProgress?: (counts: WriteCounts) => void;
  /** Where a route that failed is logged (default: console.error). */
  logError?: (message: string) => void;
}

/** What an export did. */
export interface ExportResult extends WriteCounts {
  /** Files of an earlier export whose routes no longer exist, now removed. */
  removed: number;
  /** Files that two routes mapped to; the static host can serve only one of each. */
  collisions: readonly string[];
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

/** The number of threads for a site: `requested`, or one per CPU (up to 4) when the site is big enough. */
export function chooseJobs(site: Pick<LoadedSite, 'index'>, requested?: number): number {
  if (requested !== undefined) return Math.max(1, Math.min(maxShards(PARAMETERISED_ROUTES), Math.floor(requested)));
  const routes = site.index.size + 4 * site.index.tagCount;
  return Math.max(1, Math.min(availableParallelism(), MAX_DEFAULT_JOBS, Math.floor(routes / MIN_ROUTES_PER_JOB)));
}

/** Exports the site; see the module comment. Throws `ExportError` when a route fails or the manifest cannot be written. */
export async function exportSite(options: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const { config, site, outDir } = options;
  const logError = options.logError ?? ((m: string) => console.error(m));
  const jobs = chooseJobs(site, options.jobs);
  const previous = await readManifest(outDir);
  await mkdir(outDir, { recursive: true });

  const progress: WriteCounts[] = Array.from({ length: jobs }, () => ({ files: 0, written: 0, unchanged: 0 }));
  const report = (shard: number) => (counts: WriteCounts) => {
    progress[shard] = counts;
    options.onProgress?.(sum(progress));
  };
  const shards = await Promise.allSettled(
    Array.from({ length: jobs }, (_, shard) => {
      const task = { config, outDir, shard, shards: jobs };
      // The first shard renders here, on the index already loaded, while the others start their
      // threads and load their own copies.
      return shard === 0
        ? renderShard({ ...task, site, onProgress: report(0), logError })
        : runShardInWorker(task, report(shard), logError);
    }),
  );
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
    // Keep track of what was written, so a later export can still remove it.
    const manifestProblem = await writeManifest(outDir, [...previous, ...produced]).then(
      () => undefined,
      (error: Error) => error.message,
    );
    const reason = problems.length > 0 ? `export failed: ${problems.join('; ')}` : `${failed} routes did not answer 200 (see the errors above)`;
    throw new ExportError(manifestProblem ? `${reason}; ${manifestProblem}` : reason);
  }

  const writer = new OutputWriter(outDir);
  const policy = { maxAge: config.cacheMaxAge, sMaxAge: config.cacheSMaxAge, staleWhileRevalidate: config.cacheStaleWhileRevalidate };
  const archivePolicy = { maxAge: config.archiveMaxAge, sMaxAge: config.archiveMaxAge, staleWhileRevalidate: config.cacheStaleWhileRevalidate };
  writer.write(HEADERS_FILE, renderHeadersFile(policy, archivePolicy, await new SecurityHeaders().ready));
  // The media files that `/media/…` serves, as they are (the static host gives their types by extension).
  for (const name of listMediaFiles(config.articlesDir)) writer.write(`${MEDIA_DIR}/${name}`, readFileSync(join(config.articlesDir, MEDIA_DIR, name)));
  for (const name of writer.produced) produced.add(name);
  const removed = await removeStale(outDir, previous, produced);
  // Without the manifest the next export cannot tell which files it may remove: the export failed.
  await writeManifest(outDir, produced).catch((error: Error) => {
    throw new ExportError(`export failed: ${error.message}`, { cause: error });
  });
  const totals = sum([...results, writer.counts]);
  return { ...totals, files: produced.size, removed, collisions, jobs, ms: performance.now() - started };
}

function sum(counts: readonly WriteCounts[]): WriteCounts {
  return counts.reduce((a, c) => ({ files: a.files + c.files, written: a.written + c.written, unchanged: a.unchanged + c.unchanged }), { files: 0, written: 0, unchanged: 0 });
}
