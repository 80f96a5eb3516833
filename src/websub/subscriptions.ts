/**
 * WebSub subscriptions and the last version of each topic sent, kept in the state database so that they
 * survive restarts. One row per (topic, callback): a verified re-subscription replaces the earlier one.
 */
import type Database from 'better-sqlite3';

/** An active or expired subscription. */
export interface Subscription {
  topic: string;
  callback: string;
  callbackHost: string;
  secret?: string;
  leaseSeconds: number;
  /** ms since the epoch. */
  expiresAt: number;
}

interface Row {
  topic: string;
  callback: string;
  callback_host: string;
  secret: string | null;
  lease_seconds: number;
  expires_at: number;
}

const fromRow = (r: Row): Subscription => ({
  topic: r.topic,
  callback: r.callback,
  callbackHost: r.callback_host,
  secret: r.secret ?? undefined,
  leaseSeconds: r.lease_seconds,
  expiresAt: r.expires_at,
});

/** The subscription store; see the module comment. Statements are prepared once. */
export class SubscriptionStore {
  readonly #upsert: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #active: Database.Statement;
  readonly #one: Database.Statement;
  readonly #countTopic: Database.Statement;
  readonly #countHost: Database.Statement;
  readonly #countAll: Database.Statement;
  readonly #expire: Database.Statement;
  readonly #topics: Database.Statement;
  readonly #getEtag: Database.Statement;
  readonly #setEtag: Database.Statement;

  constructor(db: Database.Database) {
    this.#upsert = db.prepare(
      `INSERT INTO subscriptions (topic, callback, callback_host, secret, lease_seconds, expires_at, created_at)
       VALUES (@topic, @callback, @callbackHost, @secret, @leaseSeconds, @expiresAt, @now)
       ON CONFLICT (topic, callback) DO UPDATE SET
         callback_host = excluded.callback_host, secret = excluded.secret,
         lease_seconds = excluded.lease_seconds, expires_at = excluded.expires_at`,
    );
    this.#remove = db.prepare('DELETE FROM subscriptions WHERE topic = ? AND callback = ?');
    this.#active = db.prepare('SELECT * FROM subscriptions WHERE topic = ? AND expires_at > ?');
    this.#one = db.prepare('SELECT * FROM subscriptions WHERE topic = ? AND callback = ?');
    this.#countTopic = db.prepare('SELECT count(*) AS n FROM subscriptions WHERE topic = ? AND expires_at > ?');
    this.#countHost = db.prepare('SELECT count(*) AS n FROM subscriptions WHERE callback_host = ? AND expires_at > ?');
    this.#countAll = db.prepare('SELECT count(*) AS n FROM subscriptions WHERE expires_at > ?');
    this.#expire = db.prepare('DELETE FROM subscriptions WHERE expires_at <= ?');
    this.#topics = db.prepare('SELECT DISTINCT topic FROM subscriptions WHERE expires_at > ?');
    this.#getEtag = db.prepare('SELECT etag FROM topics WHERE topic = ?');
    this.#setEtag = db.prepare('INSERT INTO topics (topic, etag) VALUES (?, ?) ON CONFLICT (topic) DO UPDATE SET etag = excluded.etag');
  }

  /** Adds a subscription, or replaces the one for the same topic and callback. */
  save(sub: Subscription, now = Date.now()): void {
    this.#upsert.run({ ...sub, secret: sub.secret ?? null, now });
  }

  /** Removes a subscription; whether there was one. */
  remove(topic: string, callback: string): boolean {
    return this.#remove.run(topic, callback).changes > 0;
  }

  /** One subscription, active or not. */
  get(topic: string, callback: string): Subscription | undefined {
    const row = this.#one.get(topic, callback) as Row | undefined;
    return row && fromRow(row);
  }

  /** The subscriptions of a topic whose lease has not run out. */
  active(topic: string, now = Date.now()): Subscription[] {
    return (this.#active.all(topic, now) as Row[]).map(fromRow);
  }

  /** Topics that have at least one active subscription. */
  topics(now = Date.now()): string[] {
    return (this.#topics.all(now) as { topic: string }[]).map((r) => r.topic);
  }

  /** Active subscriptions of a topic. */
  countForTopic(topic: string, now = Date.now()): number {
    return (this.#countTopic.get(topic, now) as { n: number }).n;
  }

  /** Active subscriptions whose callback is on `host`. */
  countForHost(host: string, now = Date.now()): number {
    return (this.#countHost.get(host, now) as { n: number }).n;
  }

  /** Active subscriptions of every topic (for the metrics). */
  count(now = Date.now()): number {
    return (this.#countAll.get(now) as { n: number }).n;
  }

  /** Deletes the subscriptions whose lease ran out; how many. */
  expire(now = Date.now()): number {
    return this.#expire.run(now).changes;
  }

  /** The ETag of the version of a topic last distributed (or seen when the first subscriber came). */
  lastEtag(topic: string): string | undefined {
    return (this.#getEtag.get(topic) as { etag: string } | undefined)?.etag;
  }

  /** Records the version of a topic just distributed. */
  setLastEtag(topic: string, etag: string): void {
    this.#setEtag.run(topic, etag);
  }
}
