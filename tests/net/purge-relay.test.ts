import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPurgeRelay, purgeCalls, type PurgeTarget } from '../../src/net/purge-relay.ts';
import { Purger } from '../../src/net/purger.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => { s.closeAllConnections(); s.close(r); })));
});

async function listen(server: Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A stand-in for a CDN API on loopback that records each call. */
async function fakeApi(status = 200) {
  const calls: { method: string; url: string; headers: Record<string, unknown>; body: string }[] = [];
  const url = await listen(
    createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        calls.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        res.writeHead(status, { 'Content-Type': 'application/json' }).end('{"status":"ok"}');
      });
    }),
  );
  return { url, calls };
}

describe('purgeCalls', () => {
  it('makes Fastly purge-by-key calls of at most 256 keys with the token header', () => {
    const keys = Array.from({ length: 300 }, (_, i) => `t-${i}`);
    const calls = purgeCalls({ provider: 'fastly', id: 'SVC', token: 'tok' }, keys, 1000);
    expect(calls.map((c) => [c.method, c.url])).toEqual([
      ['POST', 'https://api.fastly.com/service/SVC/purge'],
      ['POST', 'https://api.fastly.com/service/SVC/purge'],
    ]);
    expect(calls[0]!.headers).toMatchObject({ 'Fastly-Key': 'tok', 'Surrogate-Key': keys.slice(0, 256).join(' ') });
  });

  it('makes Cloudflare purge-by-tag calls of at most 30 tags as JSON', () => {
    const keys = Array.from({ length: 31 }, (_, i) => `t-${i}`);
    const calls = purgeCalls({ provider: 'cloudflare', id: 'ZONE', token: 'tok' }, keys, 1000);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.url).toBe('https://api.cloudflare.com/client/v4/zones/ZONE/purge_cache');
    expect(calls[0]!.headers).toMatchObject({ Authorization: 'Bearer tok' });
    expect(JSON.parse(calls[1]!.body as string)).toEqual({ tags: ['t-30'] });
  });
});

describe('the purge relay', () => {
  it('turns the PURGE the server sends into the CDN API call', async () => {
    const api = await fakeApi();
    const target: PurgeTarget = { provider: 'cloudflare', id: 'ZONE', token: 'secret', api: api.url };
    const relay = await listen(createPurgeRelay(target, { timeoutMs: 2000, log: () => {} }));
    const settled: boolean[] = [];
    const purger = new Purger({ urls: [`${relay}/`], timeoutMs: 2000, retryBaseMs: 20, delayMs: 0, log: () => {}, settled: (_u, _k, ok) => settled.push(ok) });
    purger.purge(['site', 't-venezuela']);
    for (let i = 0; i < 200 && settled.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    purger.close();
    expect(settled).toEqual([true]);
    expect(api.calls).toEqual([{ method: 'POST', url: '/zones/ZONE/purge_cache', headers: expect.objectContaining({ authorization: 'Bearer secret' }), body: '{"tags":["site","t-venezuela"]}' }]);
  });

  it('answers 502 when the CDN refuses, so the server tries again', async () => {
    const api = await fakeApi(403);
    const logged: string[] = [];
    const relay = await listen(createPurgeRelay({ provider: 'fastly', id: 'SVC', token: 't', api: api.url }, { timeoutMs: 2000, log: (l) => logged.push(l) }));
    const res = await fetch(`${relay}/`, { method: 'PURGE', headers: { 'Surrogate-Key': 'site' } });
    expect(res.status).toBe(502);
    expect(api.calls[0]!.headers).toMatchObject({ 'fastly-key': 't', 'surrogate-key': 'site' });
    expect(logged).toEqual([expect.stringContaining('fastly purge of 1 keys failed: answered 403')]);
  });

  it('refuses anything but a PURGE with keys', async () => {
    const api = await fakeApi();
    const relay = await listen(createPurgeRelay({ provider: 'fastly', id: 'SVC', token: 't', api: api.url }, { timeoutMs: 2000, log: () => {} }));
    expect((await fetch(`${relay}/`)).status).toBe(405);
    expect((await fetch(`${relay}/`, { method: 'PURGE' })).status).toBe(400);
    expect(api.calls).toHaveLength(0);
  });
});
