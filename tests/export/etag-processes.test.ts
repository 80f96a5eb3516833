/**
 * ETags come from the content alone: two server processes on the same articles, and a process started
 * again, give every feed the same ETag, so caches in front of several servers agree.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type LiveServer } from '../support/live-server.ts';
import { BASE_URL, createTestSite, loadQuietly, routePaths, type TestSite } from './support/site.ts';

describe('ETags across server processes', { timeout: 120_000 }, () => {
  let test: TestSite;
  let paths: string[];
  const servers: LiveServer[] = [];
  const start = async () => {
    const server = await startServer(['--articles-dir', test.articlesDir, '--base-url', BASE_URL]);
    servers.push(server);
    return server;
  };

  beforeAll(async () => {
    test = await createTestSite();
    const routes = routePaths(await loadQuietly(test.config));
    paths = [...routes.feeds, routes.opml, ...routes.pages];
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await test?.remove();
  }, 30_000);

  /** The validators of every route, for each coding a reader may ask for. */
  async function validators(server: LiveServer): Promise<string[]> {
    const seen: string[] = [];
    for (const path of paths) {
      for (const encoding of ['identity', 'gzip', 'br']) {
        const res = await fetch(server.url + path, { headers: { 'Accept-Encoding': encoding } });
        await res.arrayBuffer();
        expect([path, res.status]).toEqual([path, 200]);
        seen.push(`${path} ${encoding} ${res.headers.get('etag')} ${res.headers.get('last-modified')}`);
      }
    }
    return seen;
  }

  it('are the same for every feed and page from two processes on the same articles', async () => {
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.url).not.toBe(b.url);
    const fromA = await validators(a);
    expect(fromA.every((line) => /" \w{3}, /u.test(line))).toBe(true);
    expect(await validators(b)).toEqual(fromA);
  });

  it('let one process answer 304 to a validator that another process gave', async () => {
    const [a, b] = servers;
    for (const path of paths.slice(0, 12)) {
      const etag = (await fetch(a!.url + path)).headers.get('etag')!;
      const res = await fetch(b!.url + path, { headers: { 'If-None-Match': etag } });
      expect([path, res.status]).toEqual([path, 304]);
    }
  });

  it('are the same after a restart', async () => {
    const before = await validators(servers[0]!);
    await servers[0]!.stop();
    expect(await validators(await start())).toEqual(before);
  });
});
