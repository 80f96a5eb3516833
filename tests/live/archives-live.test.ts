/**
 * Archives against a real server (the defaults: ARCHIVE_SIZE = FEED_LIMIT = 50): a new article dated
 * now, written into the folder while the server runs, shows in the subscription feeds and changes no
 * archive document's ETag, as long as it completes no page (RFC 5005 §4; see src/feeds/archives.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

let dir: string;
let server: LiveServer;

const START = Date.parse('2023-01-01T00:00:00Z');
/** 100 articles: two site archives; the 50 even ones carry #Half, one archive of that tag. */
const COUNT = 100;

const ARCHIVES = [
  ...[1, 2].flatMap((n) => ['rss.xml', 'atom.xml', 'feed.json'].map((f) => `/archive/${n}/${f}`)),
  ...['rss.xml', 'atom.xml', 'feed.json'].map((f) => `/tags/half/archive/1/${f}`),
];

async function etagOf(path: string): Promise<string> {
  const res = await fetch(`${server.url}${path}`);
  expect([path, res.status]).toEqual([path, 200]);
  await res.arrayBuffer();
  return res.headers.get('etag')!;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-archives-live-'));
  await Promise.all(
    Array.from({ length: COUNT }, (_, i) =>
      writeFile(
        join(dir, `old-${i}.txt`),
        `---\ndate: ${new Date(START + i * 3600_000).toISOString()}\n---\nOld article ${i}\n\nBody ${i}.\n${i % 2 === 0 ? '#Half ' : ''}#All\n`,
      ),
    ),
  );
  server = await startServer(['--articles-dir', dir]);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('archives of a running server', () => {
  it('keeps every archive document’s ETag when a new article arrives, which shows in the subscription feeds', async () => {
    const before = new Map<string, string>();
    for (const path of ARCHIVES) before.set(path, await etagOf(path));
    expect((await fetch(`${server.url}/archive/3/rss.xml`)).status).toBe(404);
    const res = await fetch(`${server.url}/archive/1/atom.xml`);
    expect(res.headers.get('cache-control')).toBe('public, max-age=86400, s-maxage=86400, stale-while-revalidate=60');
    expect(res.headers.get('link')).toBeNull();
    expect(await res.text()).not.toContain('rel="hub"');

    const temp = join(dir, '.brand-new.txt.tmp');
    await writeFile(temp, 'Brand new article\n\nJust written.\n#Half #All\n');
    await rename(temp, join(dir, 'brand-new.txt'));
    await eventually(async () => ((await (await fetch(`${server.url}/feed.json`)).text()).includes('/articles/brand-new') ? true : undefined), 'the new article in /feed.json');

    for (const feed of ['/rss.xml', '/atom.xml', '/tags/half/rss.xml', '/tags/half/atom.xml', '/tags/half/feed.json']) {
      expect([feed, (await (await fetch(`${server.url}${feed}`)).text()).includes('/articles/brand-new')]).toEqual([feed, true]);
    }
    for (const path of ARCHIVES) expect([path, await etagOf(path)]).toEqual([path, before.get(path)]);
    const conditional = await fetch(`${server.url}/archive/2/rss.xml`, { headers: { 'if-none-match': before.get('/archive/2/rss.xml')! } });
    expect(conditional.status).toBe(304);
    expect((await fetch(`${server.url}/archive/3/rss.xml`)).status).toBe(404);
  });
});
