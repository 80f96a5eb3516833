/**
 * The rate of subscription requests per client: a token bucket per client address (a burst of `burst`
 * requests, refilled at `perSecond`), the buckets kept in a bounded LRU so that many clients cannot grow
 * memory. The defaults let an aggregator subscribe to a thousand topics at once.
 */
import { LRUCache } from 'lru-cache';

interface Bucket {
  tokens: number;
  at: number;
}

/** A per-client token bucket; see the module comment. */
export class RateLimiter {
  readonly #buckets = new LRUCache<string, Bucket>({ max: 10_000 });
  readonly #burst: number;
  readonly #perMs: number;
  readonly #now: () => number;

  constructor(options: { burst: number; perSecond: number; now?: () => number }) {
    this.#burst = options.burst;
    this.#perMs = options.perSecond / 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Takes one request from the client's bucket; false when it is empty. */
  take(client: string): boolean {
    const now = this.#now();
    const bucket = this.#buckets.get(client) ?? { tokens: this.#burst, at: now };
    bucket.tokens = Math.min(this.#burst, bucket.tokens + (now - bucket.at) * this.#perMs);
    bucket.at = now;
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    this.#buckets.set(client, bucket);
    return allowed;
  }
}
