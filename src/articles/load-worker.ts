/**
 * A loader thread, in one of two roles (load.ts says when each is used):
 * - `parse`: reads and parses its share of the article files and sends back what the index keeps;
 * - `bytes`: only reads the files, into large chunks handed over without a copy, while the main thread
 *   parses what the chunks hold.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import { articlePath, readArticleMeta, readFileBytes, type EntryKind, type ReadOptions } from './files.ts';
import type { ArticleParseError, MetaResult } from './types.ts';

/** What a parsing loader thread is given. */
export interface LoaderTask {
  options: ReadOptions;
  entries: [name: string, kind: EntryKind][];
}

/** What a parsing loader thread sends back: one batch of results at a time, then `done`. */
export type LoaderMessage = { results: MetaResult[] } | { done: true };

/**
 * What a reading thread is given: the plain files to read, in order, and the way back for the chunks
 * the main thread has parsed: `returned` carries each chunk's buffer back for reuse, and index 0 of
 * `signal` counts them, so that at most `chunks` buffers ever exist (16 MiB of file bytes by default).
 */
export interface ReaderTask {
  bytes: true;
  options: ReadOptions;
  names: string[];
  chunkBytes: number;
  chunks: number;
  returned: MessagePort;
  signal: SharedArrayBuffer;
}

/**
 * One chunk from a reading thread: per file, in order, four numbers in `records`: offset and length of
 * its bytes in `chunk`, its size and mtime; or offset -1 and the index of its failure in `failures`.
 * `done` marks the last chunk.
 */
export interface ReaderChunk {
  chunk: ArrayBuffer;
  records: Float64Array;
  failures: { reason: ArticleParseError['reason']; message: string }[];
  done: boolean;
}

const task = workerData as LoaderTask | ReaderTask;
if ('bytes' in task) readBytes(task);
else parseShare(task);

function parseShare(task: LoaderTask): void {
  const BATCH = 2000;
  let batch: MetaResult[] = [];
  for (const [name, kind] of task.entries) {
    const result = readArticleMeta(name, task.options, kind);
    // Structured cloning keeps only an Error's name and message: send the error's fields as plain data.
    if (result.ok) batch.push(result);
    else {
      const { file, reason, message, line } = result.error;
      batch.push({ ok: false, error: { file, reason, message, line } as ArticleParseError });
    }
    if (batch.length === BATCH) {
      parentPort!.postMessage({ results: batch } satisfies LoaderMessage);
      batch = [];
    }
  }
  parentPort!.postMessage({ results: batch } satisfies LoaderMessage);
  parentPort!.postMessage({ done: true } satisfies LoaderMessage);
}

function readBytes(task: ReaderTask): void {
  const signal = new Int32Array(task.signal);
  let made = 0;
  // The same few buffers go round: fresh ones for every 4 MiB of a 452 MB folder were each mapped,
  // faulted in and unmapped again, and their external memory made V8 collect more often.
  const take = (size: number): Buffer => {
    for (;;) {
      const back = receiveMessageOnPort(task.returned)?.message as ArrayBuffer | undefined;
      if (back && back.byteLength >= size) return Buffer.from(back);
      // allocUnsafeSlow: a buffer that owns its whole ArrayBuffer (not a slice of Node's pool), so
      // that it can be transferred.
      if (back || made < task.chunks || size > task.chunkBytes) {
        made += back ? 0 : 1;
        return Buffer.allocUnsafeSlow(Math.max(task.chunkBytes, size));
      }
      // All buffers are with the main thread: wait (a second at a time, in case it has gone) for one.
      Atomics.wait(signal, 0, Atomics.load(signal, 0), 1000);
    }
  };
  let chunk = take(0);
  let used = 0;
  let records: number[] = [];
  let failures: ReaderChunk['failures'] = [];
  const send = (done: boolean, next: number) => {
    const message: ReaderChunk = { chunk: chunk.buffer as ArrayBuffer, records: Float64Array.from(records), failures, done };
    parentPort!.postMessage(message, [message.chunk, message.records.buffer as ArrayBuffer]);
    if (done) return;
    chunk = take(next);
    used = 0;
    records = [];
    failures = [];
  };
  const room = (size: number): Buffer => {
    if (used + size > chunk.length) send(false, size);
    return chunk.subarray(used, used + size);
  };
  for (const name of task.names) {
    const read = readFileBytes(articlePath(task.options, name), task.options.maxBytes, room);
    if (read.ok) {
      records.push(used, read.bytes.length, read.source.size, read.source.mtimeMs);
      used += read.bytes.length;
    } else {
      records.push(-1, failures.length, 0, 0);
      failures.push({ reason: read.reason, message: read.message });
    }
  }
  send(true, 0);
}
