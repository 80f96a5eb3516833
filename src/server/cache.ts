/**
 * The cache of prepared responses. Each entry belongs to one scope of the index (`site`, `tag:<key>`,
 * …) and is dropped when a change touches that scope, so an unchanged feed is never rendered twice.
 * Bounded in bytes, least recently used first out, so a crawl over every tag cannot grow memory
 * without limit. Concurrent requests for the same missing entry share one render.
 */
import { LRUCache } from 'lru-cache';
import { preparedSize, type Prepared } from './prepared.ts';

/** The variants kept per scope (their keys are `<scope> <variant>`). */
export const VARIANTS = ['rss', 'atom', 'json', 'page', 'opml'] as const;
export type Variant = (typeof VARIANTS)[number];

/** Something that tells whether the data changed while a response was being built. */
export interface Generation {
  readonly generation: number;
}

/** The cache; see the module comment. */
export class ResponseCache {
  readonly #lru: LRUCache<string, Prepared>;
  readonly #pending = new Map<string, Promise<Prepared | undefined>>();
  /** The key each cached response is held under, so that `recount` can find it. */
  readonly #keys = new WeakMap<Prepared, string>();
  readonly #source: Generation;

  constructor(source: Generation, maxBytes = 64 * 1024 * 1024) {
    this.#source = source;
    this.#lru = new LRUCache({ maxSize: maxBytes, sizeCalculation: preparedSize });
  }

  /** Number of entries held. */
  get size(): number {
    return this.#lru.size;
  }

  /** Bytes held (bodies and their compressed variants). */
  get bytes(): number {
    return this.#lru.calculatedSize;
  }

  /** The bound on `bytes`. */
  get maxBytes(): number {
    return this.#lru.maxSize;
  }

  /**
   * The cached response, or the one `build` makes (undefined: nothing to serve, e.g. an unknown tag,
   * which is not cached). A response built while the data changed is served but not kept.
   */
  get(scope: string, variant: Variant, build: () => Promise<Prepared | undefined>): Prepared | Promise<Prepared | undefined> {
    const key = `${scope} ${variant}`;
    const hit = this.#lru.get(key);
    if (hit) return hit; // answered synchronously: the hot path renders nothing and awaits nothing
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const generation = this.#source.generation;
    const job = build()
      .then((prepared) => {
        if (prepared && this.#source.generation === generation) {
          this.#keys.set(prepared, key);
          this.#lru.set(key, prepared);
        }
        return prepared;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, job);
    return job;
  }

  /** Drops every entry of the scopes a change touched. */
  invalidate(scopes: Iterable<string>): void {
    for (const scope of scopes) for (const variant of VARIANTS) this.#lru.delete(`${scope} ${variant}`);
  }

  /**
   * Counts a response again after it grew (a compressed variant is made on the first request that asks
   * for it, after the response was cached), so that the bound holds for what is really kept.
   */
  recount(prepared: Prepared): void {
    const key = this.#keys.get(prepared);
    if (key === undefined || this.#lru.peek(key) !== prepared) return;
    // lru-cache keeps the old size when the same value is set again: take it out and put it back.
    this.#lru.delete(key);
    this.#lru.set(key, prepared);
  }
}
