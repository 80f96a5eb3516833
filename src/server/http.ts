/**
 * Sending a prepared response: conditional GET (RFC 9110 §13), content coding, caching headers.
 */
import type { Context } from 'hono';
import { chooseEncoding, markComplete, type Encoding, type Prepared } from './prepared.ts';

/** The Cache-Control policy of feeds and pages. */
export interface CachePolicy {
  maxAge: number;
  sMaxAge: number;
  staleWhileRevalidate: number;
}

/**
 * The path of a request URL as the client spelled it, without its query: the router's path has some
 * escapes decoded already (%5C among them), which checks of the spelling must not see.
 */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?', start);
  return url.slice(start, end < 0 ? undefined : end);
}

/** The Cache-Control header value of a policy. */
export function cacheControl(policy: CachePolicy): string {
  return `public, max-age=${policy.maxAge}, s-maxage=${policy.sMaxAge}, stale-while-revalidate=${policy.staleWhileRevalidate}`;
}

/**
 * Which coding of this body an If-None-Match value names (weak comparison, RFC 9110 §13.1.2): the one
 * `selected` for this request when the list names it, else the first it names; null when it names
 * none. Any coding is the same content, so any is current; the 304 then carries the ETag the client
 * holds, so that a cache updates the copy it has (RFC 9111 §4.3.4), not a variant it never stored.
 */
export function matchedCoding(header: string, prepared: Prepared, selected: Encoding): Encoding | null {
  // The common cases: a reader sends back the ETag it was given, for the coding it asks for again.
  if (header === prepared.etagOf(selected)) return selected;
  if (header.trim() === '*') return selected;
  let first: Encoding | null = null;
  for (const tag of header.split(',')) {
    const value = `"${tag.trim().replace(/^W\//u, '').replace(/^"|"$/gu, '')}"`;
    for (const coding of CODINGS) {
      if (prepared.etagOf(coding) !== value) continue;
      if (coding === selected) return coding;
      if (first === null) first = coding;
    }
  }
  return first;
}

const CODINGS: readonly Encoding[] = [undefined, 'gzip', 'br'];

/**
 * RFC 9110 §13.2.2, steps 1 and 2: whether If-Match, or without it If-Unmodified-Since, fails, which is
 * a 412. If-Match compares strongly (a weak tag never matches) against `etags`, every current ETag of
 * the resource (each coding of one body is the same content); `*` matches what exists. An
 * If-Unmodified-Since that is no date is ignored. Feed readers send neither; a client that does, to
 * act only on the version it holds, must not be told that another one is it.
 */
export function preconditionFails(etags: readonly string[], lastModifiedMs: number, ifMatch: string | undefined, ifUnmodifiedSince: string | undefined): boolean {
  if (ifMatch !== undefined) {
    if (ifMatch.trim() === '*') return false;
    return !ifMatch.split(',').some((tag) => etags.includes(tag.trim()));
  }
  if (ifUnmodifiedSince === undefined) return false;
  const since = Date.parse(ifUnmodifiedSince);
  return !Number.isNaN(since) && Math.floor(lastModifiedMs / 1000) * 1000 > since;
}

/** `preconditionFails` for a prepared response, over a request's fields. */
export function preparedPreconditionFails(c: Context, prepared: Prepared): boolean {
  const ifMatch = c.req.header('if-match');
  const ifUnmodifiedSince = c.req.header('if-unmodified-since');
  if (ifMatch === undefined && ifUnmodifiedSince === undefined) return false;
  return preconditionFails(CODINGS.map((coding) => prepared.etagOf(coding)), prepared.lastModified.getTime(), ifMatch, ifUnmodifiedSince);
}

/**
 * Whether the client's copy is current, and the coding whose ETag the 304 names (null: send the body).
 * If-None-Match wins; If-Modified-Since counts only without it.
 */
export function notModifiedCoding(c: Context, prepared: Prepared, selected: Encoding): Encoding | null {
  return currentCoding(prepared, selected, c.req.header('if-none-match'), () => c.req.header('if-modified-since'));
}

/**
 * `notModifiedCoding` over the two request fields (RFC 9110 §13.1.1, §13.1.3, §13.2.2): If-None-Match,
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
export function currentCoding(prepared: Prepared, selected: Encoding, ifNoneMatch: string | undefined, ifModifiedSince: () => string | undefined): Encoding | null {
  if (ifNoneMatch !== undefined) return matchedCoding(ifNoneMatch, prepared, selected);
  const value = ifModifiedSince();
  if (value === undefined) return null;
  const since = Date.parse(value);
  return !Number.isNaN(since) && prepared.lastModified.getTime() === since ? selected : null;
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
  // Not cached, no validators: the security middleware adds its headers to this one.
  if (preparedPreconditionFails(c, prepared)) return c.text('Precondition failed: the document is not the version named\n', 412);
  const encoding = chooseEncoding(prepared, c.req.header('accept-encoding'));
  const current = notModifiedCoding(c, prepared, encoding);
  const notModified = current !== null;
  const headers = prepared.headers(common, notModified ? current : encoding, notModified, extra);
  const body = notModified ? null : prepared.encoded(encoding);
  return markComplete(new Response(body as Uint8Array<ArrayBuffer> | null, { status: notModified ? 304 : 200, headers }));
}
