/**
 * `npm run bench:response-head`: what writing a cached response's head costs node, per answer, with
 * `res.writeHead(status, list)` against the head checked once (src/server/response-head.ts), on the
 * header lines our server really sends. It starts our server as `npm start` does, reads the lines of a
 * one-article tag's feed (the 200 class whose head weighs most beside its body) and of its 304 from the
 * wire, then, in this process, makes ServerResponse objects and writes each head both ways, alternated
 * round by round. No socket: this is the CPU the head costs before the write system call, which both
 * ways make alike (one `write` of the same bytes).
 *
 *   npm run bench:response-head -- [--size 10k] [--rounds 5] [--count 100000]
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { responseHead, writeHead, type ResponseHead } from '../src/server/response-head.ts';
import { boundedOption, option } from './lib/args.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { captureHeaders } from './lib/floor.ts';
import { fetchOnce } from './lib/http.ts';
import { startOurServer, stopServer, waitForFirstFeed } from './lib/server-process.ts';
import { pickTags } from './lib/tags.ts';

const size = parseSize(option('size', '10k'));
const rounds = boundedOption('rounds', '5', 1, 20, true);
const count = boundedOption('count', '100000', 1000, 1_000_000, true);

const corpus = await ensureCorpus(size, console.log);
const tags = await pickTags(corpus);
const path = `/tags/${encodeURIComponent(tags.small.tag)}/rss.xml`;
const server = await startOurServer(corpus.dir);
let lists: { ok: string[]; notModified: string[] };
try {
  await waitForFirstFeed(server, 120_000);
  const etag = (await fetchOnce(server.baseUrl + path, { 'accept-encoding': 'identity' })).headers.get('etag');
  lists = await captureHeaders(server.baseUrl, path, etag);
} finally {
  await stopServer(server);
}

const request = new IncomingMessage(null as never);
request.method = 'GET';
request.httpVersionMajor = 1;
request.httpVersionMinor = 1;
let written = 0;

/** Nanoseconds per head, over `count` fresh responses (the response's own making included, in both ways alike). */
function perHead(write: (res: ServerResponse) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    const res = new ServerResponse(request);
    write(res);
    written += ((res as unknown as { _header: string })._header).length;
  }
  return Number(process.hrtime.bigint() - start) / count;
}

const cases: { label: string; status: number; list: string[]; head: ResponseHead }[] = [
  { label: `200 of ${path} (${lists.ok.length / 2} lines)`, status: 200, list: lists.ok, head: responseHead(lists.ok) },
  { label: `304 of ${path} (${lists.notModified.length / 2} lines)`, status: 304, list: lists.notModified, head: responseHead(lists.notModified) },
];
console.log(`${size.label}, ${count} heads per measure, ${rounds} rounds alternated, least kept`);
const rows: string[] = [];
for (const c of cases) {
  if (c.head.block === undefined) throw new Error(`${c.label}: the lines cannot be checked once (a bad or deciding line)`);
  let plain = Number.POSITIVE_INFINITY;
  let once = Number.POSITIVE_INFINITY;
  for (let round = 0; round < rounds; round++) {
    const ways = [() => (plain = Math.min(plain, perHead((res) => res.writeHead(c.status, c.list)))), () => (once = Math.min(once, perHead((res) => writeHead(res, c.status, c.head))))];
    for (const way of round % 2 === 0 ? ways : ways.reverse()) way();
  }
  rows.push(`| ${c.label} | ${plain.toFixed(0)} | ${once.toFixed(0)} | ${(plain - once).toFixed(0)} | ${(plain / once).toFixed(2)}× |`);
}
console.log('');
console.log('| head | res.writeHead(status, list), ns | checked once, ns | saved per answer, ns | ratio |');
console.log('|---|---|---|---|---|');
for (const row of rows) console.log(row);
if (written === 0) throw new Error('no head was written');
