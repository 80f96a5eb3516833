/**
 * The floor for any Node server on this machine: a bare `node:http` server that answers the exact
 * bytes our server gave (read from a folder at start, each with the ETag and media type ours sent)
 * from memory, with a 304 to a matching If-None-Match, and nothing else. No routing, no framework, no
 * compression, no security headers: what is left is the runtime's own cost of an HTTP exchange.
 * Given our server's header lines in the manifest (bench/floor-headers.ts), it sends those instead,
 * still with nothing else done per request: the runtime's cost of carrying what our answers carry.
 *
 *   node bench/floor/server.ts <folder written by startFloor> <port>
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

interface Entry {
  path: string;
  file: string;
  etag: string | null;
  contentType: string | null;
  /** Our server's own header lines, when the floor is to carry them (bench/floor-headers.ts). */
  headers?: { ok: string[]; notModified: string[] };
}

const [dir, port] = [process.argv[2]!, Number(process.argv[3])];
const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Entry[];
/** What one path answers: node's writeHead takes a record or a flat `[name, value, …]` list alike. */
interface Answer {
  body: Buffer;
  headers: Record<string, string> | string[];
  etag: string | null;
  notModified: Record<string, string> | string[];
}

const responses = new Map(
  manifest.map((e): [string, Answer] => {
    const body = readFileSync(path.join(dir, e.file));
    if (e.headers) return [e.path, { body, headers: e.headers.ok, etag: e.etag, notModified: e.headers.notModified }];
    const headers: Record<string, string> = { 'Content-Type': e.contentType ?? 'application/octet-stream', 'Content-Length': String(body.length) };
    if (e.etag) headers.ETag = e.etag;
    return [e.path, { body, headers, etag: e.etag, notModified: e.etag ? { ETag: e.etag } : {} }];
  }),
);

createServer((req, res) => {
  const found = responses.get(req.url ?? '');
  if (!found) return void res.writeHead(404).end();
  if (found.etag && req.headers['if-none-match'] === found.etag) return void res.writeHead(304, found.notModified).end();
  res.writeHead(200, found.headers).end(found.body);
}).listen(port, '127.0.0.1', () => console.log(`floor server on ${port}`));
