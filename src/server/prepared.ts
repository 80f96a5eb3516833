/**
 * A prepared response: the body as bytes, its strong ETag from the content alone (so two processes, or
 * one after a restart, agree), Last-Modified, and compressed variants made once, on first request.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import Negotiator from 'negotiator';

/** A response body ready to send any number of times. */
export interface Prepared {
  body: Buffer;
  contentType: string;
  readonly etag: string;
  /** Truncated to whole seconds, as HTTP dates are. */
  lastModified: Date;
  lastModifiedHttp: string;
  /** The `Link` header (a feed's WebSub hub and self links), if any. */
  link?: string;
  /** An archive document (RFC 5005): sent with the longer archive Cache-Control. */
  archive?: boolean;
  /** Compressed variants, made on first request. */
  gzip?: Buffer;
  br?: Buffer;
  /** Complete header records per variant, made on first use by the HTTP layer. */
  headers?: Map<string, Record<string, string>>;
}

/** Bodies smaller than this are not worth compressing. */
const COMPRESS_MIN_BYTES = 1024;

/** Prepares a body (text, or its UTF-8 bytes); see the module comment. */
export function prepare(content: string | Buffer, contentType: string, lastModified: Date): Prepared {
  const body = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const seconds = new Date(Math.floor(lastModified.getTime() / 1000) * 1000);
  let etag: string | undefined;
  return {
    body,
    contentType,
    // Hashed on first use: a static export writes bodies and never asks for it.
    get etag() {
      return (etag ??= `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`);
    },
    lastModified: seconds,
    lastModifiedHttp: seconds.toUTCString(),
  };
}

/**
 * The best coding of this body for a request's Accept-Encoding, by negotiator's reading of RFC 9110
 * §12.5.3: the highest q wins; `*` stands only for the codings not listed; q=0 refuses a coding;
 * identity is acceptable unless refused (`identity;q=0`, or `*;q=0` without `identity`); an empty
 * value means identity only. Undefined means identity.
 */
export function chooseEncoding(prepared: Prepared, acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
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

/** The bytes of one variant of a prepared body, compressing it the first time it is asked for. */
export function encodedBody(prepared: Prepared, encoding: 'br' | 'gzip' | undefined): Buffer {
  if (encoding === 'gzip') return (prepared.gzip ??= gzipSync(prepared.body, { level: 9 }));
  if (encoding === 'br') {
    return (prepared.br ??= brotliCompressSync(prepared.body, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: prepared.body.length },
    }));
  }
  return prepared.body;
}

/** Bytes a prepared response holds in memory, for the cache's size bound. */
export function preparedSize(prepared: Prepared): number {
  return prepared.body.length + (prepared.gzip?.length ?? 0) + (prepared.br?.length ?? 0) + 256;
}
