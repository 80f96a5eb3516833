/**
 * The file system side of articles: which names are articles, and reading one file safely (size limit,
 * symbolic links that leave the folder, folders named like articles).
 */
import { open, realpath, lstat } from 'node:fs/promises';
import { basename, extname, join, relative, isAbsolute } from 'node:path';
import { parseArticle } from './parse.ts';
import { ArticleParseError, type ArticleFormat, type ParseResult } from './types.ts';

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

/** Resolves the real path of the articles folder once, for `readArticleFile`. */
export async function resolveReadOptions(dir: string, maxBytes: number): Promise<ReadOptions> {
  return { dir, realDir: await realpath(dir), maxBytes };
}

/** The path under which an article file is known (in the index, in logs). */
export function articlePath(options: ReadOptions, name: string): string {
  return join(options.dir, name);
}

/** Reads and parses one article file by name; every failure comes back as an error naming the file. */
export async function readArticleFile(name: string, options: ReadOptions): Promise<ParseResult> {
  const file = articlePath(options, name);
  const fail = (reason: ArticleParseError['reason'], message: string): ParseResult => ({
    ok: false,
    error: new ArticleParseError(file, reason, message),
  });
  let handle;
  try {
    const link = await lstat(file);
    if (link.isSymbolicLink()) {
      const target = await realpath(file);
      const rel = relative(options.realDir, target);
      if (rel.startsWith('..') || isAbsolute(rel)) {
        return fail('outside-link', `symbolic link points outside the articles folder (to ${target})`);
      }
    }
    handle = await open(file, 'r');
    const stat = await handle.stat();
    if (!stat.isFile()) return fail('not-a-file', 'a folder (or other non-file) named like an article');
    if (stat.size > options.maxBytes) {
      return fail('too-large', `the file is ${stat.size} bytes, over the limit of ${options.maxBytes}`);
    }
    const buffer = Buffer.allocUnsafe(Math.min(stat.size, options.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes) {
      return fail('too-large', `the file grew over the limit of ${options.maxBytes} bytes while being read`);
    }
    const { id, format } = describeFileName(name);
    return parseArticle(buffer.subarray(0, length), {
      id,
      file,
      format,
      source: { size: stat.size, mtimeMs: stat.mtimeMs },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('unreadable', 'the file disappeared while being read');
    if (code === 'EISDIR') return fail('not-a-file', 'a folder named like an article');
    return fail('unreadable', `cannot read the file: ${code ?? (error as Error).message}`);
  } finally {
    await handle?.close();
  }
}
