/**
 * `/media/…`: the files of the articles folder's `media/` (articles/media.ts), for the images and audio
 * that articles show. Served by `@hono/node-server`'s `serveStatic` (Last-Modified, `Range`, HEAD),
 * with what it leaves out added around it: a validator (`ETag`) and conditional GET (RFC 9110 §13),
 * the media type of our own list, and the checks that keep every request inside the folder. Only the
 * types of articles/media.ts are served (no SVG: it can carry script); anything else is a 404.
 */
import { realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { Context, MiddlewareHandler } from 'hono';
import { isMediaName, MEDIA_DIR, mediaTypeOf } from '../articles/media.ts';
import { preconditionFails, rawPath } from './http.ts';

/** The URL path prefix of media files. */
export const MEDIA_PATH = '/media/';

/**
 * The handler of `/media/*` for the articles folder `articlesDir`, sending `cacheControl` with every
 * file. Encoded separators (`%2F`, `%5C`) are a 400; a name that is not a served media file, or a
 * path that leaves the media folder (by `..` or by a symbolic link), a 404.
 */
export function mediaHandler(articlesDir: string, cacheControl: string): (c: Context) => Promise<Response> {
  const folder = join(articlesDir, MEDIA_DIR);
  return async (c) => {
    const raw = c.req.path.slice(MEDIA_PATH.length);
    // Looked for in the path as the client spelled it: the router has decoded some escapes (%5C).
    if (/%(?:2f|5c|00)/iu.test(rawPath(c.req.url))) return c.text('Bad request: encoded separators in a media path\n', 400);
    let name: string;
    try {
      name = decodeURIComponent(raw);
    } catch {
      return c.text('Bad request: invalid percent-encoding in the path\n', 400);
    }
    const found = isMediaName(name) ? locate(folder, name) : undefined;
    if (!found) return c.text('Not found\n', 404);
    // A strong validator from the file's size and modification time, as static servers make them
    // (nginx, Apache): no read of the file, and it changes whenever the file does.
    const etag = `"${found.size.toString(16)}-${Math.floor(found.mtimeMs).toString(16)}"`;
    const headers = { ETag: etag, 'Cache-Control': cacheControl, 'Access-Control-Allow-Origin': '*' };
    if (preconditionFails([etag], found.mtimeMs, c.req.header('if-match'), c.req.header('if-unmodified-since'))) {
      return c.text('Precondition failed: the file is not the version named\n', 412);
    }
    if (notModified(c, etag, found.mtimeMs)) return c.body(null, 304, { ...headers, 'Last-Modified': new Date(found.mtimeMs).toUTCString() });
    for (const [key, value] of Object.entries(headers)) c.header(key, value);
    // serveStatic says so only on a Range request; a client that resumes a download reads it on the 200.
    c.header('Accept-Ranges', 'bytes');
    // If-Range (RFC 9110 §13.1.5), which serveStatic does not read: a part of a file that changed since
    // the client's copy would be joined to that copy's bytes, so then the whole file is sent instead.
    const ifRange = c.req.header('if-range');
    const range = c.req.header('range');
    if (range !== undefined) {
      const asked = singleByteRange(range);
      if (asked === undefined || (ifRange !== undefined && !rangeStillValid(ifRange, etag, found.mtimeMs))) c.req.raw.headers.delete('range');
      else c.req.raw.headers.set('range', asked);
    }
    const serve: MiddlewareHandler = serveStatic({ path: found.path });
    const response = (await serve(c, async () => {})) as Response | undefined;
    if (!response) return c.text('Not found\n', 404);
    // serveStatic names types by its own table, which lacks some of ours (m4a, ogg) and differs on opus.
    response.headers.set('Content-Type', mediaTypeOf(name)!);
    return response;
  };
}

/**
 * A Range header that is one range of bytes (`bytes=0-99`, `bytes=100-`, `bytes=-100`, white space
 * allowed) as serveStatic reads it; undefined for any other, which is ignored and the whole file sent
 * with a 200, as RFC 9110 §14.2 has a server do with a unit it does not know or a range it cannot
 * read: serveStatic answered `items=0-1`, `bytes=abc`, `bytes= 0-1` and `bytes=0-1,3-4` with a 206 of
 * the whole file (it serves no multipart).
 */
function singleByteRange(range: string): string | undefined {
  const found = /^bytes=[ \t]*(?:(\d+)-(\d*)|-(\d+))[ \t]*$/iu.exec(range);
  if (!found) return undefined;
  const [, first, last, suffix] = found;
  if (first === undefined) return `bytes=-${suffix}`;
  return last === '' || Number(first) <= Number(last) ? `bytes=${first}-${last}` : undefined;
}

/**
 * Whether If-Range names the file as it is: its ETag by strong comparison (a weak tag never matches),
 * or exactly its Last-Modified date.
 */
function rangeStillValid(ifRange: string, etag: string, mtimeMs: number): boolean {
  const value = ifRange.trim();
  if (value.startsWith('"') || value.startsWith('W/')) return value === etag;
  return Date.parse(value) === Math.floor(mtimeMs / 1000) * 1000;
}

/** The real path and stat of `name` in `folder`, when it is a regular file that is really inside it. */
function locate(folder: string, name: string): { path: string; size: number; mtimeMs: number } | undefined {
  try {
    const real = realpathSync(join(folder, name));
    const rel = relative(realpathSync(folder), real);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    const stat = statSync(real);
    return stat.isFile() ? { path: real, size: stat.size, mtimeMs: stat.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RFC 9110 §13.1: If-None-Match decides when sent; else If-Modified-Since, to the second and exactly,
 * as for feeds (currentCoding in http.ts): a file replaced by an older copy (`cp -p`, `rsync -t`) has an
 * earlier mtime than the one a client holds.
 */
function notModified(c: Context, etag: string, mtimeMs: number): boolean {
  const inm = c.req.header('if-none-match');
  if (inm !== undefined) return inm.trim() === '*' || inm.split(',').some((t) => t.trim().replace(/^W\//u, '') === etag);
  const ims = c.req.header('if-modified-since');
  if (ims === undefined || c.req.header('range') !== undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 === since;
}
