/**
 * The server's own state: one embedded SQLite database (better-sqlite3) under `STATE_DIR`, created on
 * first use. The article files stay the only source of truth for content; this file keeps what must
 * survive a restart and cannot be read back from them (WebSub subscriptions, the last version of each
 * topic that subscribers were sent).
 *
 * Durability: WAL with `synchronous=FULL`, so a committed subscription survives `kill -9` and a power
 * cut. A file that is not a database, fails SQLite's integrity check or was written by a newer version
 * is a `StateError` naming the file: the server refuses to start rather than silently lose subscribers.
 */
import Database from 'better-sqlite3';
import { makeFolder } from '../folders.ts';
import { join, resolve } from 'node:path';

/** File name of the database inside `STATE_DIR`. */
export const STATE_FILE = 'tagfeeds.db';

/** The schema version this code writes (`PRAGMA user_version`). */
export const SCHEMA_VERSION = 1;

/** A state database that cannot be used, naming the file and the reason. */
export class StateError extends Error {
  override name = 'StateError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

// Each migration takes the schema from version i to i + 1; never edit one that has shipped.
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE subscriptions (
     topic TEXT NOT NULL,
     callback TEXT NOT NULL,
     callback_host TEXT NOT NULL,
     secret TEXT,
     lease_seconds INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (topic, callback)
   ) WITHOUT ROWID;
   CREATE INDEX subscriptions_by_host ON subscriptions (callback_host);
   CREATE INDEX subscriptions_by_expiry ON subscriptions (expires_at);
   CREATE TABLE topics (
     topic TEXT PRIMARY KEY,
     etag TEXT NOT NULL
   ) WITHOUT ROWID;`,
];

/** Opens (creating when missing) the state database in `dir`; throws `StateError` when it cannot be used. */
export function openStateDatabase(dir: string): Database.Database {
  const file = resolve(join(dir, STATE_FILE));
  try {
    makeFolder(dir);
  } catch (error) {
    throw new StateError(file, `cannot create the state folder: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let db: Database.Database;
  try {
    db = new Database(file, { timeout: 5000 });
  } catch (error) {
    throw new StateError(file, `cannot open the state database: ${(error as Error).message}`);
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`integrity check failed: ${String(check)}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(`written by a newer version of tagfeeds (schema ${version}, this one knows ${SCHEMA_VERSION}); upgrade, or move the file away`);
    }
    db.transaction(() => {
      for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    })();
  } catch (error) {
    db.close();
    const message = (error as Error).message;
    const hint = /not a database|malformed|integrity/iu.test(message) ? ' (the file is damaged: move it away to start with no subscriptions)' : '';
    throw new StateError(file, `${message}${hint}`);
  }
  return db;
}
