/**
 * Loading a whole articles folder: list the article files, then read them: in this thread; for a large
 * folder on a 2-core machine, with a second thread reading the files' bytes while this one parses them;
 * or, on a machine with cores to spare, spread over a bounded pool of worker threads, each reading and
 * parsing its share one file at a time (see files.ts for why reads are synchronous, `defaultWorkers`
 * and READ_THREAD_THRESHOLD for when threads pay).
 */
import { availableParallelism } from 'node:os';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { buildSync } from 'esbuild';
import { articlePath, describeFileName, fileNameProblem, isArticleFileName, parseFileBytes, readArticleMeta, resolveReadOptions, type EntryKind, type ReadOptions } from './files.ts';
import type { LoaderMessage, LoaderTask, ReaderChunk, ReaderTask } from './load-worker.ts';
import { parseArticleMeta } from './parse.ts';
import { internTags } from './tags.ts';
import { isLazyArticle, type LazyArticle } from './article-index.ts';
import { ArticleParseError, type ArticleFormat, type ArticleMeta, type MetaResult, type SourceStamp } from './types.ts';

/**
 * What an earlier run computed of each file (src/state/article-cache.ts keeps it in SQLite): a file
 * whose size and modification time are the ones recorded need not be read again.
 */
export interface MetaCache {
  /** Rows held (once `load` has read them). */
  readonly size: number;
  /** Reads what is recorded, if not done yet; the load calls it while the files are stat'ed. */
  load(): void;
  /**
   * What is recorded for `name` at exactly this stamp, if anything: its metadata, or an article whose
   * metadata the index makes on first use (the cache's snapshot, article-index.ts's MetaRows).
   */
  get(name: string, file: string, stamp: SourceStamp, id: string, format: ArticleFormat): ArticleMeta | LazyArticle | undefined;
  /** Records what a file parsed to. */
  put(name: string, meta: ArticleMeta): void;
  /** Forgets a file. */
  forget(name: string): void;
  /** Forgets every file but these. */
  keepOnly(names: ReadonlySet<string>): void;
  /** The folder's real path changed (another folder took its place): its rows are that folder's now. */
  moveTo(realDir: string): void;
}

/** Folders with fewer files than this are read in this thread: starting workers would cost more. */
export const WORKER_THRESHOLD = 2000;

/** At most this many loader threads. */
export const MAX_WORKERS = 4;

/**
 * How many loader threads to use by default: one per core beyond the main thread's, none on a machine
 * of two cores or fewer. Measured on the 2-core machine of the benchmark, with 100,000 files in the page
 * cache, the load is CPU-bound, not I/O-bound: this thread alone took 3.3–5.3 s, two threads 3.6–6.2 s
 * (they add bundling, start-up and the copy of every article between threads). Served end to end, the
 * first feed came after 5.1 s in this thread against 6.7–7.7 s with two threads, whose copies also
 * raised peak memory from 322 MB to 460 MB.
 */
export function defaultWorkers(files: number): number {
  const spare = availableParallelism() - 1;
  return files < WORKER_THRESHOLD || spare < 2 ? 0 : Math.min(MAX_WORKERS, spare);
}

/** Articles that parsed (without their bodies), and one error per file that did not. */
export interface LoadResult {
  articles: ArticleMeta[];
  /** Articles of the cache whose metadata is made on first use (`materialize`); `bulkLoad` takes both. */
  lazy: LazyArticle[];
  errors: ArticleParseError[];
  readOptions: ReadOptions;
  /** Loader threads that read and parsed the files (0: this thread, also when threads could not start). */
  threads: number;
  /** Whether a thread read the files' bytes while this one parsed them (`readThread`). */
  readThread: boolean;
  /** Files taken from the cache without being read. */
  cached: number;
  /** The names of the entries that are symbolic links (the watcher looks at their targets). */
  links: string[];
}

/** How `loadArticles` reads; by default as measured best for the folder's size and the machine's cores. */
export interface LoadOptions {
  /** Loader threads that read and parse (default `defaultWorkers`). */
  workers?: number;
  /** Whether, without such threads, a thread reads the bytes that this one parses (default: from READ_THREAD_THRESHOLD files). */
  readThread?: boolean;
  /** Bytes per chunk of the read thread (default 4 MiB; tests make it small). */
  readChunkBytes?: number;
  cache?: MetaCache;
}

/**
 * Loads every article file directly inside `dir` (subfolders are not scanned). One bad file never stops
 * the others: it becomes an entry of `errors`.
 */
export async function loadArticles(dir: string, maxBytes: number, options: LoadOptions = {}): Promise<LoadResult> {
  const readOptions = resolveReadOptions(dir, maxBytes);
  const errors: ArticleParseError[] = [];
  const listed: [string, EntryKind][] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!isArticleFileName(e.name)) continue;
    // A name no URL can carry, or not UTF-8: a bad file here, before any path (the cache's, the read
    // thread's) could take or read it.
    const badName = fileNameProblem(e.name, readOptions.dir);
    if (badName) errors.push(new ArticleParseError(articlePath(readOptions, e.name), 'bad-file-name', badName));
    else listed.push([e.name, e.isFile() ? 'file' : e.isSymbolicLink() ? 'symlink' : 'unknown']);
  }
  listed.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const { cache } = options;
  const fromCache: ArticleMeta[] = [];
  const lazy: LazyArticle[] = [];
  /** The names of the files that parsed: the rows the cache keeps. */
  const kept = new Set<string>();
  let entries = listed;
  if (cache) {
    // With a cache, a plain file whose size and mtime match its row is not read: one stat instead of
    // an open, read and parse. Links and anything else are always read, as are files over the limit.
    // The stats run in a thread of their own while this one reads the cache's rows: on the 2-core
    // machine of the benchmark, 100,000 stats take ~0.5 s and reading the rows ~0.6 s, side by side
    // instead of one after the other.
    const plain = listed.filter(([, kind]) => kind === 'file').map(([name]) => name);
    const stats = statFiles(readOptions.dir, plain);
    cache.load();
    if (cache.size > 0) {
      stats.share();
      const stamps = await stats.result;
      plain.forEach((name, i) => {
        const size = stamps[2 * i]!;
        if (size < 0 || size > maxBytes) return;
        const { id, format } = describeFileName(name);
        const meta = cache.get(name, articlePath(readOptions, name), { size, mtimeMs: stamps[2 * i + 1]! }, id, format);
        if (!meta) return;
        if (isLazyArticle(meta)) lazy.push(meta);
        else fromCache.push(meta);
        kept.add(name);
      });
      entries = listed.filter(([name]) => !kept.has(name));
    } else stats.cancel();
  }
  const workers = options.workers ?? defaultWorkers(entries.length);
  let readThread = workers === 0 && (options.readThread ?? entries.length >= READ_THREAD_THRESHOLD);
  const readHere = () => entries.map(([name, kind]) => readArticleMeta(name, readOptions, kind));
  // Where worker threads cannot start (a runner without the TypeScript loader), this thread reads all.
  let threads = workers;
  const results =
    workers > 0
      ? await readInWorkers(entries, readOptions, workers).catch(() => {
          threads = 0;
          return readHere();
        })
      : readThread
        ? await readWithReadThread(entries, readOptions, options.readChunkBytes ?? READ_CHUNK_BYTES).catch(() => {
            readThread = false;
            return readHere();
          })
        : readHere();

  const cached = fromCache.length + lazy.length;
  const articles: ArticleMeta[] = fromCache;
  for (const result of results) {
    if (result.ok) {
      articles.push(result.article);
      if (cache) {
        const name = basename(result.article.file);
        cache.put(name, result.article);
        kept.add(name);
      }
    } else errors.push(result.error);
  }
  cache?.keepOnly(kept);
  errors.sort((a, b) => (a.file < b.file ? -1 : 1));
  const links = listed.filter(([, kind]) => kind === 'symlink').map(([name]) => name);
  return { articles, lazy, errors, readOptions, threads, readThread, cached, links };
}

/**
 * Below this many files, stats are made in this thread: a thread's start costs 0.1–0.3 s here (Node's
 * own modules compiled again for it), about what 20,000 stats cost. At 10,000 files the main thread sat
 * idle for half a second waiting for the thread; at 100,000 the thread and this one share its 0.5 s of
 * stats (`share`).
 */
export const STAT_THREAD_THRESHOLD = 20_000;

/** Names per share of the stats that a thread claims at a time. */
const STAT_CHUNK = 1024;

/**
 * The size and mtime of each named file in `dir`, as [size, mtimeMs] pairs, size -1 for a name that is
 * not a plain file (any more). For many files a worker thread makes them into a shared buffer (no copy,
 * no object per file), a chunk of names at a time; `share` makes this thread take chunks too until none
 * is left, for when it has nothing else to do: with the article cache's snapshot, this thread had the
 * rows read in ~0.15 s and then sat idle for ~0.4 s waiting for the thread's 100,000 stats. `cancel`
 * stops a thread not needed.
 */
export function statFiles(dir: string, names: readonly string[], threshold = STAT_THREAD_THRESHOLD): { result: Promise<Float64Array>; share: () => void; cancel: () => void } {
  if (names.length < threshold) {
    const pairs = statHere(dir, names);
    return { result: Promise.resolve(pairs), share: () => {}, cancel: () => {} };
  }
  const pairs = new Float64Array(new SharedArrayBuffer(16 * names.length));
  // [next chunk to claim, chunks done]
  const counters = new Int32Array(new SharedArrayBuffer(8));
  const chunks = Math.ceil(names.length / STAT_CHUNK);
  let worker: Worker | undefined;
  let settled = false;
  let settle!: (pairs: () => Float64Array) => void;
  const result = new Promise<Float64Array>((resolve) => {
    settle = (made) => {
      if (settled) return;
      settled = true;
      void worker?.terminate();
      resolve(made());
    };
  });
  // A thread that cannot run, or stops before its share is done, leaves all the stats to this one.
  const fallBack = () => settle(() => statHere(dir, names));
  try {
    worker = new Worker(STAT_THREAD, { eval: true, workerData: { dir, names, pairs, counters, chunk: STAT_CHUNK } });
    worker.once('message', () => settle(() => pairs));
    worker.once('error', fallBack);
    worker.once('exit', fallBack);
  } catch {
    fallBack();
  }
  const share = () => {
    if (settled) return;
    statPairs(statSync, join, dir, names, pairs, counters, STAT_CHUNK);
    // Every chunk done (the thread may not even have started): no need to wait for the thread.
    if (Atomics.load(counters, 1) === chunks) settle(() => pairs);
  };
  const cancel = () => {
    settled = true;
    void worker?.terminate();
  };
  return { result, share, cancel };
}

function statHere(dir: string, names: readonly string[]): Float64Array {
  const pairs = new Float64Array(2 * names.length);
  statPairs(statSync, join, dir, names, pairs, new Int32Array(2), names.length || 1);
  return pairs;
}

/**
 * The stat loop, self-contained (what it calls comes in as arguments) so that the thread runs this
 * same function from its source text: a worker thread does not inherit the TypeScript loader, and
 * these few lines are not worth bundling (see loaderScript). Claims chunks of `chunk` names through
 * `counters[0]` until none is left, counting each one done in `counters[1]`.
 */
function statPairs(stat: typeof statSync, joinPath: typeof join, dir: string, names: readonly string[], pairs: Float64Array, counters: Int32Array, chunk: number): void {
  for (;;) {
    const from = Atomics.add(counters, 0, 1) * chunk;
    if (from >= names.length) return;
    const to = Math.min(names.length, from + chunk);
    for (let i = from; i < to; i++) {
      let found: ReturnType<typeof statSync>;
      try {
        found = stat(joinPath(dir, names[i]!), { throwIfNoEntry: false });
      } catch {
        found = undefined;
      }
      pairs[2 * i] = found?.isFile() ? found.size : -1;
      pairs[2 * i + 1] = found?.mtimeMs ?? 0;
    }
    Atomics.add(counters, 1, 1);
  }
}

const STAT_THREAD = `
const { parentPort, workerData: w } = require('node:worker_threads');
(${statPairs.toString()})(require('node:fs').statSync, require('node:path').join, w.dir, w.names, w.pairs, w.counters, w.chunk);
parentPort.postMessage('done');
`;

let workerSource: string | undefined;

/**
 * How a loader thread starts. Run from the bundle `npm start` makes (scripts/start.mjs), its entry is
 * the bundled load-worker.js beside this code. Run as TypeScript, the thread's code is bundled into one
 * script with esbuild (once per process): a worker thread does not inherit the TypeScript loader, and
 * registering it there cost ~1 s a thread, against ~0.1 s to bundle.
 */
function loaderScript(): { script: string | URL; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) return { script: new URL('./load-worker.js', import.meta.url), eval: false };
  workerSource ??= buildSync({
    entryPoints: [fileURLToPath(new URL('./load-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  }).outputFiles[0]!.text;
  return { script: workerSource, eval: true };
}

async function readInWorkers(entries: [string, EntryKind][], options: ReadOptions, count: number): Promise<MetaResult[]> {
  const results: MetaResult[] = [];
  const shares = Array.from({ length: count }, (_, i) => entries.filter((_, j) => j % count === i));
  const { script, eval: isSource } = loaderScript();
  await Promise.all(
    shares.map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          const worker = new Worker(script, {
            eval: isSource,
            workerData: { options, entries: share } satisfies LoaderTask,
            // A larger young generation: parsing makes many short-lived strings, and a thread's default
            // made garbage collection a fifth of its time.
            resourceLimits: { maxYoungGenerationSizeMb: 64 },
          });
          worker.on('message', (message: LoaderMessage) => {
            if ('done' in message) return void worker.terminate().then(() => resolve());
            for (const result of message.results) results.push(revive(result));
          });
          worker.once('error', reject);
          worker.once('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`loader thread exited with ${code}`))));
        }),
    ),
  );
  return results;
}

/**
 * From this many files to read, a second thread reads the files' bytes while this one parses them
 * (`readWithReadThread`). Measured on the 2-core machine of the benchmark with 100,000 files in the page
 * cache, the open, fstat, read and close of each file were 45% of reading and parsing it (1.5 s of
 * 3.1–3.9 s of CPU); a thread's start costs 0.1–0.3 s (see STAT_THREAD_THRESHOLD).
 */
export const READ_THREAD_THRESHOLD = 20_000;
/** Bytes per chunk a read thread hands over, and how many chunk buffers go round: 16 MiB of file bytes. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;
const READ_CHUNKS = 4;

/**
 * Reads the entries in order, the plain files' bytes read by a second thread and handed over in chunks
 * (transferred, not copied), parsed here as each chunk comes: the two halves of loading a file run on
 * two cores, and unlike parsing in threads (`readInWorkers`) no article is copied between threads.
 * Links and entries of unknown kind are read here, in their place in the order.
 */
async function readWithReadThread(entries: [string, EntryKind][], options: ReadOptions, chunkBytes: number): Promise<MetaResult[]> {
  const names = entries.filter(([, kind]) => kind === 'file').map(([name]) => name);
  const signal = new SharedArrayBuffer(4);
  const counter = new Int32Array(signal);
  const { port1: giveBack, port2: returned } = new MessageChannel();
  const task: ReaderTask = { bytes: true, options, names, chunkBytes, chunks: READ_CHUNKS, returned, signal };
  const { script, eval: isSource } = loaderScript();
  const results: MetaResult[] = [];
  let next = 0;
  // The entries up to the next plain file, read here.
  const others = () => {
    while (next < entries.length && entries[next]![1] !== 'file') {
      const [name, kind] = entries[next++]!;
      results.push(readArticleMeta(name, options, kind));
    }
  };
  await new Promise<void>((resolve, reject) => {
    const worker = new Worker(script, { eval: isSource, workerData: task, transferList: [returned] });
    let done = false;
    worker.on('message', ({ chunk, records, failures, done: last }: ReaderChunk) => {
      for (let r = 0; r < records.length; r += 4) {
        others();
        const name = entries[next++]![0];
        const offset = records[r]!;
        const read =
          offset < 0
            ? { ok: false as const, ...failures[records[r + 1]!]! }
            : { ok: true as const, bytes: Buffer.from(chunk, offset, records[r + 1]!), source: { size: records[r + 2]!, mtimeMs: records[r + 3]! } };
        results.push(parseFileBytes(name, options, read, parseArticleMeta));
      }
      if (!last) {
        // Parsing copies out what it keeps (files.ts reuses one buffer the same way): the buffer goes back.
        giveBack.postMessage(chunk, [chunk]);
        Atomics.add(counter, 0, 1);
        Atomics.notify(counter, 0);
        return;
      }
      done = true;
      giveBack.close();
      others();
      void worker.terminate().then(() => resolve());
    });
    worker.once('error', reject);
    worker.once('exit', () => (done ? resolve() : reject(new Error('read thread exited early'))));
  });
  return results;
}

// Structured cloning keeps plain data only: errors come back as plain objects, and each article's tags
// as copies, which are interned again so that the index shares one object per tag.
function revive(result: MetaResult): MetaResult {
  if (!result.ok) {
    const e = result.error;
    return { ok: false, error: new ArticleParseError(e.file, e.reason, e.message, e.line) };
  }
  result.article.tags = internTags(result.article.tags);
  return result;
}
