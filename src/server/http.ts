/**
 * Sending a prepared response: conditional GET (RFC 9110 §13), content coding, caching headers.
 */
import type { Context } from 'hono';
import { chooseEncoding, markComplete, type Prepared } from './prepared.ts';

/** The Cache-Control policy of feeds and pages. */
export interface CachePolicy {
  maxAge: number;
  sMaxAge: number;
  staleWhileRevalidate: number;
}

/** The Cache-Control header value of a policy. */
export function cacheControl(policy: CachePolicy): string {
  return `public, max-age=${policy.maxAge}, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`;
}

/** Whether an If-None-Match value names any coding of this body (weak comparison, RFC 9110 §13.1.2). */
export function matchesEtag(header: string, etag: string): boolean {
  if (header === etag) return true; // the common case: a reader sends back the ETag it was given
  if (header.trim() === '*') return true;
  const base = etag.slice(1, -1);
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//u, '').replace(/^"|"$/gu, '');
    return value === base || value === `${base}-gzip` || value === `${base}-br`;
  });
}

/** Whether the client's copy is current: If-None-Match wins; If-Modified-Since counts only without it. */
export function isNotModified(c: Context, prepared: Prepared): boolean {
  return isCurrent(prepared, c.req.header('if-none-match'), () => c.req.header('if-modified-since'));
}

/**
 * `isNotModified` over the two request fields (RFC 9110 §13.1.1, §13.1.3, §13.2.2): If-None-Match,
 * when sent, decides alone; If-Modified-Since is read (a function: finding it may cost a scan of the
 * raw headers) only without it. Shared by the Hono path and the fast path (fast-path.ts).
 *
 * If-Modified-Since must name our Last-Modified exactly, as nginx matches it by default
 * (`if_modified_since exact`), not merely a date at or after it: a document's Last-Modified is the
 * newest change among the articles it shows, so it moves back when the newest of them is deleted,
 * drafted or loses the tag, and a client holding that later date would be told its copy (still
 * showing the article) is current. A client sends back the date it was given, so exact matching
 * costs it no 304.
 */
export function isCurrent(prepared: Prepared, ifNoneMatch: string | undefined, ifModifiedSince: () => string | undefined): boolean {
  if (ifNoneMatch !== undefined) return matchesEtag(ifNoneMatch, prepared.etag);
  const value = ifModifiedSince();
  if (value === undefined) return false;
  const since = Date.parse(value);
  return !Number.isNaN(since) && prepared.lastModified.getTime() === since;
}

/** Headers that every prepared response of an app carries: security, caching, CORS. */
export function commonHeaders(security: Record<string, string>, cacheHeader: string): Record<string, string> {
  return {
    ...security,
    'Cache-Control': cacheHeader,
    Vary: 'Accept-Encoding',
    // Public documents: web-based readers may fetch them and see their validators.
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'ETag',
  };
}

/**
 * Answers with a prepared body: 304 when the client's copy is current, else the best coding of it.
 * The response is built directly, with the header record the prepared response keeps per variant, so that neither Hono
 * nor the Node adapter rebuilds headers per request (the hot path of every cached feed).
 */
export function sendPrepared(
  c: Context,
  prepared: Prepared,
  common: Record<string, string>,
  extra?: (prepared: Prepared) => Record<string, string> | undefined,
): Response {
  const encoding = chooseEncoding(prepared, c.req.header('accept-encoding'));
  const notModified = isNotModified(c, prepared);
  const headers = prepared.headers(common, encoding, notModified, extra);
  const body = notModified ? null : prepared.encoded(encoding);
  return markComplete(new Response(body as Uint8Array<ArrayBuffer> | null, { status: notModified ? 304 : 200, headers }));
}
