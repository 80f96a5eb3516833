/**
 * The fast path (src/server/fast-path.ts) against the Hono path it stands in for: two real servers on
 * 127.0.0.1 over one app (so one cache, one set of ETags), one with the fast path in front and one
 * without, compared byte for byte on the wire.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createRequestListener, type RequestListener } from '../../src/server/fast-path.ts';
import { createArticle, createTestApp, type TestApp } from '../support/factory.ts';

const LONG = `<p>${'A paragraph long enough to make the feed worth compressing. '.repeat(12)}</p>`;

function articles() {
  return Array.from({ length: 5 }, (_, i) =>
    createArticle({
      id: `a${i}`,
      title: `Article ${i}`,
      date: new Date(Date.UTC(2024, 4, 1 + i)),
      tags: i % 2 === 0 ? ['日本', 'Gas'] : ['Gas'],
      contentHtml: LONG,
    }),
  );
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    server.close();
  }
});

async function listen(listener: RequestListener): Promise<number> {
  const server = createServer(listener);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

/** Both servers of one app; `answered` lists what the fast path's `answer` returned, in order. */
async function pair(test: TestApp) {
  const fast = test.fast!;
  const answer = vi.spyOn(fast, 'answer');
  const withFast = await listen(createRequestListener(test));
  const honoOnly = await listen(createRequestListener({ app: test.app }));
  return { withFast, honoOnly, answered: () => answer.mock.results.map((r) => r.value as boolean) };
}

/** Sends one raw HTTP/1.1 request and returns every byte of the answer, the Date line taken out. */
async function exchange(port: number, method: string, target: string, headers: [string, string][] = []): Promise<Buffer> {
  const socket = connect(port, '127.0.0.1');
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: feeds.test', 'Connection: close', ...headers.map(([k, v]) => `${k}: ${v}`)];
  socket.end(`${lines.join('\r\n')}\r\n\r\n`);
  const chunks: Buffer[] = [];
  for await (const chunk of socket) chunks.push(chunk as Buffer);
  const all = Buffer.concat(chunks);
  const end = all.indexOf('\r\n\r\n');
  const head = all.subarray(0, end).toString('latin1').replace(/\r\nDate: [^\r]*/u, '');
  return Buffer.concat([Buffer.from(head, 'latin1'), all.subarray(end)]);
}

function headerOf(answer: Buffer, name: string): string | undefined {
  const head = answer.subarray(0, answer.indexOf('\r\n\r\n')).toString('latin1');
  return new RegExp(`\\r\\n${name}: ([^\\r]*)`, 'iu').exec(head)?.[1];
}

const JAPAN = `/tags/${encodeURIComponent('日本')}`;
const PATHS = ['/rss.xml', '/atom.xml', '/feed.json', `${JAPAN}/rss.xml`, `${JAPAN.toLowerCase()}/atom.xml`, '/tags/gas/feed.json', '/tags/GAS/rss.xml', '/', '/tags', '/articles/a1', '/archive/1/rss.xml', '/tags/gas/archive/1/atom.xml', '/sitemap.xml', '/robots.txt'];

describe('the fast path', () => {
  it('answers cached responses with the same bytes as the Hono path, for every coding and condition', async () => {
    const test = createTestApp(articles(), { config: { feedLimit: 4, archiveSize: 2 } });
    const { withFast, honoOnly, answered } = await pair(test);
    for (const path of PATHS) {
      const first = await exchange(honoOnly, 'GET', path);
      expect(first.toString('latin1', 0, 12), path).toBe('HTTP/1.1 200');
    }
    const etags = new Map<string, string>();
    for (const path of PATHS) {
      for (const coding of ['gzip', 'br']) {
        const etag = headerOf(await exchange(honoOnly, 'GET', path, [['Accept-Encoding', coding]]), 'etag');
        etags.set(`${path} ${coding}`, etag!);
      }
      etags.set(`${path} identity`, headerOf(await exchange(honoOnly, 'GET', path), 'etag')!);
    }
    const cases: { method?: string; query?: string; headers: [string, string][]; fast: boolean }[] = [
      { headers: [], fast: true },
      { headers: [['Accept-Encoding', 'gzip']], fast: true },
      { headers: [['Accept-Encoding', 'br']], fast: true },
      { headers: [['Accept-Encoding', 'gzip, deflate, br']], fast: true },
      { headers: [['Accept-Encoding', 'identity']], fast: true },
      { headers: [['Accept-Encoding', 'br;q=0, *']], fast: true },
      { headers: [['Accept-Encoding', 'gzip;q=1, br;q=0.5']], fast: true },
      { headers: [['Accept-Encoding', '']], fast: true },
      { headers: [['Accept-Encoding', 'gzip'], ['Accept-Encoding', 'br']], fast: true },
      { headers: [['Accept-Encoding', 'gzip'], ['If-None-Match', '{gzip}']], fast: true },
      { headers: [['Accept-Encoding', 'br'], ['If-None-Match', '{br}']], fast: true },
      { headers: [['If-None-Match', '{identity}']], fast: true },
      { headers: [['If-None-Match', 'W/{gzip}']], fast: true },
      { headers: [['If-None-Match', '"other", {br}']], fast: true },
      { headers: [['If-None-Match', '"mismatch"']], fast: true },
      { headers: [['If-None-Match', '*']], fast: true },
      { headers: [['If-Modified-Since', 'Fri, 01 Jan 2100 00:00:00 GMT']], fast: true },
      { headers: [['If-Modified-Since', 'Sat, 01 Jan 2000 00:00:00 GMT']], fast: true },
      { headers: [['If-Modified-Since', 'not a date']], fast: true },
      // Node keeps the first of two If-Modified-Since; the adapter's Headers join them (no date).
      { headers: [['If-Modified-Since', 'Fri, 01 Jan 2100 00:00:00 GMT'], ['If-Modified-Since', 'Sat, 01 Jan 2000 00:00:00 GMT']], fast: true },
      { headers: [['If-None-Match', '"mismatch"'], ['If-Modified-Since', 'Fri, 01 Jan 2100 00:00:00 GMT']], fast: true },
      // Another variant held: the 304 names it.
      { headers: [['If-None-Match', '{gzip}']], fast: true },
      { headers: [['Accept-Encoding', 'br'], ['If-None-Match', '{identity}, {gzip}']], fast: true },
      // A 412 or its absence is Hono's to answer.
      { headers: [['If-Match', '"mismatch"']], fast: false },
      { headers: [['If-Match', '{identity}']], fast: false },
      { headers: [['If-Unmodified-Since', 'Sat, 01 Jan 2000 00:00:00 GMT']], fast: false },
      { method: 'HEAD', headers: [['Accept-Encoding', 'gzip']], fast: true },
      { method: 'HEAD', headers: [['If-None-Match', '{identity}']], fast: true },
      { query: '?utm_source=reader&x=%ZZ', headers: [['Accept-Encoding', 'br']], fast: true },
      { query: '?', headers: [], fast: true },
      { method: 'OPTIONS', headers: [['Access-Control-Request-Headers', 'If-None-Match']], fast: false },
      { method: 'POST', headers: [['Content-Length', '0']], fast: false },
    ];
    for (const path of PATHS) {
      for (const c of cases) {
        const headers = c.headers.map(([k, v]): [string, string] => [k, v.replace(/\{(\w+)\}/u, (_, coding: string) => etags.get(`${path} ${coding}`)!)]);
        const target = path + (c.query ?? '');
        const what = `${c.method ?? 'GET'} ${target} ${JSON.stringify(headers)}`;
        const expected = await exchange(honoOnly, c.method ?? 'GET', target, headers);
        const before = answered().length;
        const actual = await exchange(withFast, c.method ?? 'GET', target, headers);
        expect(answered().slice(before), what).toEqual([c.fast]);
        expect(actual.toString('latin1'), what).toBe(expected.toString('latin1'));
      }
    }
    // The table reached 304s and compressed bodies, not only plain 200s.
    const notModified = await exchange(withFast, 'GET', '/rss.xml', [['If-None-Match', etags.get('/rss.xml gzip')!]]);
    expect(notModified.toString('latin1', 0, 12)).toBe('HTTP/1.1 304');
    expect(headerOf(await exchange(withFast, 'GET', '/rss.xml', [['Accept-Encoding', 'br']]), 'content-encoding')).toBe('br');
  });

  it('writes the same bytes on a kept-alive connection and to an HTTP/1.0 client, whose connection node closes', async () => {
    const test = createTestApp(articles());
    const { withFast, honoOnly, answered } = await pair(test);
    await exchange(withFast, 'GET', '/rss.xml');
    const etag = headerOf(await exchange(withFast, 'GET', '/rss.xml', [['Accept-Encoding', 'gzip']]), 'etag')!;
    // Three requests on one connection (the last one closes it), then one from an HTTP/1.0 client.
    const raw = async (port: number, text: string) => {
      const socket = connect(port, '127.0.0.1');
      socket.end(text);
      return Buffer.concat((await socket.toArray()) as Buffer[]).toString('latin1').replace(/\r\nDate: [^\r]*/gu, '');
    };
    const kept = ['GET /rss.xml HTTP/1.1\r\nHost: feeds.test\r\n\r\n', `GET /rss.xml HTTP/1.1\r\nHost: feeds.test\r\nAccept-Encoding: gzip\r\nIf-None-Match: ${etag}\r\n\r\n`, 'HEAD /rss.xml HTTP/1.1\r\nHost: feeds.test\r\nConnection: close\r\n\r\n'].join('');
    const old = `GET /rss.xml HTTP/1.0\r\nHost: feeds.test\r\nIf-None-Match: ${etag}, "x"\r\n\r\n`;
    for (const [text, requests] of [[kept, 3], [old, 1]] as const) {
      const n = answered().length;
      const expected = await raw(honoOnly, text);
      const actual = await raw(withFast, text);
      expect(answered().slice(n)).toEqual(Array(requests).fill(true));
      expect(actual).toBe(expected);
    }
    const answers = (await raw(withFast, kept)).split('HTTP/1.1 ').slice(1);
    expect(answers.map((a) => a.slice(0, 3))).toEqual(['200', '304', '200']);
    expect(answers.map((a) => /\r\nConnection: ([^\r]*)/u.exec(a)?.[1])).toEqual(['keep-alive', 'keep-alive', 'close']);
    expect(await raw(withFast, old)).toMatch(/^HTTP\/1\.1 304 Not Modified\r\n[\s\S]*\r\nConnection: close\r\n\r\n$/u);
  });

  it('leaves to Hono what it was not taught: misses, 404s, trailing slashes, odd targets and hosts', async () => {
    const test = createTestApp(articles());
    const { withFast, honoOnly, answered } = await pair(test);
    const before = await exchange(withFast, 'GET', '/rss.xml');
    expect(answered()).toEqual([false]); // not learned yet: Hono answers, and teaches the path
    expect(before.toString('latin1')).toBe((await exchange(honoOnly, 'GET', '/rss.xml')).toString('latin1'));
    await exchange(withFast, 'GET', '/rss.xml');
    expect(answered()).toEqual([false, true]);
    for (const [target, host] of [['/rss.xml/', 'feeds.test'], ['/tags/nope/rss.xml', 'feeds.test'], ['/tags/gas/', 'feeds.test'], ['/rss.xml#top', 'feeds.test'], ['/rss.xml', 'Feeds.TEST'], ['/rss.xml', 'feeds.test:80'], ['/tags/%ZZ/rss.xml', 'feeds.test']] as const) {
      const send = (port: number) => {
        const socket = connect(port, '127.0.0.1');
        socket.end(`GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
        return socket.toArray().then((chunks) => Buffer.concat(chunks as Buffer[]).toString('latin1').replace(/\r\nDate: [^\r]*/u, ''));
      };
      const n = answered().length;
      const expected = await send(honoOnly);
      expect(await send(withFast), `${target} ${host}`).toBe(expected);
      expect(answered().slice(n), `${target} ${host}`).toEqual([false]);
    }
  });

  it('never serves the old bytes after a change drops the response', async () => {
    const test = createTestApp(articles());
    const { withFast, answered } = await pair(test);
    await exchange(withFast, 'GET', '/tags/gas/rss.xml');
    const cached = await exchange(withFast, 'GET', '/tags/gas/rss.xml');
    expect(answered()).toEqual([false, true]);
    expect(cached.toString('utf8')).not.toContain('Breaking: a new article');
    const etag = headerOf(cached, 'etag')!;
    test.upsert(createArticle({ id: 'new', title: 'Breaking: a new article', date: new Date(Date.UTC(2024, 6, 1)), tags: ['Gas'] }));
    const fresh = await exchange(withFast, 'GET', '/tags/gas/rss.xml', [['If-None-Match', etag]]);
    expect(fresh.toString('latin1', 0, 12)).toBe('HTTP/1.1 200');
    expect(fresh.toString('utf8')).toContain('Breaking: a new article');
    expect(headerOf(fresh, 'etag')).not.toBe(etag);
    expect(answered().at(-1)).toBe(false); // dropped: Hono built it anew
    const again = await exchange(withFast, 'GET', '/tags/gas/rss.xml');
    expect(answered().at(-1)).toBe(true);
    expect(again.toString('utf8')).toContain('Breaking: a new article');
  });

  it('counts requests and cache hits in /metrics as the Hono path does', async () => {
    const sequence: [string, [string, string][]][] = [
      ['/rss.xml', []],
      ['/rss.xml', []],
      ['/tags/gas/feed.json', [['Accept-Encoding', 'gzip']]],
      ['/rss.xml', [['If-None-Match', '{etag}']]],
      ['/rss.xml', [['If-None-Match', '{etag}']]],
      ['/articles/a1', []],
      ['/articles/a1', []],
      ['/tags/nope/rss.xml', []],
    ];
    const counts = async (fastOn: boolean) => {
      const test = createTestApp(articles());
      const answer = vi.spyOn(test.fast!, 'answer');
      const port = await listen(createRequestListener(fastOn ? test : { app: test.app }));
      const etag = headerOf(await exchange(port, 'GET', '/rss.xml'), 'etag')!;
      for (const [path, headers] of sequence) await exchange(port, 'GET', path, headers.map(([k, v]) => [k, v.replace('{etag}', etag)]));
      const text = (await exchange(port, 'GET', '/metrics')).toString('utf8');
      const lines = text.split('\n').filter((l) => /^tagfeeds_(http_requests|response_cache)_total\{/u.test(l));
      return { lines, fastAnswers: answer.mock.results.filter((r) => r.value === true).length };
    };
    const hono = await counts(false);
    const fast = await counts(true);
    expect(hono.fastAnswers).toBe(0);
    expect(fast.fastAnswers).toBe(5);
    expect(fast.lines).toEqual(hono.lines);
    expect(fast.lines).toContain('tagfeeds_http_requests_total{route="feed",status="304"} 2');
    expect(fast.lines).toContain('tagfeeds_response_cache_total{result="hit"} 5');
  });

  it('is not made with request logging on, so that the logger sees every request', () => {
    expect(createTestApp(articles(), { config: { logRequests: true } }).fast).toBeUndefined();
    expect(createTestApp(articles()).fast).toBeDefined();
  });
});
