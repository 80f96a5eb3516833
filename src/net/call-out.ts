/**
 * One outgoing HTTP request (the hub's verification GET and content POST, a publish ping, a cache
 * purge): node:http
 * rather than `fetch`, because node:http takes a `lookup` per request, which is where the address guard
 * sits (address-guard.ts). Each call has a hard timeout, reads at most `maxBodyBytes` of the answer and
 * never follows redirects.
 *
 * Connections are kept alive and reused (a few per host, closed after 5 s idle): an aggregator hosts
 * thousands of callbacks on one host, and a new connection per delivery was the largest cost of a
 * fan-out (bench/websub.ts). A reused connection was checked by the guard when it was opened.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, refusedAddress, RefusedAddressError } from './address-guard.ts';

/** One request. */
export interface CallOut {
  /** PURGE is the method Varnish, Fastly and Squid take to drop cached copies. */
  method: 'GET' | 'POST' | 'PURGE';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs: number;
  /** Longest answer body read; the rest is dropped. */
  maxBodyBytes?: number;
  /** Whether loopback, private and other special addresses may be called. */
  allowPrivate: boolean;
  /** The User-Agent sent (default: the hub's). */
  userAgent?: string;
}

/** What came back. */
export interface CallResult {
  status: number;
  body: string;
}

const AGENT_OPTIONS = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, maxFreeSockets: 8, timeout: 5000, scheduling: 'lifo' as const };
const agents = { 'http:': new HttpAgent(AGENT_OPTIONS), 'https:': new HttpsAgent(AGENT_OPTIONS) };
// Connections that passed the guard and those that did not are never mixed in one pool.
const openAgents = { 'http:': new HttpAgent(AGENT_OPTIONS), 'https:': new HttpsAgent(AGENT_OPTIONS) };

/** Makes the request; rejects on a network error, a refused address or the timeout. */
export function callOut(call: CallOut): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const url = new URL(call.url);
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    if (!call.allowPrivate && isIP(host)) {
      const why = refusedAddress(host);
      if (why) return reject(new RefusedAddressError(why));
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const body = call.body === undefined ? undefined : Buffer.isBuffer(call.body) ? call.body : Buffer.from(call.body, 'utf8');
    const headers: Record<string, string> = { 'User-Agent': call.userAgent ?? 'tagfeeds-websub-hub', ...call.headers };
    if (body) headers['Content-Length'] = String(body.length);
    const max = call.maxBodyBytes ?? 1024;
    let settled = false;
    const finish = (error: Error | undefined, result?: CallResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(result!);
    };
    const req = send(
      url,
      {
        method: call.method,
        headers,
        agent: (call.allowPrivate ? openAgents : agents)[url.protocol as 'http:' | 'https:'],
        ...(call.allowPrivate ? {} : { lookup: guardedLookup }),
      },
      (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          if (length < max) chunks.push(chunk.subarray(0, max - length));
          length += chunk.length;
          if (length > max) res.destroy();
        });
        const done = () => finish(undefined, { status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        res.on('end', done);
        res.on('close', done);
        res.on('error', (error) => finish(error));
      },
    );
    const timer = setTimeout(() => {
      // Destroying the request also drops its connection: a late answer cannot reach the next call.
      req.destroy(new Error(`no answer within ${call.timeoutMs} ms`));
    }, call.timeoutMs);
    req.on('error', (error) => finish(error));
    req.end(body);
  });
}

/** How a call that fails is tried again. */
export interface Retry {
  attempts: number;
  /** Wait before the second attempt; each later wait is three times the one before. */
  retryBaseMs: number;
  /** Stops trying (the caller is closing). */
  stopped?: () => boolean;
}

/**
 * Makes a call until it answers 2xx, `retry.attempts` times at most, waiting longer each time; says
 * whether it succeeded and, if not, why the last attempt failed. For the calls to addresses the
 * operator named (purges, publish pings), which have nothing to fall back on but trying again.
 */
export async function callWithRetries(call: CallOut, retry: Retry): Promise<{ ok: boolean; why: string }> {
  let why = '';
  for (let attempt = 1; attempt <= retry.attempts && !retry.stopped?.(); attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, retry.retryBaseMs * 3 ** (attempt - 2)).unref());
    try {
      const { status } = await callOut(call);
      if (status >= 200 && status < 300) return { ok: true, why: '' };
      why = `answered ${status}`;
    } catch (error) {
      why = (error as Error).message;
    }
  }
  return { ok: false, why };
}
