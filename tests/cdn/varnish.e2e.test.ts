/**
 * deploy/varnish/default.vcl, as written (only the backend ports replaced), in front of two real
 * server instances on loopback that purge it by surrogate key: repeated requests are hits, a new
 * article shows through within a second in exactly the feeds it touches, cached feeds outlive every
 * instance, and the delayed second purge clears a copy fetched from an instance that was behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';
import { findVarnishd, freePort, startVarnish, type RunningVarnish } from './support/varnish.ts';

const varnishd = findVarnishd();
if (!varnishd) console.warn('varnishd or its xkey vmod is not installed: skipping the Varnish tests (scripts/test-tools.sh installs varnish and varnish-modules as root on Debian)');

const article = (title: string, tags: string) => `${title}\n\n${title} body paragraph.\n${tags}\n`;

/** Writes a file as a careful publisher does: a temporary dotfile, then a rename into place. */
async function publish(dir: string, name: string, text: string): Promise<void> {
  const temp = join(dir, `.${name}.tmp`);
  await writeFile(temp, text);
  await rename(temp, join(dir, name));
}

interface Answer {
  status: number;
  cache: string | null;
  etag: string | null;
  age: number;
  body: string;
  headers: Headers;
}

async function get(base: string, path: string, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, cache: res.headers.get('x-cache'), etag: res.headers.get('etag'), age: Number(res.headers.get('age') ?? 0), body: await res.text(), headers: res.headers };
}

const titles = (body: string) => ((JSON.parse(body) as { items?: { title: string }[] }).items ?? []).map((i) => i.title);

/** Settings the instances share: the same base URL makes the same bytes and ETags on each. */
const SHARED = ['--base-url', 'http://feeds.example', '--websub', 'off'];

describe.skipIf(!varnishd)('Varnish in front of two instances, purged by surrogate key', { timeout: 60_000 }, () => {
  let dir: string;
  let servers: LiveServer[] = [];
  let varnish: RunningVarnish;
  let warmedAt = 0;
  const TTL = 5;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tagfeeds-varnish-articles-'));
    await publish(dir, 'oil.txt', article('Oil One', '#Oil'));
    await publish(dir, 'caracas.txt', article('Caracas One', '#Venezuela'));
    // Ports first: the VCL names the instances, and the instances name Varnish in PURGE_URLS.
    const ports = [await freePort(), await freePort()] as [number, number];
    const varnishPort = await freePort();
    servers = await Promise.all(
      ports.map((port) =>
        startServer(['--articles-dir', dir, '--port', String(port), ...SHARED], {
          PURGE_URLS: `http://127.0.0.1:${varnishPort}/`,
          PURGE_DELAY_SECONDS: '2',
          CACHE_S_MAXAGE: String(TTL),
          CACHE_STALE_WHILE_REVALIDATE: '1',
        }),
      ),
    );
    varnish = await startVarnish(varnishd!, ports, varnishPort);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await varnish?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('answers repeated requests from its cache, each coding kept apart, without showing the keys', async () => {
    warmedAt = Date.now();
    for (const path of ['/feed.json', '/tags/venezuela/feed.json', '/tags/oil/feed.json', '/tags/oil/rss.xml']) {
      const first = await get(varnish.url, path);
      expect(first.status).toBe(200);
      expect(first.cache).toBe('MISS');
      const second = await get(varnish.url, path);
      expect(second.cache).toBe('HIT');
      expect(second.etag).toBe(first.etag);
      expect(second.body).toBe(first.body);
      expect(second.headers.get('surrogate-key')).toBeNull();
    }
    // Each coding is cached once, whatever Accept-Encoding spells it (the VCL normalises it).
    for (const [first, then] of [['br', 'gzip, br'], ['identity', 'br;q=0, deflate']]) {
      const one = await get(varnish.url, '/tags/oil/atom.xml', { 'Accept-Encoding': first! });
      expect(one.cache).toBe('MISS');
      const other = await get(varnish.url, '/tags/oil/atom.xml', { 'Accept-Encoding': then! });
      expect(other.cache).toBe('HIT');
      expect(other.etag).toBe(one.etag);
    }
  });

  it('passes a conditional GET through as a 304 from the cache', async () => {
    const { etag } = await get(varnish.url, '/tags/oil/feed.json');
    const res = await fetch(`${varnish.url}/tags/oil/feed.json`, { headers: { 'If-None-Match': etag! } });
    expect(res.status).toBe(304);
  });

  it('shows a new article within a second in the feeds it touches, and leaves other tags cached', async () => {
    const untouched = await get(varnish.url, '/tags/oil/feed.json');
    expect(untouched.cache).toBe('HIT');
    const tagListBefore = (await get(varnish.url, '/tags')).body;
    const opmlBefore = (await get(varnish.url, '/tags.opml')).body;
    const started = Date.now();
    await publish(dir, 'maracaibo.txt', article('Maracaibo Two', '#Venezuela'));
    for (const path of ['/feed.json', '/tags/venezuela/feed.json']) {
      await eventually(async () => (titles((await get(varnish.url, path)).body).includes('Maracaibo Two') ? true : undefined), `${path} through Varnish`, 5000);
    }
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(1000);
    // The tag list and the OPML were purged too: the tag's count and latest date changed.
    expect((await get(varnish.url, '/tags')).body).not.toBe(tagListBefore);
    expect((await get(varnish.url, '/tags.opml')).body).not.toBe(opmlBefore);
    expect((await get(varnish.url, '/tags/venezuela')).body).toContain('Maracaibo Two');
    // Each instance purged on the change it saw (and counts it).
    for (const server of servers) expect(await (await fetch(`${server.url}/metrics`)).text()).toMatch(/^tagfeeds_purges_total\{result="sent"\} [1-9]/mu);
    const after = await get(varnish.url, '/tags/oil/feed.json');
    expect(after.cache).toBe('HIT');
    expect(after.body).toBe(untouched.body);
    expect(after.etag).toBe(untouched.etag);
  });

  it('goes on serving cached feeds, stale, when every instance is down', async () => {
    // The change above is purged twice, the second time PURGE_DELAY_SECONDS later: wait for that
    // purge from each instance, then have the site feed cached again. A feed purged while every
    // instance is down has no copy left to serve (a purge removes it), so the instances stop only
    // once the second purge is in: under load it could otherwise land after the feed was re-cached.
    for (const server of servers) {
      await eventually(async () => {
        const sent = /^tagfeeds_purges_total\{result="sent"\} (\d+)/mu.exec(await (await fetch(`${server.url}/metrics`)).text());
        return sent && Number(sent[1]) >= 2 ? true : undefined;
      }, `the second purge from ${server.url}`, 10_000);
    }
    expect((await get(varnish.url, '/feed.json')).status).toBe(200);
    await Promise.all(servers.map((s) => s.stop()));
    // Past the TTL, so that what comes back is served from grace, not fresh.
    await new Promise((r) => setTimeout(r, Math.max(0, warmedAt + (TTL + 1) * 1000 - Date.now())));
    const oil = await get(varnish.url, '/tags/oil/feed.json');
    expect(oil.status).toBe(200);
    expect(oil.cache).toBe('HIT');
    expect(oil.age).toBeGreaterThanOrEqual(TTL);
    expect(titles(oil.body)).toEqual(['Oil One']);
    const site = await get(varnish.url, '/feed.json');
    expect(site.status).toBe(200);
    expect(titles(site.body)).toContain('Maracaibo Two');
  });
});

describe.skipIf(!varnishd)('the delayed second purge', { timeout: 60_000 }, () => {
  // Instance A sees a change first and purges; Varnish's only backend is instance B, on a synced
  // copy of the folder that is behind, and B's own purge is taken to have landed during the fetch
  // (B sends none): the copy Varnish fetched from B is stale, and only A's second purge clears it.
  let ahead: string;
  let behind: string;
  let a: LiveServer | undefined;
  let b: LiveServer | undefined;
  let varnish: RunningVarnish | undefined;

  beforeAll(async () => {
    ahead = await mkdtemp(join(tmpdir(), 'tagfeeds-varnish-ahead-'));
    behind = await mkdtemp(join(tmpdir(), 'tagfeeds-varnish-behind-'));
    for (const folder of [ahead, behind]) await publish(folder, 'caracas.txt', article('Caracas One', '#Venezuela'));
    b = await startServer(['--articles-dir', behind, ...SHARED]);
    const port = Number(new URL(b.url).port);
    varnish = await startVarnish(varnishd!, [port, port]);
    a = await startServer(['--articles-dir', ahead, ...SHARED], { PURGE_URLS: `${varnish.url}/`, PURGE_DELAY_SECONDS: '2' });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await varnish?.stop();
    for (const folder of [ahead, behind]) if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('makes the new version visible although the first purge was followed by a fetch from an instance behind', async () => {
    const path = '/tags/venezuela/feed.json';
    expect((await get(varnish!.url, path)).cache).toBe('MISS');
    await publish(ahead, 'maracaibo.txt', article('Maracaibo Two', '#Venezuela'));
    // A has seen it (its own answer has it), and its first purge emptied Varnish: the next request
    // is fetched from B, which has not, and that stale copy is kept.
    await eventually(async () => (titles((await get(a!.url, path)).body).includes('Maracaibo Two') ? true : undefined), 'instance A to see the change', 5000);
    const stale = await eventually(async () => {
      const res = await get(varnish!.url, path);
      return res.cache === 'MISS' ? res : undefined;
    }, 'the first purge to reach Varnish', 5000);
    const firstPurgeAt = Date.now();
    expect(titles(stale.body)).toEqual(['Caracas One']);
    await copyFile(join(ahead, 'maracaibo.txt'), join(behind, 'maracaibo.txt'));
    await eventually(async () => (titles((await get(b!.url, path)).body).includes('Maracaibo Two') ? true : undefined), 'instance B to catch up', 5000);
    const still = await get(varnish!.url, path);
    expect(still.cache).toBe('HIT');
    expect(titles(still.body)).toEqual(['Caracas One']);
    const fresh = await eventually(async () => {
      const res = await get(varnish!.url, path);
      return titles(res.body).includes('Maracaibo Two') ? res : undefined;
    }, 'the delayed purge to clear the stale copy', 6000);
    expect(fresh.cache).toBe('MISS');
    expect(Date.now() - firstPurgeAt).toBeGreaterThan(500);
  });
});
