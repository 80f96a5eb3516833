/**
 * A purge relay for CDNs whose purge API is not a `PURGE` request: it listens on loopback for the
 * instances' `PURGE` with `Surrogate-Key: <keys>` (what net/purger.ts sends to every `PURGE_URLS`
 * entry) and makes the CDN's own API call, so the server needs one hook for every cache.
 *
 * - Fastly: `POST {api}/service/{id}/purge` with `Surrogate-Key: <keys>` and `Fastly-Key: <token>`
 *   (purge by surrogate key; Fastly reads the responses' Surrogate-Key header itself and strips it).
 *   At most 256 keys per call.
 * - Cloudflare: `POST {api}/zones/{id}/purge_cache` with `{"tags": [...]}` and a bearer token (purge
 *   by Cache-Tag: run the instances with `CACHE_TAG_HEADERS=cache-tag`). At most 30 tags per call.
 *
 * The relay answers 200 once every call was accepted, else 502, so the instance's own retries and
 * backoff apply; it keeps no queue. Only loopback should reach it: it holds the API token.
 */
import { createServer, type Server } from 'node:http';
import { callOut, type CallOut } from './call-out.ts';

/** A CDN's purge API. */
export interface PurgeTarget {
  provider: 'fastly' | 'cloudflare';
  /** The service (Fastly) or zone (Cloudflare) id. */
  id: string;
  token: string;
  /** The API's base URL (default: the provider's; tests point it at a local server). */
  api?: string;
}

const DEFAULT_API = { fastly: 'https://api.fastly.com', cloudflare: 'https://api.cloudflare.com/client/v4' };
const BATCH = { fastly: 256, cloudflare: 30 };

/** The CDN API calls that purge these keys, in batches the API accepts. */
export function purgeCalls(target: PurgeTarget, keys: readonly string[], timeoutMs: number): CallOut[] {
  const api = (target.api ?? DEFAULT_API[target.provider]).replace(/\/+$/u, '');
  const calls: CallOut[] = [];
  for (let i = 0; i < keys.length; i += BATCH[target.provider]) {
    const batch = keys.slice(i, i + BATCH[target.provider]);
    const common = { method: 'POST' as const, timeoutMs, allowPrivate: true, userAgent: 'tagfeeds-purge-relay', maxBodyBytes: 4096 };
    if (target.provider === 'fastly') {
      calls.push({ ...common, url: `${api}/service/${encodeURIComponent(target.id)}/purge`, headers: { 'Fastly-Key': target.token, 'Surrogate-Key': batch.join(' '), Accept: 'application/json' } });
    } else {
      calls.push({
        ...common,
        url: `${api}/zones/${encodeURIComponent(target.id)}/purge_cache`,
        headers: { Authorization: `Bearer ${target.token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ tags: batch }),
      });
    }
  }
  return calls;
}

/** The relay's HTTP server (not listening yet); see the module comment. */
export function createPurgeRelay(target: PurgeTarget, options: { timeoutMs: number; log: (line: string) => void }): Server {
  return createServer((req, res) => {
    req.resume();
    const keys = String(req.headers['surrogate-key'] ?? '').split(' ').filter((k) => k !== '');
    if (req.method !== 'PURGE' || keys.length === 0) {
      res.writeHead(req.method === 'PURGE' ? 400 : 405, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Send PURGE with a Surrogate-Key header\n');
      return;
    }
    void (async () => {
      for (const call of purgeCalls(target, keys, options.timeoutMs)) {
        let why: string | undefined;
        try {
          const { status, body } = await callOut(call);
          if (status < 200 || status >= 300) why = `answered ${status}: ${body.slice(0, 200)}`;
        } catch (error) {
          why = (error as Error).message;
        }
        if (why) {
          options.log(`purge relay: ${target.provider} purge of ${keys.length} keys failed: ${why}`);
          res.writeHead(502, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${target.provider} purge failed\n`);
          return;
        }
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`Purged ${keys.length} keys at ${target.provider}\n`);
    })();
  });
}
