/**
 * A prepared response, and everything of its life: the body as bytes; its strong ETag from the content
 * alone (so two processes, or one after a restart, agree); Last-Modified; the compressed variants, made
 * once, on the first request that asks for each; the complete header record of each variant, built once
 * and kept with it, and the same record as the list `res.writeHead` takes (for the fast path); the
 * bytes it holds, told to whoever keeps it (the cache's bound) when a variant makes it grow; and the
 * `HEADERS_COMPLETE` marker that tells the security middleware a response needs nothing more. The
 * cache, the HTTP layer, the fast path and the static export call it; none reaches into its fields.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import Negotiator from 'negotiator';
import { responseHead, type ResponseHead } from './response-head.ts';

/** Bodies smaller than this are not worth compressing. */
const COMPRESS_MIN_BYTES = 1024;

/** A content coding made here (undefined: identity). */
export type Encoding = 'br' | 'gzip' | undefined;

/** Marks a response whose headers are complete, security headers included. */
export const HEADERS_COMPLETE = Symbol('headers complete');

/** Marks a response as complete (see `HEADERS_COMPLETE`) and returns it. */
export function markComplete<R extends Response>(response: R): R {
  (response as { [HEADERS_COMPLETE]?: boolean })[HEADERS_COMPLETE] = true;
  return response;
}

/** Whether a response was marked complete. */
export function isComplete(response: Response): boolean {
  return (response as { [HEADERS_COMPLETE]?: boolean })[HEADERS_COMPLETE] === true;
}

type Variant = 'identity' | 'gzip' | 'br' | 'not-modified' | 'not-modified-gzip' | 'not-modified-br';

// Each coding of a body is its own representation, so it gets its own strong ETag (RFC 9110 §8.8.3).
function variantEtag(etag: string, encoding: Encoding): string {
  return encoding ? `${etag.slice(0, -1)}-${encoding}"` : etag;
}

/** A response body ready to send any number of times; see the module comment. */
export class Prepared {
  readonly body: Buffer;
  readonly contentType: string;
  /** Truncated to whole seconds, as HTTP dates are. */
  readonly lastModified: Date;
  readonly lastModifiedHttp: string;
  /** The `Link` header (a feed's WebSub hub and self links), if any. */
  link?: string;
  /** An archive document (RFC 5005): sent with the longer archive Cache-Control. */
  archive?: boolean;
  /**
   * The cache scopes the response depends on (set by the cache that keeps it): they name its surrogate
   * keys. Usually one; a tag combination depends on each of its tags as well.
   */
  scopes?: readonly string[];
  #etag: string | undefined;
  readonly #etags: (string | undefined)[] = [];
  #gzip: Buffer | undefined;
  #br: Buffer | undefined;
  /** Header records per variant, for one record of common headers (`#common`). */
  #headers: Map<Variant, Record<string, string>> | undefined;
  /** The same records as heads for `res.writeHead`, per variant and method (see `wire`), by slot. */
  #wire: (ResponseHead | undefined)[] = [];
  #common: Record<string, string> | undefined;
  #grew: (() => void) | undefined;

  constructor(body: Buffer, contentType: string, lastModified: Date) {
    this.body = body;
    this.contentType = contentType;
    this.lastModified = new Date(Math.floor(lastModified.getTime() / 1000) * 1000);
    this.lastModifiedHttp = this.lastModified.toUTCString();
  }

  /** The strong ETag, hashed on first use: a static export writes bodies and never asks for it. */
  get etag(): string {
    return (this.#etag ??= `"${createHash('sha256').update(this.body).digest('base64url').slice(0, 27)}"`);
  }

  /** The ETag of one coding of the body (each its own representation, RFC 9110 §8.8.3), made once. */
  etagOf(encoding: Encoding): string {
    const slot = encoding === 'br' ? 2 : encoding === 'gzip' ? 1 : 0;
    return (this.#etags[slot] ??= variantEtag(this.etag, encoding));
  }

  /** Bytes held in memory, for the cache's size bound. */
  get size(): number {
    return this.body.length + (this.#gzip?.length ?? 0) + (this.#br?.length ?? 0) + 256;
  }

  /** Calls `grew` each time a new variant makes `size` larger (one keeper: the cache holding it). */
  onGrow(grew: () => void): void {
    this.#grew = grew;
  }

  /** The bytes of one variant, compressing the body the first time that coding is asked for. */
  encoded(encoding: Encoding): Buffer {
    if (encoding === 'gzip') return this.#gzip ?? this.#made((this.#gzip = gzipSync(this.body, { level: 9 })));
    if (encoding === 'br') {
      return this.#br ?? this.#made((this.#br = brotliCompressSync(this.body, {
        params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: this.body.length },
      })));
    }
    return this.body;
  }

  #made(bytes: Buffer): Buffer {
    this.#grew?.();
    return bytes;
  }

  /**
   * The complete header record of one variant, built once and kept: `common` (security, caching,
   * CORS), `extra` (surrogate keys) on first build, then the validators, Link and the entity headers;
   * a 304's is the few fields `notModifiedHeaders` keeps. A new `common` record (another app) starts the kept records afresh.
   */
  headers(common: Record<string, string>, encoding: Encoding, notModified: boolean, extra?: (prepared: Prepared) => Record<string, string> | undefined): Record<string, string> {
    const variant: Variant = notModified ? (encoding ? `not-modified-${encoding}` : 'not-modified') : (encoding ?? 'identity');
    if (this.#common === common) {
      const kept = this.#headers!.get(variant);
      if (kept) return kept;
    } else {
      this.#common = common;
      this.#headers = new Map();
      this.#wire = [];
    }
    if (notModified) {
      const headers = notModifiedHeaders({ ...common, ...extra?.(this) }, this.etagOf(encoding));
      this.#headers!.set(variant, headers);
      return headers;
    }
    const headers: Record<string, string> = { ...common, ...extra?.(this), ETag: this.etagOf(encoding), 'Last-Modified': this.lastModifiedHttp };
    if (this.link) headers.Link = this.link;
    headers['Content-Type'] = this.contentType;
    if (encoding) headers['Content-Encoding'] = encoding;
    headers['Content-Length'] = String(this.encoded(encoding).length);
    this.#headers!.set(variant, headers);
    return headers;
  }

  /**
   * The header record of one variant (`headers`) as the flat `[name, value, …]` list node's
   * `res.writeHead` takes, with its lines checked and joined (response-head.ts), built once and kept
   * with the record: the server's fast path (fast-path.ts) writes it as it is. A GET's list is the
   * record in its order and spelling, as the Node adapter writes a plain record. A HEAD's is
   * lower-cased and sorted by name: Hono answers HEAD with `new Response(null, getResponse)`, whose
   * Headers object lower-cases and sorts, and the fast path sends the same bytes as the path it stands
   * in for.
   */
  wire(common: Record<string, string>, encoding: Encoding, notModified: boolean, head: boolean, extra?: (prepared: Prepared) => Record<string, string> | undefined): ResponseHead {
    // Read on every request of the fast path: a slot in an array, no key string to build and hash.
    const slot = (encoding === 'br' ? 1 : encoding === 'gzip' ? 2 : 0) + (notModified ? 3 : 0) + (head ? 6 : 0);
    if (this.#common === common) {
      const kept = this.#wire[slot];
      if (kept) return kept;
    }
    const record = this.headers(common, encoding, notModified, extra); // a new `common` empties #wire
    let pairs = Object.entries(record);
    if (head) pairs = pairs.map(([k, v]): [string, string] => [k.toLowerCase(), v]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const wire = responseHead(pairs.flat());
    this.#wire[slot] = wire;
    return wire;
  }
}

/**
 * What a 304 carries (RFC 9110 §15.4.5): the fields a 200 would have sent among ETag, Cache-Control,
 * Vary (and Date, which Node adds), for the client's cache to update its stored copy with; CORS, so that
 * a web reader's conditional fetch can read the answer; and the surrogate keys, so that a CDN
 * revalidating keeps them. Nothing else: "a sender SHOULD NOT generate representation metadata other
 * than the above listed fields", and the security headers of the stored 200 stay in force. This also
 * makes the answer that feed readers get most (their polls) a third of the size: measured at 888 bytes
 * of headers with everything, against the floor server's 150.
 */
const NOT_MODIFIED_FIELDS = new Set(['cache-control', 'vary', 'access-control-allow-origin', 'access-control-expose-headers', 'surrogate-key', 'cache-tag', 'cache-groups']);

function notModifiedHeaders(all: Record<string, string>, etag: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name in all) if (NOT_MODIFIED_FIELDS.has(name.toLowerCase())) headers[name] = all[name]!;
  headers.ETag = etag;
  return headers;
}

/** Prepares a body (text, or its UTF-8 bytes); see the module comment. */
export function prepare(content: string | Buffer, contentType: string, lastModified: Date): Prepared {
  return new Prepared(typeof content === 'string' ? Buffer.from(content, 'utf8') : content, contentType, lastModified);
}

/**
 * The best coding of this body for a request's Accept-Encoding, by negotiator's reading of RFC 9110
 * §12.5.3: the highest q wins; `*` stands only for the codings not listed; q=0 refuses a coding;
 * identity is acceptable unless refused (`identity;q=0`, or `*;q=0` without `identity`); an empty
 * value means identity only. Undefined means identity.
 */
export function chooseEncoding(prepared: Prepared, acceptEncoding: string | undefined): Encoding {
  // Without the field any coding is acceptable (RFC 9110 §12.5.3), but a client that sends none may
  // well not decode one: identity, as the server has always sent.
  if (acceptEncoding === undefined || prepared.body.length < COMPRESS_MIN_BYTES) return undefined;
  let coding = decisions.get(acceptEncoding);
  if (coding === undefined) {
    coding = negotiateEncoding(acceptEncoding);
    if (acceptEncoding.length <= MAX_REMEMBERED_LENGTH) {
      if (decisions.size >= MAX_DECISIONS) decisions.clear();
      decisions.set(acceptEncoding, coding);
    }
  }
  return coding === 'identity' ? undefined : coding;
}

/**
 * Decisions per distinct Accept-Encoding value. Every cached feed's request passes here (about 20k a
 * second), and negotiator parses, allocates and sorts on each call, while nearly all requests carry
 * one of a handful of values (each browser and reader sends its own, always the same). The header is
 * the client's to choose, so the map is bounded: cleared when full (simpler than an LRU, and the
 * common values come back at once), and long values, which no real client sends, are not kept.
 */
const decisions = new Map<string, Coding>();
const MAX_DECISIONS = 256;
const MAX_REMEMBERED_LENGTH = 256;

type Coding = 'br' | 'gzip' | 'identity';

/** The codings made here, best first: on equal q, br (smaller at the levels used) before gzip before none. */
const CODINGS: readonly Coding[] = ['br', 'gzip', 'identity'];

// @types/negotiator 0.6 does not declare the `preferred` option negotiator 1.x reads.
type EncodingNegotiator = { encodings(available: readonly string[], options?: { preferred?: readonly string[] }): string[] };

function negotiateEncoding(header: string): Coding {
  const negotiator = new Negotiator({ headers: { 'accept-encoding': header } }) as unknown as EncodingNegotiator;
  // Nothing acceptable (`identity;q=0` alone, `*;q=0`): RFC 9110 §12.1 lets a server send a response
  // that does not conform rather than a 406; the plain body is the one every client can read, and a
  // feed reader given a 406 gets nothing at all.
  return (negotiator.encodings(CODINGS, { preferred: CODINGS })[0] as Coding | undefined) ?? 'identity';
}
