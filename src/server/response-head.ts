/**
 * The head of a cached response, checked once and written as one string on every request.
 *
 * Why by hand: `res.writeHead(status, list)` checks every header line against RFC 9110's grammar
 * (two regular expressions per line), lower-cases most names and concatenates the block again, on
 * every request. For the answers feed readers get most (a 304, a small tag feed) that is a share of
 * the request worth having back: `npm run bench:response-head` measured 1.64 µs for our 18-line head of
 * a 200 against 0.31 µs written so, 0.51 against 0.23 µs for a 304's 6 lines; and a bare `node:http`
 * server sending a 304's 6 lines as one prepared string cost no more CPU per answer than sending one
 * line (bench/RESULTS.md, "The response head written once").
 * Our lines never change for a cached variant, so they are checked once, here, with node's own public
 * checks (`validateHeaderName`, `validateHeaderValue`: the same errors for a bad value), and joined once.
 *
 * How: node is still the one that decides everything a head depends on the request or the connection
 * for (the status line, Date, Connection and Keep-Alive, whether the connection is closed after): it is
 * given, through the public `writeHead`, the one line of ours that decides any of that (Content-Length),
 * and writes its head into `res._header`; the block of our lines then takes that one line's place. So
 * the bytes are exactly those `writeHead(status, list)` writes (tests/server/fast-path.test.ts compares
 * them with the Hono path, keep-alive and HTTP/1.0 included). `_header` is not documented, but it is
 * the field node writes the head from (and `headersSent` reads) since its first release, and what
 * libraries such as `on-headers` rely on. Should a node version stop keeping its head there, the probe
 * below finds out at the first request and every head goes through plain `writeHead` again.
 */
import { IncomingMessage, ServerResponse, validateHeaderName, validateHeaderValue } from 'node:http';

/** A response's header lines as `res.writeHead` takes them, and the same lines made ready once. */
export interface ResponseHead {
  /** The flat `[name, value, …]` list. */
  readonly list: readonly string[];
  /** The lines, checked, each `name: value\r\n`; undefined when they cannot be written so (below). */
  readonly block: string | undefined;
  /** What node is told through `writeHead`: the Content-Length pair of `list`, if it has one. */
  readonly told: readonly string[];
}

/**
 * Names whose line makes node's `writeHead` decide something (node's `matchHeader`): a list holding
 * one is written by `writeHead` alone. Content-Length is the one our heads carry, and is told.
 */
const DECIDING = new Set(['connection', 'transfer-encoding', 'date', 'expect', 'trailer', 'keep-alive']);

/** Makes a list's head; the lines are checked here, once. */
export function responseHead(list: readonly string[]): ResponseHead {
  let block = '';
  let told: string[] = [];
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i]!;
    const value = list[i + 1]!;
    const lower = name.toLowerCase();
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch {
      // writeHead throws the same error, for the request that sends it.
      return { list, block: undefined, told: [] };
    }
    if (DECIDING.has(lower) || (lower === 'content-length' && told.length > 0)) return { list, block: undefined, told: [] };
    if (lower === 'content-length') told = [name, value];
    block += `${name}: ${value}\r\n`;
  }
  return { list, block, told };
}

type WithHead = ServerResponse & { _header: unknown };

let spliceWorks: boolean | undefined;

/** Whether this node keeps a head written by `writeHead` in `_header` as the status line, the lines told, its own lines. */
function probe(): boolean {
  try {
    const res = new ServerResponse(new IncomingMessage(null as never)) as WithHead;
    res.writeHead(200, ['Content-Length', '0']);
    const head = res._header;
    if (typeof head !== 'string' || !head.startsWith('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n') || !head.endsWith('\r\n\r\n')) return false;
    res._header = head;
    return res._header === head && res.headersSent;
  } catch {
    return false;
  }
}

/** Writes the head of `res`: as `res.writeHead(status, head.list)` would, with our lines checked once. */
export function writeHead(res: ServerResponse, status: number, head: ResponseHead): void {
  if (head.block === undefined || !(spliceWorks ??= probe())) {
    res.writeHead(status, head.list as string[]);
    return;
  }
  res.writeHead(status, head.told as string[]);
  const written = (res as WithHead)._header as string;
  const statusEnd = written.indexOf('\r\n') + 2;
  const toldEnd = head.told.length === 0 ? statusEnd : written.indexOf('\r\n', statusEnd) + 2;
  (res as WithHead)._header = written.slice(0, statusEnd) + head.block + written.slice(toldEnd);
}
