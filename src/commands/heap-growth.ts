/**
 * How far V8 lets the old generation grow past what the last full collection kept, once the server
 * has loaded its articles.
 *
 * Why: after a full collection V8 sets the next one's limit at the live size times a factor it picks
 * from how cheap collecting was, up to 4× on a heap this size. At 100,000 articles about 142 MiB of
 * the heap is live (the index), and a crawl of every archive document promotes garbage steadily (the
 * bytes of each document live until the socket has written them), so the heap ran up to 554 MiB
 * before V8 collected it: 693–723 MiB of peak RSS after a cold start, against the 400 MiB the
 * server is budgeted (bench/RESULTS.md, "Archive crawl memory after the fast path"). With the factor
 * held at 1.3 the heap is collected at ~190 MiB, every 2 s of the crawl at ~60 ms of CPU each.
 *
 * Why after the load and not as a node flag in package.json: while loading, the live heap grows from
 * nothing to its full size, and a 1.3 factor then means a full collection every few MiB of growth
 * (5 s more to start at 100,000 articles, measured with `--heap-growing-percent=20`). V8 reads the
 * flag each time it sets a limit, that is after each full collection; so one full collection is made
 * a second after the load, or the limit set during the load (4× a smaller heap) would stand until
 * the next.
 * tests/commands/heap-growth.test.ts checks that V8 still honours both.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** The old generation may grow by this many percent of its live size before a full collection. */
export const HEAP_GROWING_PERCENT = 30;

/**
 * Bounds the heap's growth between full collections, and makes one full collection `collectAfterMs`
 * from now so that the bound holds from then (see the module comment); 0 makes it at once. Not at once
 * by default: at 100,000 articles it pauses for 0.18 s, which would delay the first feed after a
 * start by as much.
 */
export function boundHeapGrowth(percent = HEAP_GROWING_PERCENT, collectAfterMs = 1000): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
  if (collectAfterMs === 0) collectGarbage();
  else setTimeout(collectGarbage, collectAfterMs).unref();
}

/**
 * A full collection. `gc` is a global only under `--expose-gc`; a context made after the flag is set
 * has it (the way Node's own tests reach it), and nothing else in this process sees it.
 */
export function collectGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) {
    exposed();
    return;
  }
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}
