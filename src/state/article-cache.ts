/**
 * What loading computed of each article file, kept across restarts so that a restart re-reads only the
 * files that changed while the server was down: one row per file, keyed by the articles folder's real
 * path and the file name, with the file's size and modification time. The files stay the only source
 * of truth: a row is used only when the file's size and mtime are exactly those recorded (and the
 * parser is the one that wrote it), a file gone is dropped, a new or changed one is read.
 *
 * It is a cache, unlike the subscriptions, so it lives in a file of its own (`STATE_DIR/cache.db`): a
 * damaged or old-version cache is moved aside and rebuilt with a log line, never trusted, and never
 * stops the server.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ArticleMeta, SourceStamp } from '../articles/types.ts';
import { mergeTags } from '../articles/tags.ts';
import type { MetaCache } from '../articles/load.ts';

/** File name of the cache inside `STATE_DIR`. */
export const CACHE_FILE = 'cache.db';
const SCHEMA_VERSION = 1;

/**
 * A fingerprint of the code that turns files into metadata: rows written by another version of it are
 * not used. Hashing the parser's own source means no one has to remember to bump a number.
 */
function parserFingerprint(): string {
  const hash = createHash('sha256');
  for (const name of ['parse.ts', 'tags.ts', 'lines.ts', 'markdown.ts', 'types.ts', 'strings.ts']) {
    try {
      hash.update(readFileSync(new URL(`../articles/${name}`, import.meta.url)));
    } catch {
      hash.update(`missing ${name}`);
    }
  }
  return hash.digest('base64url').slice(0, 22);
}

/** The row format: what ArticleMeta holds beyond what the file name and stamp say. */
type Row = [name: string, size: number, mtimeMs: number, meta: string];
type Stored = [title: string, date: number, updated: number, author: string | null, summary: string, tags: string[], draft: 0 | 1];

function openCache(dir: string, log: (line: string) => void): Database.Database {
  mkdirSync(dir, { recursive: true });
  const file = resolve(join(dir, CACHE_FILE));
  const open = () => {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // A cache: losing the last writes to a crash costs a re-read, not data.
      db.pragma('synchronous = NORMAL');
      if (db.pragma('quick_check', { simple: true }) !== 'ok') throw new Error('integrity check failed');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== 0 && version !== SCHEMA_VERSION) throw new Error(`schema ${version}, this version writes ${SCHEMA_VERSION}`);
      db.exec(`CREATE TABLE IF NOT EXISTS article_meta (
        dir TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL,
        parser TEXT NOT NULL, meta TEXT NOT NULL, PRIMARY KEY (dir, name)) WITHOUT ROWID`);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      return db;
    } catch (error) {
      db.close();
      throw error;
    }
  };
  try {
    return open();
  } catch (error) {
    const aside = `${file}.broken-${Date.now()}`;
    log(`article cache ${file} cannot be used (${(error as Error).message}): moved to ${aside}, rebuilding it from the files`);
    for (const suffix of ['', '-wal', '-shm']) {
      try {
        renameSync(file + suffix, aside + suffix);
      } catch {
        // Not there.
      }
    }
    return open();
  }
}

/** The cache of one articles folder; see the module comment. */
export class ArticleMetaCache implements MetaCache {
  readonly #db: Database.Database;
  readonly #dir: string;
  readonly #parser = parserFingerprint();
  readonly #known = new Map<string, Row>();
  readonly #put: Database.Statement;
  readonly #delete: Database.Statement;
  #pending: (() => void)[] = [];
  #flush: NodeJS.Timeout | undefined;

  /** Opens the cache in `stateDir` for the folder whose real path is `realDir`. */
  constructor(stateDir: string, realDir: string, log: (line: string) => void = (l) => console.error(l)) {
    this.#db = openCache(stateDir, log);
    this.#dir = realDir;
    const rows = this.#db.prepare('SELECT name, size, mtime_ms, meta FROM article_meta WHERE dir = ? AND parser = ?').raw().all(realDir, this.#parser) as Row[];
    for (const row of rows) this.#known.set(row[0], row);
    this.#put = this.#db.prepare('INSERT OR REPLACE INTO article_meta (dir, name, size, mtime_ms, parser, meta) VALUES (?, ?, ?, ?, ?, ?)');
    this.#delete = this.#db.prepare('DELETE FROM article_meta WHERE dir = ? AND name = ?');
  }

  /** Rows held for this folder. */
  get size(): number {
    return this.#known.size;
  }

  get(name: string, file: string, stamp: SourceStamp, id: string, format: ArticleMeta['format']): ArticleMeta | undefined {
    const row = this.#known.get(name);
    if (!row || row[1] !== stamp.size || row[2] !== stamp.mtimeMs) return undefined;
    let stored: Stored;
    try {
      stored = JSON.parse(row[3]) as Stored;
    } catch {
      return undefined;
    }
    const [title, date, updated, author, summary, tags, draft] = stored;
    return { id, file, format, title, date: new Date(date), updated: new Date(updated), author: author ?? undefined, summary, tags: mergeTags([], tags), draft: draft === 1, source: stamp };
  }

  put(name: string, meta: ArticleMeta): void {
    const stored: Stored = [meta.title, meta.date.getTime(), meta.updated.getTime(), meta.author ?? null, meta.summary, meta.tags.map((t) => t.label), meta.draft ? 1 : 0];
    const row: Row = [name, meta.source.size, meta.source.mtimeMs, JSON.stringify(stored)];
    const known = this.#known.get(name);
    if (known && known[1] === row[1] && known[2] === row[2] && known[3] === row[3]) return;
    this.#known.set(name, row);
    this.#later(() => this.#put.run(this.#dir, name, row[1], row[2], this.#parser, row[3]));
  }

  forget(name: string): void {
    if (!this.#known.delete(name)) return;
    this.#later(() => this.#delete.run(this.#dir, name));
  }

  /** Drops the rows of files that are no longer in the folder. */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of [...this.#known.keys()]) if (!names.has(name)) this.forget(name);
  }

  /** Writes what is pending now (it is otherwise written in one transaction shortly after). */
  flush(): void {
    clearTimeout(this.#flush);
    this.#flush = undefined;
    const pending = this.#pending;
    this.#pending = [];
    if (pending.length > 0) {
      this.#db.transaction(() => {
        for (const write of pending) write();
      })();
    }
  }

  close(): void {
    this.flush();
    this.#db.close();
  }

  // Writes are batched into one transaction off the path of whoever asked: a start-up that parsed
  // 100,000 files writes them at once, after the server is serving.
  #later(write: () => void): void {
    this.#pending.push(write);
    this.#flush ??= setTimeout(() => {
      try {
        this.flush();
      } catch {
        // A cache that cannot be written costs a re-read at the next start, nothing else.
        this.#pending = [];
      }
    }, 200);
    this.#flush.unref();
  }
}
