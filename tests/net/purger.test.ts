import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MAX_QUEUED_KEYS, Purger } from '../../src/net/purger.ts';

interface Cache {
  url: string;
  purges: { method: string; keys: string[]; at: number }[];
  server: Server;
}

const servers: Server[] = [];
const purgers: Purger[] = [];

afterEach(async () => {
  for (const p of purgers.splice(0)) p.close();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

/** A cache on 127.0.0.1 that records each PURGE and answers with `answer(n)` (n from 0), after `waitMs`. */
async function startCache(answer: (n: number) => number = () => 200, waitMs = 0): Promise<Cache> {
  const purges: Cache['purges'] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const n = purges.length;
    purges.push({ method: req.method!, keys: String(req.headers['surrogate-key'] ?? '').split(' '), at: Date.now() });
    setTimeout(() => res.writeHead(answer(n)).end(), waitMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, purges, server };
}

function makePurger(urls: string[], options: { delayMs?: number; timeoutMs?: number } = {}) {
  const log: string[] = [];
  const settled: { url: string; keys: readonly string[]; ok: boolean }[] = [];
  const purger = new Purger({
    urls,
    timeoutMs: options.timeoutMs ?? 2000,
    retryBaseMs: 20,
    delayMs: options.delayMs ?? 0,
    log: (l) => log.push(l),
    settled: (url, keys, ok) => settled.push({ url, keys, ok }),
  });
  purgers.push(purger);
  return { purger, log, settled };
}

async function until(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('Purger', () => {
  it('sends PURGE with the changed keys to every cache', async () => {
    const [a, b] = [await startCache(), await startCache()];
    const { purger, settled } = makePurger([a.url, b.url]);
    purger.purge(['site', 't-venezuela']);
    await until(() => settled.length === 2);
    for (const cache of [a, b]) expect(cache.purges).toEqual([{ method: 'PURGE', keys: ['site', 't-venezuela'], at: expect.any(Number) }]);
    expect(settled.every((s) => s.ok)).toBe(true);
  });

  it('coalesces the keys of changes that come while a purge is in flight into one request', async () => {
    const cache = await startCache(() => 200, 200);
    const { purger, settled } = makePurger([cache.url]);
    purger.purge(['site', 't-a']);
    purger.purge(['site', 't-b']);
    purger.purge(['tags', 't-c']);
    await until(() => settled.length === 2);
    expect(cache.purges.map((p) => p.keys)).toEqual([['site', 't-a'], ['site', 't-b', 'tags', 't-c']]);
  });

  it('tries a failing cache again with backoff, then logs once and goes on with later purges', async () => {
    const cache = await startCache((n) => (n < 3 ? 503 : 200));
    const { purger, log, settled } = makePurger([cache.url]);
    purger.purge(['site']);
    await until(() => settled.length === 1);
    expect(cache.purges).toHaveLength(3);
    expect(log).toEqual([expect.stringMatching(/^purge: PURGE http:\/\/127\.0\.0\.1:\d+\/ of 1 key failed after 3 attempts: answered 503$/u)]);
    purger.purge(['t-later']);
    await until(() => settled.length === 2);
    expect(settled[1]).toMatchObject({ keys: ['t-later'], ok: true });
  });

  it('does not let a cache that never answers hold up another cache', async () => {
    const dead = await startCache(() => 200, 60_000);
    const live = await startCache();
    const { purger, settled } = makePurger([dead.url, live.url], { timeoutMs: 300 });
    const started = Date.now();
    purger.purge(['site']);
    await until(() => settled.some((s) => s.url === live.url));
    expect(Date.now() - started).toBeLessThan(250);
    await until(() => settled.some((s) => s.url === dead.url));
    expect(settled.find((s) => s.url === dead.url)!.ok).toBe(false);
  });

  it('sends each purge again after the delay, for caches that fetched from an instance behind', async () => {
    const cache = await startCache();
    const { purger } = makePurger([cache.url], { delayMs: 300 });
    const started = Date.now();
    purger.purge(['t-venezuela']);
    await until(() => cache.purges.length === 2);
    expect(cache.purges[1]!.keys).toEqual(['t-venezuela']);
    expect(cache.purges[1]!.at - started).toBeGreaterThanOrEqual(290);
  });

  it('replaces an overflowing queue by the key every response carries', async () => {
    const cache = await startCache(() => 200, 100);
    const { purger, settled } = makePurger([cache.url]);
    purger.purge(['first']);
    purger.purge(Array.from({ length: MAX_QUEUED_KEYS + 1 }, (_, i) => `t-${i}`));
    expect(purger.queued).toBe(1);
    await until(() => settled.length === 2);
    expect(cache.purges[1]!.keys).toEqual(['all']);
  });

  it('splits many keys into requests whose Surrogate-Key stays under 8 KB', async () => {
    const cache = await startCache();
    const { purger, settled } = makePurger([cache.url]);
    const keys = Array.from({ length: 2000 }, (_, i) => `t-tag-number-${i}`);
    purger.purge(keys);
    await until(() => settled.length >= 2 && purger.queued === 0 && settled.flatMap((s) => s.keys).length === keys.length);
    expect(cache.purges.flatMap((p) => p.keys)).toEqual(keys);
    for (const p of cache.purges) expect(p.keys.join(' ').length).toBeLessThanOrEqual(8192);
  });
});
