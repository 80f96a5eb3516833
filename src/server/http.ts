/**
 * Sending a prepared response: conditional GET (RFC 9110 §13), content coding, caching headers.
 */
import type { Context } from 'hono';
import { chooseEncoding, encodedBody, type Prepared } from './prepared.ts';

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

// Each coding of a body is its own representation, so it gets its own strong ETag (RFC 9110 §8.8.3).
function variantEtag(etag: string, encoding: string | undefined): string {
  return encoding ? `${etag.slice(0, -1)}-${encoding}"` : etag;
}

/** Whether an If-None-Match value names any coding of this body (weak comparison, RFC 9110 §13.1.2). */
export function matchesEtag(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const base = etag.slice(1, -1);
  return header.split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//u, '').replace(/^"|"$/gu, '');
    return value === base || value === `${base}-gzip` || value === `${base}-br`;
  });
}

/** Whether the client's copy is current: If-None-Match wins; If-Modified-Since counts only without it. */
export function isNotModified(c: Context, prepared: Prepared): boolean {
  const ifNoneMatch = c.req.header('if-none-match');
  if (ifNoneMatch !== undefined) return matchesEtag(ifNoneMatch, prepared.etag);
  const ifModifiedSince = c.req.header('if-modified-since');
  if (ifModifiedSince === undefined) return false;
  const since = Date.parse(ifModifiedSince);
  return !Number.isNaN(since) && prepared.lastModified.getTime() <= since;
}

/** Answers with a prepared body: 304 when the client's copy is current, else the best coding of it. */
export function sendPrepared(c: Context, prepared: Prepared, cacheHeader: string): Response {
  const encoding = chooseEncoding(prepared, c.req.header('accept-encoding'));
  const headers: Record<string, string> = {
    'Content-Type': prepared.contentType,
    ETag: variantEtag(prepared.etag, encoding),
    'Last-Modified': prepared.lastModifiedHttp,
    'Cache-Control': cacheHeader,
    Vary: 'Accept-Encoding',
    // Public documents: web-based readers may fetch them and see their validators.
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Expose-Headers': 'ETag',
  };
  if (isNotModified(c, prepared)) {
    delete headers['Content-Type'];
    return c.body(null, 304, headers);
  }
  const body = encodedBody(prepared, encoding);
  if (encoding) headers['Content-Encoding'] = encoding;
  headers['Content-Length'] = String(body.length);
  return c.body(body as Uint8Array<ArrayBuffer>, 200, headers);
}
