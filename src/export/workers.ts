/** Running shards of an export in worker threads (worker.ts), with their progress and logs relayed. */
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.ts';
import type { WriteCounts } from './output-writer.ts';
import type { ShardResult } from './render-shard.ts';

/** What a worker is told to do. */
export interface WorkerTask {
  config: Config;
  outDir: string;
  shard: number;
  shards: number;
}

/** What a worker says. */
export type WorkerMessage =
  | { kind: 'progress'; counts: WriteCounts }
  | { kind: 'log'; message: string }
  | { kind: 'done'; result: ShardResult };

// Rendering makes short-lived strings and buffers by the gigabyte; a young generation larger than V8's
// default (3 × 16 MiB semi-spaces) promotes fewer of them: about a fifth less time on a 10k corpus.
const YOUNG_GENERATION_MB = 192;

/**
 * Starts worker.ts in a thread. When this module runs as TypeScript source (under tsx or vitest), the
 * thread first registers tsx's loader, which a worker does not inherit from its parent.
 */
function startWorker(task: WorkerTask): Worker {
  const entry = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
  const resourceLimits = { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, { workerData: task, resourceLimits });
  const api = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const code = `import(${api}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(code, { eval: true, workerData: task, resourceLimits });
}

/** Runs one shard in a worker thread; resolves with its result, rejects if the worker fails or `signal` ends it. */
export function runShardInWorker(task: WorkerTask, onProgress: (counts: WriteCounts) => void, logError: (message: string) => void, signal?: AbortSignal): Promise<ShardResult> {
  return new Promise((resolve, reject) => {
    const worker = startWorker(task);
    signal?.addEventListener('abort', () => void worker.terminate(), { once: true });
    let result: ShardResult | undefined;
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'done') result = message.result;
      else if (message.kind === 'log') logError(message.message);
      else onProgress(message.counts);
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) {
        onProgress(result);
        resolve(result);
      } else {
        reject(new Error(`export worker ${task.shard} exited with code ${code} before finishing`));
      }
    });
  });
}
