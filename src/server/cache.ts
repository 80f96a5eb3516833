/**
 * The cache of prepared responses. Each entry belongs to one scope of the index (`site`, `tag:<key>`,
 * …), or to several (a tag combination depends on each of its tags), and is dropped when a change
 * touches one of them, so an unchanged feed is never rendered twice.
 * A scope holds any number of variants (three feeds, pages 1, 2, …, every archive document), so the
 * cache remembers which keys each scope holds, in step with the LRU's own insertions and evictions:
 * invalidating a scope deletes exactly its entries, and the bookkeeping is bounded with the LRU.
 * Bounded in bytes, least recently used first out, so a crawl over every tag cannot grow memory
 * without limit. Concurrent requests for the same missing entry share one render.
 *
 * Archive documents (`Prepared.archive`) may be given a bound of their own: there are thousands of them
 * at 100k articles (8,000 for the site and its largest tag, 850 MiB), each read about once by a
 * crawler or a backfilling reader, and a shared cache in front keeps them for a day. Kept with the
 * feeds, one crawl would push every polled feed out and fill the whole bound with documents nobody
 * asks for again; kept apart, they cost at most their own bound (bench/RESULTS.md, archives section).
 *
 * Under that bound an archive document is kept from its second request on, as nginx's
 * `proxy_cache_min_uses 2`: the first request renders, answers and drops it. A crawl reads each
 * document once, and a document kept in an LRU until it is evicted has lived long enough for V8 to move
 * its objects to the old generation, where its bytes (outside the JS heap) wait for a full collection:
 * at 100k articles a crawl through the 8 MiB bound left up to 64 MiB of evicted documents waiting for
 * one (V8 starts a full collection when external memory has grown by 64 MiB), in glibc's heap
 * besides. A document dropped right after its answer dies young and is freed by the next scavenge.
 * Which archive keys were asked once is remembered for the last `ARCHIVE_SEEN_KEYS` of them.
 */
import { LRUCache } from 'lru-cache';
import type { Prepared } from './prepared.ts';

/**
 * A variant of a scope's responses (`rss`, `page`, `page-2`, `archive-3-atom`, …): keys are
 * `<scope> <variant>`, and a variant holds no space, so the scope is everything before the last one.
 */
export type Variant = string;

const scopeOf = (key: string) => key.slice(0, key.lastIndexOf(' '));

/**
 * How many archive keys asked for once are remembered, for the second request to keep the document
 * (a few hundred KB of keys: a reader paging back asks again within minutes, a crawl of 8,000
 * documents never does).
 */
export const ARCHIVE_SEEN_KEYS = 4096;

/** Something that tells whether the data changed while a response was being built. */
export interface Generation {
  readonly generation: number;
}

/** The cache; see the module comment. */
export class ResponseCache {
  readonly #lru: LRUCache<string, Prepared>;
  /** Archive documents, when they have a bound of their own (else they are in `#lru`). */
  readonly #archives: LRUCache<string, Prepared> | undefined;
  /** Archive keys built once and not kept (see the module comment); with `#archives` only. */
  readonly #archivesSeen: LRUCache<string, true> | undefined;
  readonly #pending = new Map<string, Promise<Prepared | undefined>>();
  /** The key each cached response is held under, so that `recount` can find it. */
  readonly #keys = new WeakMap<Prepared, string>();
  readonly #source: Generation;
  /** The keys held per scope: exactly the LRU's keys, grouped. */
  readonly #scopes = new Map<string, Set<string>>();
  /**
   * The further scopes of keys that depend on several (a tag combination depends on each of its tags'):
   * such a key is held under each, so that a change to any one drops it. Entries live as long as their
   * key is in the LRU, so this is bounded with it.
   */
  readonly #alsoIn = new Map<string, readonly string[]>();

  readonly #built: ((seconds: number) => void) | undefined;

  /**
   * `built` is told how long each build took (for the render-time metric). `archiveBytes` bounds the
   * archive documents apart from the rest (see the module comment); without it they share `maxBytes`.
   */
  constructor(source: Generation, maxBytes = 64 * 1024 * 1024, built?: (seconds: number) => void, archiveBytes?: number) {
    this.#source = source;
    this.#built = built;
    const bounded = (bytes: number) => new LRUCache<string, Prepared>({
      maxSize: bytes,
      sizeCalculation: (prepared) => prepared.size,
      // Called for evictions and deletions. 'set' is a value replaced under the same key (still held),
      // or one too large to keep (then `#put` sees the key gone and forgets it itself).
      dispose: (_value, key, reason) => {
        if (reason !== 'set') this.#forget(key);
      },
    });
    this.#lru = bounded(maxBytes);
    this.#archives = archiveBytes === undefined ? undefined : bounded(archiveBytes);
    this.#archivesSeen = archiveBytes === undefined ? undefined : new LRUCache({ max: ARCHIVE_SEEN_KEYS });
  }

  /** Number of distinct keys the per-scope bookkeeping holds (always `size`: exposed for tests). */
  get trackedKeys(): number {
    const all = new Set<string>();
    for (const keys of this.#scopes.values()) for (const key of keys) all.add(key);
    return all.size;
  }

  /** Number of entries held. */
  get size(): number {
    return this.#lru.size + (this.#archives?.size ?? 0);
  }

  /** Bytes held (bodies and their compressed variants), archive documents included. */
  get bytes(): number {
    return this.#lru.calculatedSize + (this.#archives?.calculatedSize ?? 0);
  }

  /** The bound on `bytes`. */
  get maxBytes(): number {
    return this.#lru.maxSize + (this.#archives?.maxSize ?? 0);
  }

  /** Bytes of archive documents held under their own bound (0 when they share the main one). */
  get archiveBytes(): number {
    return this.#archives?.calculatedSize ?? 0;
  }

  /**
   * The cached response, or the one `build` makes (undefined: nothing to serve, e.g. an unknown tag,
   * which is not cached). A response built while the data changed is served but not kept. `scope` may
   * be several: the first names the entry, and a change to any of them drops it (a tag combination
   * is `['combination:a+b', 'tag:a', 'tag:b']`).
   */
  get(scope: string | readonly string[], variant: Variant, build: () => Promise<Prepared | undefined>): Prepared | Promise<Prepared | undefined> {
    // Several scopes: the first names the entry (it must be unique to it), the others are what it depends on too.
    const [first, ...also] = typeof scope === 'string' ? [scope] : scope;
    const key = `${first} ${variant}`;
    const hit = this.#lru.get(key) ?? this.#archives?.get(key);
    if (hit) return hit; // answered synchronously: the hot path renders nothing and awaits nothing
    const pending = this.#pending.get(key);
    if (pending) return pending;
    const generation = this.#source.generation;
    const started = this.#built ? performance.now() : 0;
    const job = build()
      .then((prepared) => {
        this.#built?.((performance.now() - started) / 1000);
        // What the response depends on, whether or not it is kept here: its Surrogate-Key names these,
        // and a CDN keeps what this cache does not (an archive document asked for once, a response
        // built while the data changed) just as long, so a purge must reach it all the same.
        if (prepared) prepared.scopes = also.length > 0 ? [first!, ...also] : [first!];
        if (prepared && this.#source.generation === generation && this.#admit(key, prepared)) {
          this.#keys.set(prepared, key);
          if (also.length > 0) this.#alsoIn.set(key, also);
          prepared.onGrow(() => this.recount(prepared));
          this.#put(key, prepared);
        }
        return prepared;
      })
      .finally(() => this.#pending.delete(key));
    this.#pending.set(key, job);
    return job;
  }

  /**
   * The key a response is held under, while this cache holds it (undefined once it was dropped or
   * replaced, and for one never kept: built while the data changed). The fast path (fast-path.ts)
   * remembers a request path by it.
   */
  keyOf(prepared: Prepared): string | undefined {
    const key = this.#keys.get(prepared);
    return key !== undefined && this.#lruFor(prepared).peek(key) === prepared ? key : undefined;
  }

  /**
   * The response held under a key, if any, marked as just used (as `get` does): the fast path reads
   * its responses here, every time, so it never serves one this cache has dropped.
   */
  held(key: string): Prepared | undefined {
    return this.#lru.get(key) ?? this.#archives?.get(key);
  }

  /** Drops every entry of the scopes a change touched. */
  invalidate(scopes: Iterable<string>): void {
    for (const scope of scopes) {
      const keys = this.#scopes.get(scope);
      // A copy: each delete's dispose takes the key out of the set being walked.
      if (!keys) continue;
      for (const key of [...keys]) if (!this.#lru.delete(key)) this.#archives?.delete(key);
    }
  }

  /** Whether to keep a response just built: always, but an archive document under its own bound only when asked for before. */
  #admit(key: string, prepared: Prepared): boolean {
    if (!prepared.archive || !this.#archivesSeen) return true;
    if (this.#archivesSeen.delete(key)) return true;
    this.#archivesSeen.set(key, true);
    return false;
  }

  /** The LRU that keeps this response. */
  #lruFor(prepared: Prepared): LRUCache<string, Prepared> {
    return (prepared.archive && this.#archives) || this.#lru;
  }

  #put(key: string, prepared: Prepared): void {
    const lru = this.#lruFor(prepared);
    lru.set(key, prepared);
    if (!lru.has(key)) {
      this.#forget(key);
      return;
    }
    for (const scope of this.#scopesOf(key)) {
      const keys = this.#scopes.get(scope);
      if (keys) keys.add(key);
      else this.#scopes.set(scope, new Set([key]));
    }
  }

  #forget(key: string): void {
    for (const scope of this.#scopesOf(key)) {
      const keys = this.#scopes.get(scope);
      if (!keys) continue;
      keys.delete(key);
      if (keys.size === 0) this.#scopes.delete(scope);
    }
    this.#alsoIn.delete(key);
  }

  #scopesOf(key: string): string[] {
    return [scopeOf(key), ...(this.#alsoIn.get(key) ?? [])];
  }

  /**
   * Counts a response again after it grew (a compressed variant is made on the first request that asks
   * for it, after the response was cached: the response tells, see `Prepared.onGrow`), so that the
   * bound holds for what is really kept.
   */
  recount(prepared: Prepared): void {
    const key = this.#keys.get(prepared);
    // The size is read after the variant is kept: the response calls back once the bytes are made.
    const lru = this.#lruFor(prepared);
    if (key === undefined || lru.peek(key) !== prepared) return;
    // lru-cache keeps the old size when the same value is set again: take it out and put it back.
    const also = this.#alsoIn.get(key);
    lru.delete(key);
    if (also) this.#alsoIn.set(key, also);
    this.#put(key, prepared);
  }
}
