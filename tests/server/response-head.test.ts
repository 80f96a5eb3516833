/**
 * A response head checked once (src/server/response-head.ts) against node's own `res.writeHead`: two
 * routes of one real server on 127.0.0.1, one writing each list through `writeHead(res, …)`, the other
 * through `res.writeHead(status, list)`, compared byte for byte; and the lists it must leave to node.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { responseHead, writeHead } from '../../src/server/response-head.ts';

const LISTS: Record<string, { status: number; list: string[]; body?: string }> = {
  feed: { status: 200, list: ['content-security-policy', "default-src 'none'", 'Cache-Control', 'public, max-age=300', 'Vary', 'Accept-Encoding', 'ETag', '"abc"', 'Content-Type', 'application/rss+xml; charset=utf-8', 'Content-Length', '5'], body: 'hello' },
  // Content-Length not last (a HEAD's list is sorted by name).
  sorted: { status: 200, list: ['cache-control', 'no-cache', 'content-length', '5', 'etag', '"abc"', 'vary', 'Accept-Encoding'], body: 'hello' },
  notModified: { status: 304, list: ['Cache-Control', 'public, max-age=300', 'Surrogate-Key', 'all site', 'ETag', '"abc"'] },
  none: { status: 304, list: [] },
  latin1: { status: 200, list: ['X-Note', 'caf\u00e9', 'Content-Length', '2'], body: 'ok' },
};

let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((req, res) => {
    const [, how, name] = req.url!.split('/') as [string, string, string];
    const { status, list, body } = LISTS[name]!;
    if (how === 'checked-once') writeHead(res, status, responseHead(list));
    else res.writeHead(status, list);
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

/** Every byte the server answers to `text` (requests on one connection), Date lines taken out. */
async function send(text: string): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  socket.end(text);
  return Buffer.concat((await socket.toArray()) as Buffer[]).toString('latin1').replace(/\r\nDate: [^\r]*/gu, '');
}

describe('writeHead with a head checked once', () => {
  it.each(Object.keys(LISTS))('writes the bytes res.writeHead writes (%s), kept alive, closed, over HTTP/1.0 and for HEAD', async (name) => {
    const requests = (how: string) => [
      `GET /${how}/${name} HTTP/1.1\r\nHost: a\r\n\r\n`,
      `HEAD /${how}/${name} HTTP/1.1\r\nHost: a\r\n\r\n`,
      `GET /${how}/${name} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`,
    ].join('');
    const ours = await send(requests('checked-once'));
    expect(ours).toBe(await send(requests('node')));
    expect(ours.split('HTTP/1.1 ').length - 1).toBe(3);
    const old = (how: string) => `GET /${how}/${name} HTTP/1.0\r\n\r\n`;
    expect(await send(old('checked-once'))).toBe(await send(old('node')));
  });

  it('leaves to node a list it cannot write so: a bad name or value (node refuses it the same way), or a line that decides the connection', () => {
    for (const list of [
      ['X-Bad', 'one\r\nSet-Cookie: injected'],
      ['Bad Name', 'x'],
      ['X-Wide', '\u0100'],
      ['Connection', 'close'],
      ['Transfer-Encoding', 'chunked'],
      ['Date', 'Thu, 01 Jan 2026 00:00:00 GMT'],
      ['Content-Length', '1', 'content-length', '1'],
    ]) {
      const head = responseHead(list);
      expect(head.block, list.join(' ')).toBeUndefined();
      expect(head.list).toBe(list);
    }
    const good = responseHead(['ETag', '"x"', 'Content-Length', '12', 'Vary', 'Accept-Encoding']);
    expect(good.block).toBe('ETag: "x"\r\nContent-Length: 12\r\nVary: Accept-Encoding\r\n');
    expect(good.told).toEqual(['Content-Length', '12']);
  });

  it('answers a bad line as res.writeHead does: the request gets an error, not the line', async () => {
    const bad = createServer((_req, res) => {
      try {
        writeHead(res, 200, responseHead(['X-Bad', 'one\r\nSet-Cookie: injected']));
        res.end('no');
      } catch (error) {
        res.writeHead(500, ['Content-Length', '0', 'X-Error', (error as { code: string }).code]);
        res.end();
      }
    });
    bad.listen(0, '127.0.0.1');
    await once(bad, 'listening');
    const socket = connect((bad.address() as AddressInfo).port, '127.0.0.1');
    socket.end('GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n');
    const answer = Buffer.concat((await socket.toArray()) as Buffer[]).toString('latin1');
    bad.close();
    expect(answer).toMatch(/^HTTP\/1\.1 500 /u);
    expect(answer).toContain('X-Error: ERR_INVALID_CHAR');
    expect(answer).not.toContain('injected');
  });
});
