/**
 * Requests node:http refuses before the app sees them, against a real server: each gets its status
 * and a one-line reason (node's own answer had an empty body).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type LiveServer } from '../support/live-server.ts';

let server: LiveServer;

beforeAll(async () => {
  server = await startServer(['--articles-dir', 'articles']);
});
afterAll(() => server?.stop());

/** Sends raw bytes and reads the whole answer (the server closes the connection after these). */
function raw(request: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(request));
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer in 5 s')));
  });
}

describe('requests node:http cannot read', () => {
  it.each([
    ['a method it does not know', 'FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 501, /the method is not one this server knows/u],
    ['a line that is no request line', 'GARBAGE\r\n\r\n', 400, /the request cannot be read/u],
    ['a header line without a colon', 'GET / HTTP/1.1\r\nHost x\r\n\r\n', 400, /the request cannot be read/u],
    ['a raw byte outside ASCII in the path', Buffer.from('GET /tags/\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'), 400, /the request cannot be read/u],
    ['a header section over 16 KB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, /header section is too large/u],
  ])('answers %s with its status and a reason', async (_what, request, status, reason) => {
    const answer = await raw(request);
    expect(answer.split('\r\n')[0]).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `, 'u'));
    expect(answer).toMatch(/\r\ncontent-type: text\/plain; charset=utf-8\r\n/iu);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(body).toMatch(reason);
    expect(answer).toMatch(new RegExp(`\\r\\ncontent-length: ${Buffer.byteLength(body)}\\r\\n`, 'iu'));
  });

  it.each([
    ['no Host on HTTP/1.1', 'GET /rss.xml HTTP/1.1\r\n\r\n', /^Bad request: the request has no Host header/u],
    ['a Host that is no host', 'GET /rss.xml HTTP/1.1\r\nHost: a b\r\n\r\n', /^Bad request: the Host header "a b" names no host/u],
    ['an IPv6 Host left open', 'GET /rss.xml HTTP/1.1\r\nHost: [::1\r\n\r\n', /names no host/u],
    ['the target * for GET', 'GET * HTTP/1.1\r\nHost: x\r\n\r\n', /^Bad request: the target \* is for OPTIONS only/u],
  ])('answers %s with 400 and the reason', async (_what, request, reason) => {
    const answer = await raw(request);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer.slice(answer.indexOf('\r\n\r\n') + 4)).toMatch(reason);
  });

  it.each(['localhost:3000', 'feeds.example.org', '[::1]:8080', '127.0.0.1'])('answers with Host %s, and HTTP/1.0 without one', async (host) => {
    expect((await raw(`GET /rss.xml HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`)).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
    expect((await raw('GET /rss.xml HTTP/1.0\r\n\r\n')).split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('goes on answering other connections', async () => {
    expect((await fetch(`${server.url}/rss.xml`)).status).toBe(200);
  });
});
