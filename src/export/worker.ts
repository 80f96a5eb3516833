/**
 * The entry point of an export worker thread: loads the articles (quietly: the main thread reports
 * skipped files), renders its shard, and posts progress and then its result to the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadSite } from '../articles/load-site.ts';
import type { WorkerTask, WorkerMessage } from './workers.ts';
import { renderShard } from './render-shard.ts';

// Progress is posted at most this often (ms).
const PROGRESS_MS = 100;

const task = workerData as WorkerTask;
const post = (message: WorkerMessage) => parentPort!.postMessage(message);
const site = await loadSite(task.config, () => {});
let posted = 0;
const result = await renderShard({
  ...task,
  site,
  onProgress: (counts) => {
    if (performance.now() - posted < PROGRESS_MS) return;
    posted = performance.now();
    post({ kind: 'progress', counts });
  },
  logError: (message) => post({ kind: 'log', message }),
});
post({ kind: 'done', result });
