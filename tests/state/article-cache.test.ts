/**
 * The article metadata cache over real files and a real SQLite file: a second load reads no unchanged
 * file, and after edits, deletions, additions and renames made in between, it gives exactly what a
 * load without the cache gives.
 */
import Database from 'better-sqlite3';
import { cp, mkdir, readdir, readFile, rename, rm, utimes, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { isLazyArticle, materialize, type LazyArticle } from '../../src/articles/article-index.ts';
import { loadArticles } from '../../src/articles/load.ts';
import { summaryOf, type ArticleMeta } from '../../src/articles/types.ts';
import { ArticleMetaCache, CACHE_FILE, PARSER_PACKAGES, PARSER_SOURCES } from '../../src/state/article-cache.ts';
import { MetaSnapshot, SnapshotBuilder } from '../../src/state/meta-snapshot.ts';
import { makeTempDir, removeTempDir } from '../support/factory.ts';

let root: string;
let articles: string;
let state: string;

const text = (title: string, tags: string, extra = '') => `${extra}${title}\n\nFirst paragraph of ${title}.\n${tags}\n`;
const sorted = (metas: ArticleMeta[]) => [...metas].sort((a, b) => (a.file < b.file ? -1 : 1));

/** The one snapshot file of the state folder. */
async function snapshotFile(): Promise<string> {
  const files = (await readdir(state)).filter((f) => f.startsWith('snapshot-'));
  expect(files).toHaveLength(1);
  return join(state, files[0]!);
}

/** A snapshot with its header changed (after its 25-byte magic line and the header's 4-byte length). */
function withHeader(blob: Buffer, change: (header: Record<string, unknown>) => Record<string, unknown>): Buffer {
  const length = blob.readUInt32LE(25);
  const header = Buffer.from(JSON.stringify(change(JSON.parse(blob.toString('utf8', 29, 29 + length)) as Record<string, unknown>)));
  const size = Buffer.alloc(4);
  size.writeUInt32LE(header.length);
  return Buffer.concat([blob.subarray(0, 25), size, header, blob.subarray(29 + length)]);
}

async function load(cache?: ArticleMetaCache) {
  const result = await loadArticles(articles, 1024 * 1024, { workers: 0, cache });
  // Articles of the cache's snapshot come without their metadata made: made here, as the index would.
  return { ...result, articles: sorted([...result.articles, ...result.lazy.map(materialize)]) };
}

async function cachedLoad(log: string[] = []) {
  const cache = new ArticleMetaCache(state, articles, (l) => log.push(l));
  const result = await load(cache);
  cache.close();
  return result;
}

beforeEach(async () => {
  root = await makeTempDir('tagfeeds-cache-');
  articles = join(root, 'articles');
  state = join(root, 'state');
  await mkdir(articles);
  await writeFile(join(articles, 'plain.txt'), text('Plain Article', '#Alpha #España'));
  await writeFile(join(articles, 'front.md'), text('# Front Matter', '#Beta', '---\ndate: 2024-05-01T09:30:00Z\nauthor: Ana Pérez\nsummary: A summary.\ntags: [Gamma]\n---\n'));
  await writeFile(join(articles, 'draft.txt'), text('Draft', '#Alpha', '---\ndraft: true\n---\n'));
  await writeFile(join(articles, 'keep.txt'), text('Kept As Is', '#Alpha'));
  await writeFile(join(articles, 'broken.txt'), '---\ndate: [\n---\nBroken\n');
});
afterEach(() => removeTempDir(root));

describe('ArticleMetaCache', () => {
  it('lets a second load read no unchanged file and give the same metadata', async () => {
    const cold = await load();
    const first = await cachedLoad();
    expect(first.cached).toBe(0);
    expect(first.articles).toEqual(cold.articles);
    const second = await cachedLoad();
    expect(second.cached).toBe(4);
    expect(second.articles).toEqual(cold.articles);
    // As the parser does, an article not updated after its date has one Date for both (one object
    // fewer per article for a warm restart to make), and each author name is one string.
    const notUpdated = (metas: ArticleMeta[]) => metas.filter((a) => a.updated.getTime() === a.date.getTime());
    expect(notUpdated(cold.articles).length).toBeGreaterThan(0);
    for (const metas of [cold.articles, second.articles]) for (const a of notUpdated(metas)) expect(a.updated).toBe(a.date);
    // Bad files are never cached: they are read (and refused) every time, with their reason.
    expect(second.errors.map((e) => [e.file, e.reason])).toEqual([[join(articles, 'broken.txt'), 'bad-front-matter']]);
  });

  it('moves its rows to the folder that takes the old one\'s place (a symbolic link swapped), so that a start there reads no unchanged file', async () => {
    // Whole seconds, which a copy keeps exactly (sub-millisecond times are rounded by utimes).
    for (const name of await readdir(articles)) await utimes(join(articles, name), 1_700_000_000, 1_700_000_000);
    await cachedLoad();
    // The next release: the same files, their times kept, at another real path.
    const next = join(root, 'release-2');
    await cp(articles, next, { recursive: true, preserveTimestamps: true });
    const cache = new ArticleMetaCache(state, articles);
    cache.load();
    cache.moveTo(next);
    cache.close();
    const moved = new ArticleMetaCache(state, next);
    const result = await loadArticles(next, 1024 * 1024, { workers: 0, cache: moved });
    moved.close();
    expect(result.cached).toBe(4);
    // And none are left under the old path.
    const old = new ArticleMetaCache(state, articles);
    expect(old.size).toBe(0);
    old.close();
  });

  it('keeps whether a summary was cut, so that its ellipsis survives a restart', async () => {
    const words = Array.from({ length: 120 }, (_, i) => `word${i}`).join(' ');
    await writeFile(join(articles, 'long.txt'), `Long One\n\n${words}\n#Alpha\n`);
    const cold = await load();
    await cachedLoad();
    const warm = await cachedLoad();
    expect(warm.cached).toBe(5);
    const long = warm.articles.find((a) => a.id === 'long')!;
    expect(long.summaryCut).toBe(true);
    expect(summaryOf(long).endsWith('…')).toBe(true);
    expect(warm.articles.find((a) => a.id === 'plain')!.summaryCut).toBe(false);
    expect(warm.articles).toEqual(cold.articles);
  });

  it('stores no extra JSON for fields that are unset, such as no image', async () => {
    await cachedLoad();
    const db = new Database(join(state, CACHE_FILE), { readonly: true });
    try {
      expect(db.prepare("SELECT count(*) AS n FROM article_meta WHERE extra != ''").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('after edits, deletions, additions and renames while it was closed, gives exactly what a load without it gives', async () => {
    await cachedLoad();
    await writeFile(join(articles, 'plain.txt'), text('Plain Article, Edited', '#Delta'));
    // Same size, other time: read again all the same.
    const same = text('Kept As Is', '#Alpha');
    await writeFile(join(articles, 'keep.txt'), same.replace('Kept', 'Kept'));
    await utimes(join(articles, 'keep.txt'), new Date('2020-01-01'), new Date('2020-01-01'));
    await rm(join(articles, 'draft.txt'));
    await writeFile(join(articles, 'added.txt'), text('Added Later', '#Epsilon'));
    await rename(join(articles, 'front.md'), join(articles, 'moved.md'));
    await writeFile(join(articles, 'broken.txt'), text('No Longer Broken', '#Zeta'));

    const warm = await cachedLoad();
    const cold = await load();
    expect(warm.articles).toEqual(cold.articles);
    expect(warm.errors).toEqual(cold.errors);
    expect(warm.cached).toBe(0);
    expect(warm.articles.map((a) => a.id)).toEqual(['added', 'broken', 'keep', 'moved', 'plain']);
    expect(warm.articles.find((a) => a.id === 'plain')!.title).toBe('Plain Article, Edited');
    // And the one after that reads nothing again.
    expect((await cachedLoad()).cached).toBe(5);
  });

  it('does not use rows written by another version of the parser', async () => {
    await cachedLoad();
    const db = new Database(join(state, CACHE_FILE));
    db.prepare("UPDATE article_meta SET parser = 'older', title = 'Stale Title'").run();
    db.close();
    // The snapshot too, its header rewritten as another parser's.
    await writeFile(await snapshotFile(), withHeader(await readFile(await snapshotFile()), (h) => ({ ...h, parser: 'older' })));
    const warm = await cachedLoad();
    expect(warm.cached).toBe(0);
    expect(warm.articles.map((a) => a.title)).not.toContain('Stale Title');
  });

  it('numbers each tag label once, and reads again a file whose row names a number the table lacks', async () => {
    await cachedLoad();
    const db = new Database(join(state, CACHE_FILE));
    const labels = db.prepare('SELECT id, label FROM tag_label ORDER BY id').all() as { id: number; label: string }[];
    // Alpha, España, Beta and Gamma: Alpha, on three files, is one label with one number.
    expect(labels.map((l) => l.label).sort()).toEqual(['Alpha', 'Beta', 'España', 'Gamma']);
    const alpha = labels.find((l) => l.label === 'Alpha')!.id;
    const rows = db.prepare('SELECT name, tags FROM article_meta ORDER BY name').all() as { name: string; tags: string }[];
    expect(rows.filter((r) => r.tags.split(' ').includes(String(alpha))).map((r) => r.name)).toEqual(['draft.txt', 'keep.txt', 'plain.txt']);
    db.prepare('DELETE FROM tag_label WHERE id = ?').run(alpha);
    db.close();
    // The rows are read when there is no snapshot (which holds its own labels).
    await rm(await snapshotFile());
    const warm = await cachedLoad();
    // The three files naming Alpha are read again, with their tags; front.md's row is still good.
    expect(warm.cached).toBe(1);
    expect(warm.articles).toEqual((await load()).articles);
    // And Alpha has a number again, past every number in use: no label takes another's.
    const after = new Database(join(state, CACHE_FILE));
    const ids = (after.prepare('SELECT id FROM tag_label').all() as { id: number }[]).map((r) => r.id);
    after.close();
    expect(new Set(ids).size).toBe(4);
    expect(Math.max(...ids)).toBe(4);
    expect((await cachedLoad()).cached).toBe(4);
  });

  it('fingerprints every module parsing runs and the packages that decide field values', async () => {
    // The modules parse.ts reaches through relative imports, read from the sources themselves.
    const reached = new Set<string>();
    const visit = async (name: string) => {
      if (reached.has(name)) return;
      reached.add(name);
      const text = await readFile(join('src/articles', name), 'utf8');
      for (const [, imported] of text.matchAll(/^import [^;]*? from '\.\/([\w-]+\.ts)';$/gmu)) await visit(imported!);
    };
    await visit('parse.ts');
    expect([...reached].sort()).toEqual([...PARSER_SOURCES].sort());
    for (const name of PARSER_PACKAGES) expect(JSON.parse(await readFile(join('node_modules', name, 'package.json'), 'utf8')).name).toBe(name);
  });

  it('goes on without a cache, with one log line, where none can be made', async () => {
    const blocked = join(root, 'a-file');
    await writeFile(blocked, 'not a folder');
    const log: string[] = [];
    const cache = new ArticleMetaCache(join(blocked, 'state'), articles, (l) => log.push(l));
    const result = await load(cache);
    cache.close();
    expect(result.cached).toBe(0);
    expect(result.articles).toEqual((await load()).articles);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(new RegExp(`^article cache in ${join(blocked, 'state')} not used: .*; every file is read$`, 'u'));
  });

  it('moves a damaged cache aside with a log line and rebuilds it', async () => {
    await cachedLoad();
    await writeFile(join(state, CACHE_FILE), 'not a database '.repeat(500));
    await rm(join(state, `${CACHE_FILE}-wal`), { force: true });
    await rm(join(state, `${CACHE_FILE}-shm`), { force: true });
    const log: string[] = [];
    const warm = await cachedLoad(log);
    expect(warm.articles).toEqual((await load()).articles);
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(new RegExp(`article cache ${join(state, CACHE_FILE)} cannot be used .*moved to .*broken-\\d+, rebuilding it`, 'u'));
    expect((await readdir(state)).some((f) => f.startsWith(`${CACHE_FILE}.broken-`))).toBe(true);
    expect((await cachedLoad()).cached).toBe(4);
  });

  it('keeps a field the parser gains, beside the ones it has columns for', async () => {
    const cache = new ArticleMetaCache(state, articles, () => {});
    const [meta] = (await load()).articles;
    cache.put('plain.txt', { ...meta!, readingMinutes: { words: 420, minutes: 2 } } as never);
    cache.close();
    const again = new ArticleMetaCache(state, articles, () => {});
    const got = again.get('plain.txt', meta!.file, meta!.source, meta!.id, meta!.format) as unknown as Record<string, unknown>;
    again.close();
    expect(got.readingMinutes).toEqual({ words: 420, minutes: 2 });
    expect(got.title).toBe(meta!.title);
  });

  it('never takes a row for a file now over the size limit', async () => {
    await cachedLoad();
    const cache = new ArticleMetaCache(state, articles, () => {});
    const result = await loadArticles(articles, 40, { workers: 0, cache });
    cache.close();
    expect(result.articles).toEqual([]);
    // broken.txt is under 40 bytes: it fails on its front matter instead.
    expect(result.errors.filter((e) => e.reason === 'too-large')).toHaveLength(4);
  });
});

describe('ArticleMetaCache snapshot', () => {
  const withDb = (run: (db: Database.Database) => void) => {
    const db = new Database(join(state, CACHE_FILE));
    try {
      run(db);
    } finally {
      db.close();
    }
  };

  it('gives a folder from its snapshot alone after a clean close, its metadata made on first use and the same as a load without the cache', async () => {
    const cold = await load();
    await cachedLoad();
    // No row left: what the next load takes can only come from the snapshot.
    withDb((db) => db.prepare('DELETE FROM article_meta').run());
    const warm = await cachedLoad();
    expect(warm.cached).toBe(4);
    expect(warm.lazy).toHaveLength(4);
    expect(warm.articles).toEqual(cold.articles);
    expect(warm.errors).toEqual(cold.errors);
  });

  it('reads the rows written after the snapshot beside it, and they decide over its rows', async () => {
    await cachedLoad();
    await writeFile(join(articles, 'plain.txt'), text('Plain Article, Edited While Up', '#Delta'));
    // A server that read the edit and wrote its row, then stopped without closing (killed): no new snapshot.
    const killed = new ArticleMetaCache(state, articles, () => {});
    await load(killed);
    killed.flush();
    const warm = await cachedLoad();
    killed.close();
    expect(warm.cached).toBe(4);
    // plain.txt from its row, newer than the snapshot; the other three from the snapshot.
    expect(warm.lazy.map((a) => basename(a.file)).sort()).toEqual(['draft.txt', 'front.md', 'keep.txt']);
    expect(warm.articles).toEqual((await load()).articles);
    expect(warm.articles.find((a) => a.id === 'plain')!.title).toBe('Plain Article, Edited While Up');
  });

  it('writes the next snapshot from the one it read and the changes since: after edits, deletions and additions, it alone gives the current files', async () => {
    await cachedLoad();
    await writeFile(join(articles, 'plain.txt'), text('Plain Article, Edited', '#Delta #España'));
    await rm(join(articles, 'draft.txt'));
    await writeFile(join(articles, 'added.txt'), text('Added Later', '#Epsilon'));
    await rename(join(articles, 'front.md'), join(articles, 'moved.md'));
    await cachedLoad();
    withDb((db) => db.prepare('DELETE FROM article_meta').run());
    const warm = await cachedLoad();
    const cold = await load();
    expect(warm.articles).toEqual(cold.articles);
    expect(warm.lazy).toHaveLength(4);
    expect(warm.articles.map((a) => a.id)).toEqual(['added', 'keep', 'moved', 'plain']);
  });

  it('keeps a field the parser gains in the snapshot too', async () => {
    const cache = new ArticleMetaCache(state, articles, () => {});
    const [meta] = (await load()).articles;
    cache.put('plain.txt', { ...meta!, readingMinutes: { words: 420, minutes: 2 } } as never);
    cache.keepOnly(new Set(['plain.txt']));
    cache.close();
    withDb((db) => db.prepare('DELETE FROM article_meta').run());
    const again = new ArticleMetaCache(state, articles, () => {});
    const got = again.get('plain.txt', meta!.file, meta!.source, meta!.id, meta!.format)!;
    again.close();
    expect(isLazyArticle(got)).toBe(true);
    const made = materialize(got as LazyArticle) as unknown as Record<string, unknown>;
    expect(made.readingMinutes).toEqual({ words: 420, minutes: 2 });
    expect(made.title).toBe(meta!.title);
  });

  it('writes a snapshot in the background once the rows are written, so that a server killed afterwards starts from it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const cold = await load();
      const running = new ArticleMetaCache(state, articles, () => {});
      await load(running);
      // The snapshot's files: its temporary file while it is written, then the file renamed into place.
      const snapshots = async () => (await readdir(state)).filter((f) => f.startsWith('snapshot-'));
      // The rows first, a second after the last change; the snapshot five seconds after them.
      await vi.advanceTimersByTimeAsync(1000);
      withDb((db) => expect(db.prepare('SELECT count(*) FROM article_meta').pluck().get()).toBe(4));
      await vi.advanceTimersByTimeAsync(4900);
      expect(await snapshots()).toEqual([]);
      await vi.advanceTimersByTimeAsync(100);
      await running.settled();
      expect((await snapshots()).map((f) => f.endsWith('.bin'))).toEqual([true]);
      // Killed: never closed. No row left, so what the next start takes can only come from the snapshot.
      withDb((db) => db.prepare('DELETE FROM article_meta').run());
      const warm = await cachedLoad();
      expect(warm.lazy).toHaveLength(4);
      expect(warm.articles).toEqual(cold.articles);
      running.close();
    } finally {
      vi.useRealTimers();
    }
  });

  it('removes the temporary file of a snapshot write cut short, when it next reads the snapshot', async () => {
    await cachedLoad();
    const file = await snapshotFile();
    await writeFile(`${file}.12345-1`, 'half a snapshot');
    await writeFile(join(state, 'unrelated.bin.12345-1'), 'not ours');
    const warm = await cachedLoad();
    expect(warm.lazy).toHaveLength(4);
    expect((await readdir(state)).filter((f) => f.includes('.bin.'))).toEqual(['unrelated.bin.12345-1']);
  });

  it('drops a background snapshot when close writes a newer one while it is being written', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const running = new ArticleMetaCache(state, articles, () => {});
      await load(running);
      await vi.advanceTimersByTimeAsync(1000);
      await writeFile(join(articles, 'plain.txt'), text('Plain Article, Edited Before Stopping', '#Delta'));
      const edited = (await load()).articles.find((a) => a.id === 'plain')!;
      // The background write begins: its blob is made now, without the edit, and its file written by
      // the thread pool. Before that is done, the edit comes in and the server stops.
      vi.advanceTimersByTime(5000);
      running.put('plain.txt', edited);
      running.close();
      await running.settled();
      expect((await readdir(state)).filter((f) => f.startsWith('snapshot-')).map((f) => f.endsWith('.bin'))).toEqual([true]);
      withDb((db) => db.prepare('DELETE FROM article_meta').run());
      const warm = await cachedLoad();
      // The edit's row in the snapshot matches the file: nothing is read again.
      expect(warm.lazy).toHaveLength(4);
      expect(warm.articles.find((a) => a.id === 'plain')!.title).toBe('Plain Article, Edited Before Stopping');
    } finally {
      vi.useRealTimers();
    }
  });

  it.each([
    ['not a snapshot at all', 'not a snapshot of this layout', () => Buffer.from('garbage')],
    ['cut short', 'column bytes out of bounds', (blob: Buffer) => blob.subarray(0, blob.length - 10)],
    ['a tag number out of range', 'a tag out of range', (blob: Buffer) => {
      const copy = Buffer.from(blob);
      // The header (after the 25-byte magic line and its 4-byte length) says where the tag numbers are.
      const header = JSON.parse(copy.toString('utf8', 29, copy.readUInt32LE(25) + 29)) as { sections: Record<string, [number, number]> };
      const [offset, length] = header.sections.tagIds!;
      copy.writeUInt32LE(0xffff, 29 + copy.readUInt32LE(25) + offset + length - 4);
      return copy;
    }],
  ])('refuses a snapshot that is %s with a log line, and reads the rows instead', async (_, reason, damage) => {
    await cachedLoad();
    await writeFile(await snapshotFile(), damage(await readFile(await snapshotFile())));
    const log: string[] = [];
    const warm = await cachedLoad(log);
    expect(log).toHaveLength(1);
    expect(log).toEqual([`article cache snapshot of ${articles} cannot be used (${reason}): its rows are read instead`]);
    expect(warm.cached).toBe(4);
    expect(warm.lazy).toHaveLength(0);
    expect(warm.articles).toEqual((await load()).articles);
    // And the close wrote a good one again.
    expect((await cachedLoad()).lazy).toHaveLength(4);
  });
});

describe('MetaSnapshot', () => {
  it('keeps its rows in name order whatever order they were added in, and finds each name asked in any order', async () => {
    const [meta] = (await load()).articles;
    const names = ['m.txt', 'b.txt', 'z.md', 'a.txt', 'é.txt', 'k.md'];
    const builder = new SnapshotBuilder();
    for (const name of names) builder.addMeta(name, { ...meta!, title: `Title of ${name}` }, '');
    const snapshot = new MetaSnapshot(Buffer.concat(builder.finish({ dir: articles, parser: 'p', seq: 7 })));
    expect(snapshot.names).toEqual([...names].sort());
    expect(snapshot.info).toEqual({ dir: articles, parser: 'p', seq: 7 });
    for (const name of [...names].reverse().concat(names)) expect(snapshot.meta(snapshot.rowOf(name)!, 'id', 'file', 'text').title).toBe(`Title of ${name}`);
    for (const missing of ['', '0.txt', 'c.txt', 'zz.md']) expect(snapshot.rowOf(missing)).toBeUndefined();
    // And a snapshot of it, row by row, is the same.
    const again = new SnapshotBuilder(snapshot);
    for (let row = snapshot.count - 1; row >= 0; row--) again.addRow(row);
    expect(Buffer.concat(again.finish(snapshot.info))).toEqual(Buffer.concat(builder.finish(snapshot.info)));
  });
});
