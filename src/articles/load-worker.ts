/** A loader thread: reads and parses its share of the article files and sends back what the index keeps. */
import { parentPort, workerData } from 'node:worker_threads';
import { readArticleMeta, type EntryKind, type ReadOptions } from './files.ts';
import type { ArticleParseError, MetaResult } from './types.ts';

/** What a loader thread is given. */
export interface LoaderTask {
  options: ReadOptions;
  entries: [name: string, kind: EntryKind][];
}

/** What a loader thread sends back: one batch of results at a time, then `done`. */
export type LoaderMessage = { results: MetaResult[] } | { done: true };

const BATCH = 2000;
const task = workerData as LoaderTask;
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
