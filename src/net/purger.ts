/**
 * Purging shared caches (`PURGE_URLS`): on each change, every cache is sent `PURGE` with
 * `Surrogate-Key: <the changed keys>` (the form Varnish's xkey vmod, as deploy/varnish/default.vcl
 * maps it, and Fastly's purge-by-key take), off the request path.
 *
 * - One request in flight per cache; keys that come while it is out are coalesced into one set and
 *   sent together next, so a burst of changes is a few purges, not one per change.
 * - Each purge has a timeout and up to `attempts` tries, waiting `retryBaseMs`, then three times as
 *   long; a cache that still fails is logged and the keys dropped (its TTL bounds the staleness).
 * - The queue per cache is bounded: past `MAX_QUEUED_KEYS` keys it becomes the one key `all`, which
 *   every response carries (a correct superset), so a dead cache holds memory constant. A dead cache
 *   delays only its own queue: serving never waits for a purge, and other caches go on.
 * - The race between instances: a purge can land while the cache is fetching the same response from an
 *   instance that has not seen the change yet, and that stale copy would then stay for its TTL. So
 *   each set of keys is sent again `delayMs` later, by when every instance's watcher has seen the
 *   change (see deploy/README.md). Keys that come while a delayed purge waits are held for the next
 *   one, so each is sent again between one and two delays after its change, with two timers at most.
 */
import { callWithRetries } from './call-out.ts';

/** How purges are sent. */
export interface PurgeOptions {
  urls: readonly string[];
  timeoutMs: number;
  /** Wait before the second attempt; each later wait is three times the one before. */
  retryBaseMs: number;
  /** Send each purge again this long after the first (0: never). */
  delayMs: number;
  /** Tries per purge (default 3). */
  attempts?: number;
  log: (line: string) => void;
  /** Called after each purge request is settled, for tests and metrics. */
  settled?: (url: string, keys: readonly string[], ok: boolean) => void;
}

/** Most keys waiting for one cache before they are replaced by `all`. */
export const MAX_QUEUED_KEYS = 10_000;
/** Longest Surrogate-Key value sent in one request, in bytes (caches accept 16 KB or more). */
const MAX_HEADER_BYTES = 8 * 1024;
/** The key every response carries (see server/surrogate-keys.ts). */
const ALL = 'all';

function addBounded(set: Set<string>, keys: readonly string[]): void {
  if (set.has(ALL)) return;
  for (const key of keys) set.add(key);
  if (set.size > MAX_QUEUED_KEYS) {
    set.clear();
    set.add(ALL);
  }
}

/** The purger; see the module comment. */
export class Purger {
  readonly #options: PurgeOptions;
  readonly #queues = new Map<string, Set<string>>();
  readonly #running = new Set<string>();
  /** Keys waiting for the delayed purge that is timed, and those for the one after it. */
  #delayed = new Set<string>();
  #later = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: PurgeOptions) {
    this.#options = options;
    for (const url of options.urls) this.#queues.set(url, new Set());
  }

  /** Keys waiting to be sent, over every cache (for tests and metrics). */
  get queued(): number {
    let n = 0;
    for (const queue of this.#queues.values()) n += queue.size;
    return n;
  }

  /** Purges these keys from every cache now, and again after the delay. */
  purge(keys: Iterable<string>): void {
    if (this.#closed) return;
    const list = [...keys];
    if (list.length === 0) return;
    this.#send(list);
    if (this.#options.delayMs <= 0) return;
    if (this.#timer) addBounded(this.#later, list);
    else {
      addBounded(this.#delayed, list);
      this.#arm();
    }
  }

  /** Stops sending; timers are cleared and requests in flight finish on their own. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      const due = [...this.#delayed];
      this.#delayed = this.#later;
      this.#later = new Set();
      if (this.#delayed.size > 0) this.#arm();
      this.#send(due);
    }, this.#options.delayMs);
    this.#timer.unref();
  }

  #send(keys: readonly string[]): void {
    for (const [url, queue] of this.#queues) {
      addBounded(queue, keys);
      if (!this.#running.has(url)) void this.#drain(url, queue);
    }
  }

  async #drain(url: string, queue: Set<string>): Promise<void> {
    this.#running.add(url);
    const attempts = this.#options.attempts ?? 3;
    while (!this.#closed && queue.size > 0) {
      const batch = takeBatch(queue);
      const { ok, why } = await callWithRetries(
        {
          method: 'PURGE',
          url,
          headers: { 'Surrogate-Key': batch.join(' ') },
          timeoutMs: this.#options.timeoutMs,
          // The operator named these caches: they are usually on the local network.
          allowPrivate: true,
          userAgent: 'tagfeeds-purge',
        },
        { attempts, retryBaseMs: this.#options.retryBaseMs, stopped: () => this.#closed },
      );
      if (!ok && !this.#closed) this.#options.log(`purge: PURGE ${url} of ${batch.length} key${batch.length === 1 ? '' : 's'} failed after ${attempts} attempts: ${why}`);
      this.#options.settled?.(url, batch, ok);
    }
    this.#running.delete(url);
  }
}

/** Takes from the queue as many keys as fit in one Surrogate-Key value. */
function takeBatch(queue: Set<string>): string[] {
  const batch: string[] = [];
  let bytes = 0;
  for (const key of queue) {
    if (batch.length > 0 && bytes + key.length + 1 > MAX_HEADER_BYTES) break;
    batch.push(key);
    bytes += key.length + 1;
  }
  for (const key of batch) queue.delete(key);
  return batch;
}
