/**
 * A prepared response: the body as bytes, its strong ETag from the content alone (so two processes, or
 * one after a restart, agree), Last-Modified, and compressed variants made once, on first request.
 */
import { createHash } from 'node:crypto';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

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

/** The best encoding that both the client accepts and is worth using for this body. */
export function chooseEncoding(prepared: Prepared, acceptEncoding: string | undefined): 'br' | 'gzip' | undefined {
  if (!acceptEncoding || prepared.body.length < COMPRESS_MIN_BYTES) return undefined;
  const accepted = parseAcceptEncoding(acceptEncoding);
  if (accepted.has('br')) return 'br';
  if (accepted.has('gzip')) return 'gzip';
  return undefined;
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

// Codings with q=0 are refused (RFC 9110 §12.5.3); `*` accepts the others.
function parseAcceptEncoding(header: string): Set<string> {
  const accepted = new Set<string>();
  for (const part of header.toLowerCase().split(',')) {
    const [name, ...params] = part.trim().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    if (q && Number(q.slice(2)) === 0) continue;
    if (name === '*') accepted.add('gzip').add('br');
    else if (name) accepted.add(name);
  }
  return accepted;
}

/** Bytes a prepared response holds in memory, for the cache's size bound. */
export function preparedSize(prepared: Prepared): number {
  return prepared.body.length + (prepared.gzip?.length ?? 0) + (prepared.br?.length ?? 0) + 256;
}
