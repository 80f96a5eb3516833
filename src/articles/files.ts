/**
 * The file system side of articles: which names are articles, and reading one file safely (size limit,
 * symbolic links that leave the folder, folders named like articles).
 *
 * Reads are synchronous on purpose: article files are small and local, and measured here a synchronous
 * open/fstat/read/close costs 15 µs a file from the page cache against 35 µs through libuv's thread pool
 * with 64 reads in flight, and 220 µs through `fs.promises` FileHandles. Loading many files gets its
 * concurrency from a bounded pool of worker threads instead (load.ts).
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readlinkSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative } from 'node:path';
import { parseArticle, parseArticleMeta, type ArticleFileInfo } from './parse.ts';
import { ArticleParseError, type ArticleFormat, type MetaResult, type ParseResult, type SourceStamp } from './types.ts';
import { MEDIA_DIR } from './media.ts';

const FORMATS: Record<string, ArticleFormat> = { '.txt': 'text', '.md': 'markdown' };

/**
 * Whether a file name is an article: `.txt` or `.md`, not a dotfile. Editor backups (`x.txt~`, `.#x`,
 * `#x#`, `*.swp`) and every other extension are ignored.
 */
export function isArticleFileName(name: string): boolean {
  return !name.startsWith('.') && extname(name).toLowerCase() in FORMATS;
}

/** The article id (file name without extension) and format of a file name. */
export function describeFileName(name: string): { id: string; format: ArticleFormat } {
  const ext = extname(name);
  return { id: basename(name, ext), format: FORMATS[ext.toLowerCase()]! };
}

/** How files are read. */
export interface ReadOptions {
  /** The articles folder, as given. */
  dir: string;
  /** Its real path, to tell whether a symbolic link leaves it. */
  realDir: string;
  /** Largest file accepted, in bytes; no more than this (plus one byte) is ever read. */
  maxBytes: number;
}

/** Resolves the real path of the articles folder once, for the readers below. */
export function resolveReadOptions(dir: string, maxBytes: number): ReadOptions {
  return { dir, realDir: realpathSync(dir), maxBytes };
}

/** The normalised folder each path starts with, per folder as given (`join(dir, 'x')` less the x). */
const prefixes = new Map<string, string>();

/**
 * The path under which an article file is known (in the index, in logs): `join(options.dir, name)`.
 * Why not join itself: path.normalize builds its result by appending, which left each of 100,000
 * paths as a chain of five V8 cons strings (a heap snapshot: ~200 bytes a path), flattened again by
 * every Map lookup by path. A plain name (what readdir gives) after the folder's normalised prefix,
 * joined by Array.prototype.join, is one flat string (tests/articles/files.test.ts compares the two).
 */
export function articlePath(options: ReadOptions, name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/')) return join(options.dir, name);
  let prefix = prefixes.get(options.dir);
  if (prefix === undefined) {
    prefix = join(options.dir, 'x').slice(0, -1);
    if (prefixes.size >= 64) prefixes.clear();
    prefixes.set(options.dir, prefix);
  }
  return [prefix, name].join('');
}

/**
 * Why a file's name cannot name an article, if it cannot: a control character (a newline, a tab…),
 * which no URL path can carry, so its page and every link to it would be a 400 and a static export
 * would fail; or bytes that are not UTF-8, which node lists with U+FFFD in their place, so the name
 * it gives opens no file (a name really holding U+FFFD does, and is fine).
 */
export function fileNameProblem(name: string, dir: string): string | undefined {
  const control = /[\u0000-\u001f\u007f]/u.exec(name);
  if (control) return `its name holds the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}, which no URL can carry: rename it`;
  if (name.includes('\uFFFD') && !existsSync(join(dir, name))) return 'its name is not valid UTF-8: rename it';
  return undefined;
}

/** What the directory listing already told about an entry, to save a system call per file. */
export type EntryKind = 'file' | 'symlink' | 'unknown';

/** Reads and parses one article file by name; every failure comes back as an error naming the file. */
export function readArticleFile(name: string, options: ReadOptions, kind: EntryKind = 'unknown'): ParseResult {
  return readWith(name, options, kind, parseArticle);
}

/** Like `readArticleFile`, without rendering the body: what the index keeps. */
export function readArticleMeta(name: string, options: ReadOptions, kind: EntryKind = 'unknown'): MetaResult {
  return readWith(name, options, kind, parseArticleMeta);
}

/**
 * Fills in the length of an article's local image (RSS and Atom enclosures carry it) from the file in
 * the media folder; an image that is missing, not a file, or a link out of the articles folder makes
 * the article a bad file, as every other bad input does.
 */
function withImageLength<R extends MetaResult>(result: R, options: ReadOptions, fail: (reason: ArticleParseError['reason'], message: string) => R): R {
  if (!result.ok) return result;
  const image = result.article.image!;
  const path = join(options.dir, MEDIA_DIR, image.local!);
  try {
    const real = realpathSync(path);
    const rel = relative(join(options.realDir, MEDIA_DIR), real);
    if (rel.startsWith('..') || isAbsolute(rel)) return fail('missing-image', `image ${MEDIA_DIR}/${image.local} links outside the media folder`);
    const stat = statSync(real);
    if (!stat.isFile()) return fail('missing-image', `image ${MEDIA_DIR}/${image.local} is not a file`);
    image.length = stat.size;
    return result;
  } catch {
    return fail('missing-image', `image ${MEDIA_DIR}/${image.local} does not exist`);
  }
}

/** The target a link names, when `error` (ENOENT) came from following a link that points to nothing. */
function danglingTarget(file: string, error: unknown): string | undefined {
  if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return undefined;
  try {
    return lstatSync(file).isSymbolicLink() ? readlinkSync(file) : undefined;
  } catch {
    return undefined;
  }
}

let scratchBuffer = Buffer.allocUnsafe(64 * 1024);

/**
 * One read buffer, reused for every file: reads are synchronous and the parser copies out what it keeps,
 * so no two files ever share it, and 100,000 loads make no 100,000 buffers for the collector.
 */
function scratch(size: number): Buffer {
  if (scratchBuffer.length < size) scratchBuffer = Buffer.allocUnsafe(size);
  return scratchBuffer;
}

function readWith<R extends MetaResult>(
  name: string,
  options: ReadOptions,
  kind: EntryKind,
  parse: (bytes: Uint8Array, info: ArticleFileInfo) => R,
): R {
  const file = articlePath(options, name);
  const badName = fileNameProblem(name, options.dir);
  if (badName) return failed(file, 'bad-file-name', badName) as R;
  if (kind === 'symlink' || kind === 'unknown') {
    try {
      if (kind === 'symlink' || lstatSync(file).isSymbolicLink()) {
        const target = realpathSync(file);
        const rel = relative(options.realDir, target);
        if (rel.startsWith('..') || isAbsolute(rel)) {
          return failed(file, 'outside-link', `symbolic link points outside the articles folder (to ${target})`) as R;
        }
      }
    } catch (error) {
      const dangling = danglingTarget(file, error);
      if (dangling !== undefined) return failed(file, 'unreadable', `symbolic link points to ${dangling}, which does not exist`) as R;
      const why = readFailure(error);
      return failed(file, why.reason, why.message) as R;
    }
  }
  return parseFileBytes(name, options, readFileBytes(file, options.maxBytes, scratch), parse);
}

function failed(file: string, reason: ArticleParseError['reason'], message: string): MetaResult {
  return { ok: false, error: new ArticleParseError(file, reason, message) };
}

/** A plain file's bytes with the stamp they go with, or why they could not be read. */
export type FileBytes = { ok: true; bytes: Buffer; source: SourceStamp } | { ok: false; reason: ArticleParseError['reason']; message: string };

/**
 * Reads a file's bytes into the buffer `room(size)` gives (at least `size` bytes): exactly the size
 * fstat saw (at most `maxBytes`), so that the bytes go with that size and time. Used by this thread
 * (into one reused buffer) and by the read thread of a large load (into the chunks it hands over, load.ts).
 */
export function readFileBytes(file: string, maxBytes: number, room: (size: number) => Buffer): FileBytes {
  let fd: number | undefined;
  try {
    // Non-blocking, so that a FIFO named like an article cannot hang the reader; fstat rejects it next.
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { ok: false, reason: 'not-a-file', message: 'a folder (or other non-file) named like an article' };
    if (stat.size > maxBytes) return { ok: false, reason: 'too-large', message: `the file is ${stat.size} bytes, over the limit of ${maxBytes}` };
    const want = stat.size;
    const buffer = room(want);
    let length = 0;
    while (length < want) {
      const bytesRead = readSync(fd, buffer, length, want - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    return { ok: true, bytes: buffer.subarray(0, length), source: { size: stat.size, mtimeMs: stat.mtimeMs } };
  } catch (error) {
    return { ok: false, ...readFailure(error) };
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function readFailure(error: unknown): { reason: ArticleParseError['reason']; message: string } {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return { reason: 'unreadable', message: 'the file disappeared while being read' };
  if (code === 'EISDIR') return { reason: 'not-a-file', message: 'a folder named like an article' };
  return { reason: 'unreadable', message: `cannot read the file: ${code ?? (error as Error).message}` };
}

/** What a file's bytes (or the failure to read them) parse to, with its local image's length filled in. */
export function parseFileBytes<R extends MetaResult>(name: string, options: ReadOptions, read: FileBytes, parse: (bytes: Uint8Array, info: ArticleFileInfo) => R): R {
  const file = articlePath(options, name);
  if (!read.ok) return failed(file, read.reason, read.message) as R;
  const { id, format } = describeFileName(name);
  const result = parse(read.bytes, { id, file, format, source: read.source });
  const fail = (reason: ArticleParseError['reason'], message: string) => failed(file, reason, message) as R;
  return result.ok && result.article.image?.local !== undefined ? withImageLength(result, options, fail) : result;
}
