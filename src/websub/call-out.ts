/**
 * One outgoing HTTP request of the hub (a verification GET, a content POST, a publish ping): node:http
 * rather than `fetch`, because node:http takes a `lookup` per request, which is where the address guard
 * sits (address-guard.ts). Each call has a hard timeout, reads at most `maxBodyBytes` of the answer,
 * never follows redirects and keeps no connection pool (a subscriber's server is not ours to hold).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, refusedAddress, RefusedAddressError } from './address-guard.ts';

/** One request. */
export interface CallOut {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  timeoutMs: number;
  /** Longest answer body read; the rest is dropped. */
  maxBodyBytes?: number;
  /** Whether loopback, private and other special addresses may be called. */
  allowPrivate: boolean;
}

/** What came back. */
export interface CallResult {
  status: number;
  body: string;
}

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
    const headers: Record<string, string> = { 'User-Agent': 'tagfeeds-websub-hub', Connection: 'close', ...call.headers };
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
      { method: call.method, headers, agent: false, ...(call.allowPrivate ? {} : { lookup: guardedLookup }) },
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
      req.destroy(new Error(`no answer within ${call.timeoutMs} ms`));
    }, call.timeoutMs);
    req.on('error', (error) => finish(error));
    req.end(body);
  });
}
