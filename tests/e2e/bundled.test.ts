/**
 * The README's quick start: `npm start` on the bundled articles/ serves the example article in every
 * format, site-wide and under its tags. A real server, started from the same entry point as `npm start`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

const TITLE = 'Venezuela Restores Diplomatic Relations with the United States Following Visit by US Interior Secretary';
const TAGS = ['Venezuela', 'UnitedStates', 'DiplomaticRelations', 'DelcyRodriguez', 'DonaldTrump', 'Geopolitics', 'EconomicRecovery', 'USRelations'];

describe('npm start on the bundled articles', { timeout: 30_000 }, () => {
  let server: LiveServer;
  const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);

  beforeAll(async () => {
    server = await startServer([]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('prints one summary line and the site feed URLs on start', async () => {
    // The feed URLs follow the "Listening on" line, maybe in a later chunk of output.
    const lines = await eventually(async () => {
      const out = server.stdout().split('\n');
      return out.length > 5 ? out : undefined;
    }, 'the feed URLs on stdout');
    expect(lines[0]).toMatch(/^Loaded 1 article, 8 tags \(0 files skipped\) from articles\/ in \d+ ms$/);
    expect(lines[1]).toBe(`Listening on ${server.url}`);
    const port = new URL(server.url).port;
    expect(lines.slice(2, 5)).toEqual([`  http://localhost:${port}/rss.xml`, `  http://localhost:${port}/atom.xml`, `  http://localhost:${port}/feed.json`]);
    expect(server.stderr()).toBe('');
  });

  for (const prefix of ['', '/tags/venezuela']) {
    it(`serves the example article in ${prefix || 'the site'} feeds, the same in RSS, Atom and JSON Feed`, async () => {
      const responses = await Promise.all(['rss.xml', 'atom.xml', 'feed.json'].map((file) => get(`${prefix}/${file}`)));
      expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(responses.map((r) => r.headers.get('content-type'))).toEqual([
        'application/rss+xml; charset=utf-8',
        'application/atom+xml; charset=utf-8',
        'application/feed+json; charset=utf-8',
      ]);
      const [rss, atom, json] = await Promise.all(responses.map((r) => r.text()));
      const { json: feed, rss: parsedRss } = await expectSameFeed({ rss: rss!, atom: atom!, json: json! });
      expect(feed.items).toHaveLength(1);
      expect(feed.items[0]).toMatchObject({ title: TITLE, tags: TAGS, url: `http://localhost:${new URL(server.url).port}/articles/000_66bcc8fb033b93b3` });
      expect(feed.items[0]!.content_html.match(/<p>/g)).toHaveLength(9);
      expect(parsedRss.feed.links).toContainEqual({ rel: 'self', href: new URL(`${prefix}/rss.xml`, feed.home_page_url).href, type: 'application/rss+xml' });
    });
  }

  it('reaches the tag by other casings', async () => {
    const canonical = await (await get('/tags/venezuela/feed.json')).text();
    for (const path of ['/tags/Venezuela/feed.json', '/tags/VENEZUELA/feed.json']) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(await res.text()).toBe(canonical);
    }
    expect((await get('/tags/nope/rss.xml')).status).toBe(404);
  });

  it('links the item to an HTML page that answers 200', async () => {
    const feed = (await (await get('/feed.json')).json()) as JsonFeed;
    const res = await get(new URL(feed.items[0]!.url).pathname);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain(`<h1>${TITLE}</h1>`);
  });

  it('answers a conditional GET with 304, by ETag and by date', async () => {
    const first = await get('/tags/venezuela/atom.xml');
    await first.arrayBuffer();
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    expect(etag).toMatch(/^"/);
    const byEtag = await get('/tags/venezuela/atom.xml', { headers: { 'If-None-Match': etag } });
    expect(byEtag.status).toBe(304);
    expect(await byEtag.text()).toBe('');
    const byDate = await get('/tags/venezuela/atom.xml', { headers: { 'If-Modified-Since': lastModified } });
    expect(byDate.status).toBe(304);
    expect(first.headers.get('cache-control')).toMatch(/^public, max-age=\d+/);
  });

  it('sends compressed feeds to clients that ask', async () => {
    const res = await get('/rss.xml', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    // fetch() decompresses: the text must be the same feed as the uncompressed one.
    expect(await res.text()).toBe(await (await get('/rss.xml', { headers: { 'Accept-Encoding': 'identity' } })).text());
  });
});
