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
import { closeSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open as openFile, rename } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { ArticleFormat, ArticleMeta, SourceStamp, Tag } from '../articles/types.ts';
import { tagsOfMerged } from '../articles/tags.ts';
import { lazyArticle, type LazyArticle } from '../articles/article-index.ts';
import type { MetaCache } from '../articles/load.ts';
import { makeFolder } from '../folders.ts';
import { MetaSnapshot, SnapshotBuilder } from './meta-snapshot.ts';
import { extraOf, storedMeta, type ExtraFields } from './stored-meta.ts';

/** File name of the cache inside `STATE_DIR`. */
export const CACHE_FILE = 'cache.db';
const SCHEMA_VERSION = 7;

/**
 * A fingerprint of the code that turns files into metadata: rows written by another version of it are
 * not used. Hashing the parser's own source means no one has to remember to bump a number.
 */
function parserFingerprint(): string {
  const hash = createHash('sha256');
  // As TypeScript, this module sits in src/state/; bundled by `npm start` (scripts/start.mjs), in build/
  // beside src/. Where the sources cannot be read, the bundle itself is hashed: any change to the code
  // then starts a fresh cache, which costs a re-read, never a stale row.
  const root = new URL(import.meta.url.endsWith('.ts') ? '../../' : '../', import.meta.url);
  try {
    // Every module parse.ts reaches, and the packages that decide field values (the summary's
    // Markdown, the front matter): an upgrade of any of them starts a fresh cache.
    for (const name of PARSER_SOURCES) hash.update(readFileSync(new URL(`src/articles/${name}`, root)));
    for (const name of PARSER_PACKAGES) hash.update(readFileSync(new URL(`node_modules/${name}/package.json`, root)));
  } catch {
    hash.update(readFileSync(new URL(import.meta.url)));
  }
  return hash.digest('base64url').slice(0, 22);
}

/** The files of src/articles/ that parsing runs (parse.ts and everything it imports). */
export const PARSER_SOURCES = ['parse.ts', 'tags.ts', 'lines.ts', 'markdown.ts', 'types.ts', 'strings.ts', 'dates.ts', 'yaml.ts', 'media.ts'];
/** The packages whose versions decide what a file parses to. */
export const PARSER_PACKAGES = ['marked', 'gray-matter', 'js-yaml'];

/**
 * A row as stored: what ArticleMeta holds beyond what the file name and stamp say. The fields every
 * article has get columns (reading JSON for them cost a fifth of a warm start); any other field goes
 * into `extra` as JSON, so that a field the parser gains is kept without a change here (the parser's
 * fingerprint changes with it, so older rows are not used).
 */
type Row = [name: string, size: number, mtimeMs: number, title: string, date: number, updated: number, author: string | null, summary: string, summaryCut: 0 | 1, tags: string, draft: 0 | 1, extra: string];

/**
 * A row's tags are stored as numbers, separated by spaces, into the folder's table of tag labels
 * (`tag_label`), not as the labels themselves: numbers are looked up in an array, where each of the
 * labels' 650,000 strings at 100,000 articles was split out of its row and looked up by its text.
 * Measured alternated against the labels (bench/RESULTS.md, "Warm restart at 100k after the article
 * cache's tag numbers"): a warm start about 6% sooner (median 2.27 against 2.42 s) and a cache file 11%
 * smaller. (A CPU profile put the lookups at 0.2–0.3 s; the profiler overstates them.)
 */
const TAG_SEPARATOR = ' ';

const COLUMNS = 'name, size, mtime_ms, title, date, updated, author, summary, summary_cut, tags, draft, extra';

function openCache(dir: string, log: (line: string) => void, read: (db: Database.Database) => void): Database.Database {
  makeFolder(dir);
  const file = resolve(join(dir, CACHE_FILE));
  const open = () => {
    const db = new Database(file);
    try {
      db.pragma('journal_mode = WAL');
      // A cache: losing the last writes to a crash costs a re-read, not data.
      db.pragma('synchronous = NORMAL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== 0 && version !== SCHEMA_VERSION) throw new Error(`schema ${version}, this version writes ${SCHEMA_VERSION}`);
      db.exec(`CREATE TABLE IF NOT EXISTS article_meta (
        dir TEXT NOT NULL, name TEXT NOT NULL, size INTEGER NOT NULL, mtime_ms REAL NOT NULL, parser TEXT NOT NULL,
        title TEXT NOT NULL, date REAL NOT NULL, updated REAL NOT NULL, author TEXT, summary TEXT NOT NULL, summary_cut INTEGER NOT NULL,
        tags TEXT NOT NULL, draft INTEGER NOT NULL, extra TEXT NOT NULL, written INTEGER NOT NULL, PRIMARY KEY (dir, name)) WITHOUT ROWID`);
      // Which rows are newer than the folder's snapshot: \`written\` numbers every change in order.
      db.exec('CREATE INDEX IF NOT EXISTS article_meta_written ON article_meta (dir, written)');
      // Every tag label a row of the folder has named, numbered from 0 in the order first written.
      db.exec('CREATE TABLE IF NOT EXISTS tag_label (dir TEXT NOT NULL, id INTEGER NOT NULL, label TEXT NOT NULL, PRIMARY KEY (dir, id)) WITHOUT ROWID');
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
      // No integrity check up front (it reads the whole file, a third of a warm start): a damaged
      // file fails this read instead, and is rebuilt like any other. The rows are read through a
      // memory map, unmapped once read: SQLite otherwise reads the file a page per system call, and the
      // 100,000 rows of the benchmark took 0.29–0.35 s to step through that way against 0.20–0.31 s
      // mapped (bench/RESULTS.md, "Warm restart at 100k after the mapped read"). Only this process
      // writes the file, so the map cannot see it truncated under it.
      db.pragma(`mmap_size = ${READ_MAP_BYTES}`);
      try {
        read(db);
      } finally {
        db.pragma('mmap_size = 0');
      }
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

/** The most of the cache file mapped while its rows are read at open. */
const READ_MAP_BYTES = 1024 * 1024 * 1024;

/** Rows written per transaction when the cache catches up in the background. */
const WRITE_CHUNK = 2000;
/** How long after the last change the cache is written: start-up is over by then. */
const WRITE_DELAY_MS = 1000;

/**
 * The tags a row names by number (see `TAG_SEPARATOR`), as the shared Tag objects of `table`; undefined
 * when a number is not in the table (a damaged row: its file is read again).
 */
function tagsOfRow(ids: string, table: readonly Tag[]): Tag[] | undefined {
  if (ids === '') return [];
  const numbers = ids.split(TAG_SEPARATOR);
  const tags = new Array<Tag>(numbers.length);
  for (let i = 0; i < numbers.length; i++) {
    const tag = table[Number(numbers[i])];
    if (tag === undefined) return undefined;
    tags[i] = tag;
  }
  return tags;
}

/**
 * The metadata a row holds; its id, file and format are filled in by `get` from the file name as the
 * load names it. Undefined for a row whose `extra` does not parse, or that names a tag the table does
 * not hold (the file is read again).
 */
function fromRow(row: Row, table: readonly Tag[]): ArticleMeta | undefined {
  const [, size, mtimeMs, title, date, updated, author, summary, summaryCut, ids, draft, extra] = row;
  const tags = tagsOfRow(ids, table);
  if (tags === undefined) return undefined;
  let more: ExtraFields | undefined;
  if (extra !== '') {
    try {
      more = JSON.parse(extra) as ExtraFields;
    } catch {
      return undefined;
    }
  }
  return storedMeta({ id: '', file: '', format: 'text', size, mtimeMs, title, date, updated, author: author ?? undefined, summary, summaryCut: summaryCut === 1, tags, draft: draft === 1, extra: more });
}

/**
 * Changes since the snapshot from which a new one is written in the background, once the rows are
 * written: fewer are read as rows beside it at the next start (a few thousand rows cost milliseconds),
 * and `close` writes one whatever the number.
 */
const SNAPSHOT_CHANGES = 1000;
/** How long after the rows are written the snapshot is (a second or so of work at 100,000 articles). */
const SNAPSHOT_DELAY_MS = 5000;

/**
 * The cache of one articles folder; see the module comment. What it knows of the folder is its
 * snapshot as read at open (meta-snapshot.ts), less the rows of it forgotten or replaced since, and
 * `#live`: the metadata of every file taken from a row or parsed since. A new snapshot is written from
 * those two, not read back from the rows.
 */
export class ArticleMetaCache implements MetaCache {
  readonly #stateDir: string;
  #dir: string;
  readonly #log: (line: string) => void;
  readonly #parser = parserFingerprint();
  #db: Database.Database | undefined;
  #unusable = false;
  /** The snapshot read at open, if any. */
  #snapshot: MetaSnapshot | undefined;
  /** The snapshot's rows that no longer count: forgotten, or replaced by one of `#live`. */
  #gone = new Uint8Array(0);
  /** The snapshot's rows that still count. */
  #snapshotRows = 0;
  /** Rows read at open (with a snapshot, only those newer than it), until loading has taken what it needs. */
  #recorded = new Map<string, ArticleMeta>();
  /** The metadata of each file taken from a row or parsed since the open, for the next snapshot. */
  readonly #live = new Map<string, ArticleMeta>();
  /** Writes not made yet: metadata to store, or null to delete, with the number of the change. */
  #pending = new Map<string, { meta: ArticleMeta | null; seq: number }>();
  /** The number of the latest change (rows carry theirs in `written`, a snapshot the latest it holds). */
  #seq = 0;
  /** Changes since the last snapshot written (or read). */
  #changes = 0;
  /** Whether loading is done (`keepOnly`): before that, a snapshot would miss the rows not taken yet. */
  #loaded = false;
  #timer: NodeJS.Timeout | undefined;
  #snapshotTimer: NodeJS.Timeout | undefined;
  /** Snapshot writes begun: a background one renames its file only if no other began since. */
  #snapshotWrites = 0;
  /** The background snapshot write in flight, if any. */
  #background: Promise<void> | undefined;
  /** The number of each tag label in the folder's `tag_label` table. */
  readonly #tagIds = new Map<string, number>();
  /** Past every number the table holds, so that a new label never takes the number of another. */
  #nextTagId = 0;
  #put!: Database.Statement;
  #delete!: Database.Statement;
  #putLabel!: Database.Statement;

  /**
   * A cache in `stateDir` for the folder whose real path is `realDir`. The file is opened and its rows
   * read by `load` (or the first use), so that the load can stat the files meanwhile.
   */
  constructor(stateDir: string, realDir: string, log: (line: string) => void = (l) => console.error(l)) {
    this.#stateDir = stateDir;
    this.#dir = realDir;
    this.#log = log;
  }

  load(): void {
    this.#open();
  }

  /**
   * The open database, reading its rows the first time; undefined when no cache can be made here at
   * all (STATE_DIR unusable, even after moving a damaged file aside): then, with one log line, the
   * load reads every file and nothing is written, as without a cache.
   */
  #open(): Database.Database | undefined {
    if (this.#db || this.#unusable) return this.#db;
    try {
      return this.#openNow();
    } catch (error) {
      this.#unusable = true;
      this.#recorded = new Map();
      this.#snapshot = undefined;
      this.#snapshotRows = 0;
      this.#log(`article cache in ${this.#stateDir} not used: ${(error as Error).message}; every file is read`);
      return undefined;
    }
  }

  #openNow(): Database.Database {
    const db = openCache(this.#stateDir, this.#log, (opened) => {
      this.#recorded = new Map();
      this.#snapshot = undefined;
      this.#tagIds.clear();
      this.#nextTagId = 0;
      // The shared Tag of each label, by number (a number missing here makes a row that names it unused).
      const table: Tag[] = [];
      for (const [id, label] of opened.prepare('SELECT id, label FROM tag_label WHERE dir = ?').raw().iterate(this.#dir) as IterableIterator<[number, string]>) {
        table[id] = tagsOfMerged([label])[0]!;
        this.#tagIds.set(label, id);
        this.#nextTagId = Math.max(this.#nextTagId, id + 1);
      }
      this.#seq = (opened.prepare('SELECT max(written) FROM article_meta WHERE dir = ?').pluck().get(this.#dir) as number | null) ?? 0;
      let newerThan = -1;
      const snapshot = this.#readSnapshot();
      if (snapshot) {
        this.#snapshot = snapshot;
        newerThan = snapshot.info.seq;
        // Never a number the snapshot holds again (the rows may be a new file's, counting from 0).
        this.#seq = Math.max(this.#seq, newerThan);
      }
      this.#gone = new Uint8Array(this.#snapshot?.count ?? 0);
      this.#snapshotRows = this.#snapshot?.count ?? 0;
      // Without a snapshot, every row; with one, the rows written since it (few, unless the server
      // stopped without writing one). Each row becomes its metadata at once, so that the row dies young
      // instead of waiting for the load in a map of 100,000 rows (less for the collector to move).
      const select = opened.prepare(`SELECT ${COLUMNS} FROM article_meta WHERE dir = ? AND parser = ? AND written > ?`).raw();
      for (const row of select.iterate(this.#dir, this.#parser, newerThan) as IterableIterator<Row>) {
        const meta = fromRow(row, table);
        if (meta) this.#recorded.set(row[0], meta);
      }
      // Rows newer than the snapshot are changes it lacks: the next one is due as for any change.
      this.#changes = this.#snapshot ? this.#recorded.size : Number.POSITIVE_INFINITY;
    });
    this.#put = db.prepare(`INSERT OR REPLACE INTO article_meta (dir, parser, ${COLUMNS}, written) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.#delete = db.prepare('DELETE FROM article_meta WHERE dir = ? AND name = ?');
    this.#putLabel = db.prepare('INSERT OR REPLACE INTO tag_label (dir, id, label) VALUES (?, ?, ?)');
    this.#db = db;
    return db;
  }

  /** Files the cache holds a row for. */
  get size(): number {
    this.#open();
    let size = this.#live.size + this.#snapshotRows;
    for (const name of this.#recorded.keys()) if (!this.#live.has(name) && this.#snapshotRow(name) === undefined) size++;
    return size;
  }

  get(name: string, file: string, stamp: SourceStamp, id: string, format: ArticleFormat): ArticleMeta | LazyArticle | undefined {
    this.#open();
    const meta = this.#recorded.get(name);
    if (meta) {
      // The row is newer than the snapshot's, if it has one: it decides.
      if (meta.source.size !== stamp.size || meta.source.mtimeMs !== stamp.mtimeMs) return undefined;
      // Each row is taken once, by the load: let it go now rather than hold every row to the end.
      this.#recorded.delete(name);
      // What the file name says, as the caller names it (the folder as given, not its real path).
      meta.id = id;
      meta.file = file;
      meta.format = format;
      this.#dropSnapshotRow(name);
      this.#live.set(name, meta);
      return meta;
    }
    const snapshot = this.#snapshot;
    const row = this.#snapshotRow(name);
    if (snapshot === undefined || row === undefined || snapshot.size[row] !== stamp.size || snapshot.mtime[row] !== stamp.mtimeMs) return undefined;
    return lazyArticle(snapshot, row, id, file, format);
  }

  put(name: string, meta: ArticleMeta): void {
    if (!this.#open()) return;
    // An article with an image is never cached: its metadata depends on a second file (the image's
    // length, and whether it exists), which the article file's stamp does not cover.
    if (meta.image) {
      this.forget(name);
      return;
    }
    const known = this.#stampOf(name);
    if (known?.size === meta.source.size && known.mtimeMs === meta.source.mtimeMs && !this.#pending.has(name)) return;
    // One place per name: what a file parsed to replaces its row and its snapshot row.
    this.#recorded.delete(name);
    this.#dropSnapshotRow(name);
    this.#live.set(name, meta);
    this.#later(name, meta);
  }

  forget(name: string): void {
    this.#open();
    const had = this.#live.delete(name) || this.#recorded.delete(name);
    if (!(this.#dropSnapshotRow(name) || had)) return;
    this.#later(name, null);
  }

  keepOnly(names: ReadonlySet<string>): void {
    this.#open();
    // Deleting the entry being visited is safe in a Map's iteration; no copy of 100,000 keys.
    for (const name of this.#live.keys()) if (!names.has(name)) this.forget(name);
    for (const name of this.#recorded.keys()) if (!names.has(name)) this.forget(name);
    const snapshot = this.#snapshot;
    if (snapshot) for (let row = 0; row < snapshot.count; row++) if (this.#gone[row] === 0 && !names.has(snapshot.names[row]!)) this.forget(snapshot.names[row]!);
    // Loading is done: the rows it read from are not needed any more.
    this.#recorded = new Map();
    this.#loaded = true;
    this.#snapshotLater();
  }

  moveTo(realDir: string): void {
    if (realDir === this.#dir) return;
    const from = this.#dir;
    const db = this.#open();
    try {
      // The rows follow the folder: the watcher compares the new folder with what is served, and puts
      // and forgets rows as it goes, so once it is done the rows are the new folder's, under its path.
      // Rows pending are written first, under the old path, and move with the rest; rows written
      // earlier under the new path (a folder served before) are replaced. The snapshot names its folder:
      // the old one's is removed, and the close writes the new one's.
      if (db) {
        this.flush();
        db.transaction(() => {
          for (const table of ['article_meta', 'tag_label']) {
            db.prepare(`DELETE FROM ${table} WHERE dir = ?`).run(realDir);
            db.prepare(`UPDATE ${table} SET dir = ? WHERE dir = ?`).run(realDir, from);
          }
        })();
      }
    } catch {
      // A cache that cannot be written costs a re-read at the next start, nothing else (a row naming
      // a tag number the new path's table lacks is not used).
      this.#pending.clear();
    }
    rmSync(this.#snapshotFile(), { force: true });
    this.#dir = realDir;
    this.#changes = Number.POSITIVE_INFINITY;
  }

  /** Writes everything pending now (otherwise written in the background, a second after the last change). */
  flush(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    while (this.#pending.size > 0) this.#writeChunk(Number.POSITIVE_INFINITY);
  }

  /** Writes what is pending, and a snapshot if anything changed since the last one. */
  close(): void {
    if (!this.#db) return;
    clearTimeout(this.#snapshotTimer);
    try {
      this.flush();
      if (this.#changes > 0) this.writeSnapshot();
    } catch (error) {
      this.#log(`article cache ${join(this.#stateDir, CACHE_FILE)} not written: ${(error as Error).message}; the next start reads the files it lacks`);
    }
    this.#db.close();
  }

  /** Settles once no background snapshot write is in flight (its file renamed into place, or dropped). */
  async settled(): Promise<void> {
    while (this.#background) await this.#background;
  }

  /**
   * Writes the folder's snapshot now, from the snapshot read at open and what changed since (not read
   * back from the rows). Only once loading is done; without a database, nothing.
   */
  writeSnapshot(): void {
    const parts = this.#buildSnapshot();
    if (!parts) return;
    const file = this.#snapshotFile();
    const temporary = `${file}.${process.pid}-${++this.#snapshotWrites}`;
    const fd = openSync(temporary, 'w');
    try {
      for (const part of parts) for (let at = 0; at < part.length; ) at += writeSync(fd, part, at);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
  }

  /**
   * As writeSnapshot, the file written by the thread pool: only making the blob (~0.1–0.3 s at 100,000
   * rows) holds this thread. A snapshot written meanwhile (by `close`) wins: this one is dropped.
   */
  async #writeSnapshotInBackground(): Promise<void> {
    const parts = this.#buildSnapshot();
    if (!parts) return;
    const file = this.#snapshotFile();
    const write = ++this.#snapshotWrites;
    const temporary = `${file}.${process.pid}-${write}`;
    const handle = await openFile(temporary, 'w');
    try {
      for (const part of parts) await handle.write(part);
    } finally {
      await handle.close();
    }
    if (write === this.#snapshotWrites) await rename(temporary, file);
    else rmSync(temporary, { force: true });
  }

  #buildSnapshot(): Buffer[] | undefined {
    if (!this.#open() || !this.#loaded) return undefined;
    const snapshot = this.#snapshot;
    const builder = new SnapshotBuilder(snapshot);
    if (snapshot) for (let row = 0; row < snapshot.count; row++) if (this.#gone[row] === 0) builder.addRow(row);
    for (const [name, meta] of this.#live) builder.addMeta(name, meta, extraOf(meta));
    this.#changes = 0;
    return builder.finish({ dir: this.#dir, parser: this.#parser, seq: this.#seq });
  }

  /**
   * The folder's snapshot file, beside the database: a file, not a row, because a 50 MB blob took
   * SQLite 0.3–0.4 s to write (twice over, through its log) on the main thread, where a file is written
   * by the thread pool. Named by a hash of the folder's real path; the header names the folder too.
   */
  #snapshotFile(): string {
    return join(this.#stateDir, `snapshot-${createHash('sha256').update(this.#dir).digest('base64url').slice(0, 16)}.bin`);
  }

  /** The folder's snapshot, if there is one this parser wrote for this folder; a damaged one is logged. */
  #readSnapshot(): MetaSnapshot | undefined {
    const file = this.#snapshotFile();
    // A write cut short (the process killed while the thread pool wrote it) leaves its temporary file,
    // as big as the snapshot: removed here, the one time this folder's snapshot is read.
    const temporary = `${basename(file)}.`;
    for (const name of readdirSync(this.#stateDir)) if (name.startsWith(temporary)) rmSync(join(this.#stateDir, name), { force: true });
    let blob: Buffer;
    try {
      blob = readFileSync(file);
    } catch {
      return undefined;
    }
    try {
      const snapshot = new MetaSnapshot(blob);
      // Another parser's rows are not used, as rows are not; another folder's is a hash collision.
      return snapshot.info.parser === this.#parser && snapshot.info.dir === this.#dir ? snapshot : undefined;
    } catch (error) {
      this.#log(`article cache snapshot of ${this.#dir} cannot be used (${(error as Error).message}): its rows are read instead`);
      return undefined;
    }
  }

  /** The snapshot's row for a file, if it still counts. */
  #snapshotRow(name: string): number | undefined {
    const row = this.#snapshot?.rowOf(name);
    return row !== undefined && this.#gone[row] === 0 ? row : undefined;
  }

  /** Makes a snapshot's row no longer count; whether it did. */
  #dropSnapshotRow(name: string): boolean {
    const row = this.#snapshotRow(name);
    if (row === undefined) return false;
    this.#gone[row] = 1;
    this.#snapshotRows--;
    return true;
  }

  /** The stamp the cache holds for a file, if any. */
  #stampOf(name: string): SourceStamp | undefined {
    const meta = this.#live.get(name) ?? this.#recorded.get(name);
    if (meta) return meta.source;
    const row = this.#snapshotRow(name);
    return row === undefined ? undefined : { size: this.#snapshot!.size[row]!, mtimeMs: this.#snapshot!.mtime[row]! };
  }

  #later(name: string, meta: ArticleMeta | null): void {
    this.#pending.set(name, { meta, seq: ++this.#seq });
    this.#changes++;
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#drain(), WRITE_DELAY_MS);
    this.#timer.unref();
  }

  // 100,000 rows after a cold start are written a chunk per turn of the event loop, so that requests
  // are answered in between.
  #drain(): void {
    this.#timer = undefined;
    try {
      this.#writeChunk(WRITE_CHUNK);
    } catch {
      // A cache that cannot be written costs a re-read at the next start, nothing else.
      this.#pending.clear();
      return;
    }
    if (this.#pending.size > 0) this.#timer = setTimeout(() => this.#drain(), 0);
    else this.#snapshotLater();
  }

  /** Schedules a snapshot once enough changed (or none was read), when the rows are written. */
  #snapshotLater(): void {
    if (this.#snapshotTimer || !this.#loaded || this.#pending.size > 0 || this.#changes < SNAPSHOT_CHANGES) return;
    this.#snapshotTimer = setTimeout(() => {
      this.#snapshotTimer = undefined;
      // A snapshot that cannot be written costs reading the rows at the next start, nothing else.
      const write = this.#writeSnapshotInBackground().catch(() => {
        // Not written: `close` tries again.
        this.#changes = Number.POSITIVE_INFINITY;
      });
      const done: Promise<void> = write.finally(() => {
        if (this.#background === done) this.#background = undefined;
      });
      this.#background = done;
    }, SNAPSHOT_DELAY_MS);
    this.#snapshotTimer.unref();
  }

  /** The number of a tag label, given one (and written, in the transaction under way) if it had none. */
  #tagId(label: string): number {
    let id = this.#tagIds.get(label);
    if (id === undefined) {
      id = this.#nextTagId++;
      this.#putLabel.run(this.#dir, id, label);
      this.#tagIds.set(label, id);
    }
    return id;
  }

  #writeChunk(limit: number): void {
    const chunk: [string, { meta: ArticleMeta | null; seq: number }][] = [];
    for (const entry of this.#pending) {
      if (chunk.length >= limit) break;
      chunk.push(entry);
    }
    for (const [name] of chunk) this.#pending.delete(name);
    const db = this.#open();
    if (!db) return;
    const labelsBefore = this.#tagIds.size;
    const write = db.transaction(() => {
      for (const [name, { meta, seq }] of chunk) {
        if (meta === null) {
          this.#delete.run(this.#dir, name);
          continue;
        }
        const ids = meta.tags.map((t) => this.#tagId(t.label)).join(TAG_SEPARATOR);
        const { source, title, date, updated, author, summary, summaryCut, draft } = meta;
        this.#put.run(this.#dir, this.#parser, name, source.size, source.mtimeMs, title, date.getTime(), updated.getTime(), author ?? null, summary, summaryCut === true ? 1 : 0, ids, draft ? 1 : 0, extraOf(meta), seq);
      }
    });
    try {
      write();
    } catch (error) {
      // The labels numbered in the transaction were rolled back with it: forget them here too, so that
      // no later row names a number the table does not hold. (Map keeps insertion order: the newest last.)
      for (const label of [...this.#tagIds.keys()].slice(labelsBefore)) this.#tagIds.delete(label);
      throw error;
    }
  }
}
