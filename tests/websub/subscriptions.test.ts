import Database from 'better-sqlite3';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateDatabase, SCHEMA_VERSION, STATE_FILE, StateError } from '../../src/state/database.ts';
import { SubscriptionStore, type Subscription } from '../../src/websub/subscriptions.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-state-test-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sub = (overrides: Partial<Subscription> = {}): Subscription => ({
  topic: 'http://feeds.example/rss.xml',
  callback: 'https://reader.example/cb/1',
  callbackHost: 'reader.example',
  leaseSeconds: 3600,
  expiresAt: Date.now() + 3_600_000,
  ...overrides,
});

describe('SubscriptionStore', () => {
  it('replaces a subscription for the same topic and callback, and keeps others apart', () => {
    const store = new SubscriptionStore(openStateDatabase(dir));
    store.save(sub({ secret: 'one' }));
    store.save(sub({ secret: 'two', leaseSeconds: 7200 }));
    store.save(sub({ callback: 'https://reader.example/cb/2' }));
    store.save(sub({ topic: 'http://feeds.example/atom.xml' }));
    expect(store.active('http://feeds.example/rss.xml').map((s) => [s.callback, s.secret, s.leaseSeconds])).toEqual([
      ['https://reader.example/cb/1', 'two', 7200],
      ['https://reader.example/cb/2', undefined, 3600],
    ]);
    expect(store.countForHost('reader.example')).toBe(3);
    expect(store.countForTopic('http://feeds.example/rss.xml')).toBe(2);
    expect(store.topics().sort()).toEqual(['http://feeds.example/atom.xml', 'http://feeds.example/rss.xml']);
  });

  it('leaves expired subscriptions out of every count and sweeps them', () => {
    const store = new SubscriptionStore(openStateDatabase(dir));
    const now = Date.now();
    store.save(sub({ expiresAt: now - 1 }));
    store.save(sub({ callback: 'https://reader.example/live', expiresAt: now + 1000 }));
    expect(store.active('http://feeds.example/rss.xml', now).map((s) => s.callback)).toEqual(['https://reader.example/live']);
    expect(store.countForHost('reader.example', now)).toBe(1);
    expect(store.expire(now)).toBe(1);
    expect(store.get('http://feeds.example/rss.xml', 'https://reader.example/cb/1')).toBeUndefined();
  });

  it('keeps subscriptions and topic versions across a reopen', () => {
    const db = openStateDatabase(dir);
    new SubscriptionStore(db).save(sub());
    new SubscriptionStore(db).setLastEtag('http://feeds.example/rss.xml', '"abc"');
    db.close();
    const again = new SubscriptionStore(openStateDatabase(dir));
    expect(again.active('http://feeds.example/rss.xml')).toHaveLength(1);
    expect(again.lastEtag('http://feeds.example/rss.xml')).toBe('"abc"');
  });
});

describe('openStateDatabase', () => {
  it('creates its folder and file on first use', () => {
    const db = openStateDatabase(join(dir, 'nested', 'state'));
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('refuses a file that is no database, naming it', async () => {
    await writeFile(join(dir, STATE_FILE), 'x'.repeat(4096));
    expect(() => openStateDatabase(dir)).toThrow(StateError);
    expect(() => openStateDatabase(dir)).toThrow(new RegExp(`^${join(dir, STATE_FILE)}: .*not a database`, 'u'));
  });

  it('refuses a database written by a newer version instead of guessing at it', () => {
    const newer = new Database(join(dir, STATE_FILE));
    newer.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    newer.close();
    expect(() => openStateDatabase(dir)).toThrow(/newer version of tagfeeds/u);
  });

  it('refuses a state folder it cannot create, naming it', async () => {
    await writeFile(join(dir, 'file'), '');
    expect(() => openStateDatabase(join(dir, 'file', 'state'))).toThrow(/cannot create the state folder: (ENOTDIR|EEXIST)/u);
  });
});
