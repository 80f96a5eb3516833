/**
 * Splitting an export between threads. Every thread runs `toSSG` over the whole app; its
 * `beforeRequestHook` sees the request that asks each route for its parameters, lets the static routes
 * through in shard 0 only, and for a parameterised route replaces the list that the route's
 * `ssgParams` sets on that request (hono's `AddedSSGDataRequest.ssgParams`) with every n-th value.
 */
import type { BeforeRequestHook } from 'hono/ssg';

/** The values of a route's parameters, as `ssgParams` lists them. */
type SSGParams = Record<string, string>[];

/** The hook of shard `shard` (from 0) of `shards`. */
export function shardHook(shard: number, shards: number): BeforeRequestHook {
  return (req) => {
    const route = new URL(req.url).pathname;
    if (!route.split('/').some((segment) => segment.startsWith(':'))) return shard === 0 ? req : false;
    if (shards === 1) return req;
    let mine: SSGParams | undefined;
    Object.defineProperty(req, 'ssgParams', {
      configurable: true,
      get: () => mine,
      // Lists are ordered the same way in every thread (tags by use, articles newest first), so every
      // n-th value gives each shard a fair share of the big feeds and the small ones.
      set: (all: SSGParams) => {
        mine = all.filter((_, i) => i % shards === shard);
      },
    });
    return req;
  };
}
