import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, open, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';
import { feedparse, xmlProblems } from '../support/readers.ts';

let dir: string;
let server: LiveServer;

const article = (title: string, tags: string, body = `${title} body paragraph.`) => `${title}\n\n${body}\n${tags}\n`;

/** Writes like a careful publisher: a temporary dotfile, then a rename into place. */
async function publish(name: string, text: string) {
  const temp = join(dir, `.${name}.tmp`);
  await writeFile(temp, text);
  await rename(temp, join(dir, name));
}

async function get(path: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, { headers });
  return { status: res.status, etag: res.headers.get('etag'), body: await res.text() };
}

async function titles(path: string): Promise<string[] | undefined> {
  const res = await get(path);
  if (res.status !== 200) return [];
  return ((JSON.parse(res.body) as { items: { title: string }[] }).items ?? []).map((i) => i.title);
}

/** Waits until the JSON feed at `path` lists exactly `expected` (order ignored). */
function waitForTitles(path: string, expected: string[]) {
  return eventually(async () => {
    const seen = await titles(path);
    return seen && [...seen].sort().join('|') === [...expected].sort().join('|') ? seen : undefined;
  }, `${path} to list ${expected.join(', ')}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-live-'));
  await writeFile(join(dir, 'a1.txt'), article('Alpha One', '#Alpha #Shared'));
  await writeFile(join(dir, 'b1.txt'), article('Beta One', '#Beta'));
  server = await startServer(['--articles-dir', dir]);
});

afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('a running server', () => {
  it('shows a new article in the site feeds, its tag feeds, /tags and the OPML', async () => {
    await publish('c1.txt', article('Gamma New', '#Gamma #Shared'));
    await waitForTitles('/tags/gamma/feed.json', ['Gamma New']);
    expect(await titles('/feed.json')).toContain('Gamma New');
    expect(await titles('/tags/shared/feed.json')).toEqual(expect.arrayContaining(['Gamma New', 'Alpha One']));
    const rss = await get('/tags/gamma/rss.xml');
    expect(await xmlProblems(rss.body)).toBe('');
    expect((await feedparse(rss.body)).entries.map((e) => e.title)).toEqual(['Gamma New']);
    expect((await get('/tags')).body).toContain('#Gamma</a> (1)');
    expect((await get('/tags.opml')).body).toContain('/tags/gamma/rss.xml');
  });

  it('shows a changed article everywhere and moves it between tags', async () => {
    await publish('a1.txt', article('Alpha Two', '#Alpha #Delta'));
    await waitForTitles('/tags/delta/feed.json', ['Alpha Two']);
    expect(await titles('/tags/alpha/feed.json')).toEqual(['Alpha Two']);
    expect(await titles('/tags/shared/feed.json')).toEqual(['Gamma New']);
    expect(await titles('/feed.json')).not.toContain('Alpha One');
    expect((await get('/atom.xml')).body).toContain('Alpha Two');
  });

  it('follows a rename: the old id goes, the new id comes', async () => {
    await rename(join(dir, 'c1.txt'), join(dir, 'c2.txt'));
    const feed = await eventually(async () => {
      const res = await get('/tags/gamma/feed.json');
      if (res.status !== 200) return undefined;
      const items = (JSON.parse(res.body) as { items: { id: string }[] }).items;
      return items.length === 1 && items[0]!.id.endsWith('/articles/c2') ? items : undefined;
    }, 'the renamed article under its new id');
    expect(feed).toHaveLength(1);
    expect((await get('/articles/c1')).status).toBe(404);
    expect((await get('/articles/c2')).status).toBe(200);
  });

  it('removes a deleted article, and its tag when no article carries it any more', async () => {
    await rm(join(dir, 'c2.txt'));
    await eventually(async () => ((await get('/tags/gamma/feed.json')).status === 404 ? true : undefined), 'tag gamma to go');
    expect(await titles('/feed.json')).not.toContain('Gamma New');
    expect((await get('/tags')).body).not.toContain('#Gamma');
    expect((await get('/tags.opml')).body).not.toContain('/tags/gamma/');
  });

  it('keeps serving the last good version of an article rewritten into an unparsable state', async () => {
    await publish('b1.txt', '#OnlyTags #Here\n');
    await eventually(async () => (/b1\.txt/u.test(server.stderr()) ? true : undefined), 'the rejection to be logged');
    expect(server.stderr()).toMatch(/kept last good version of .*b1\.txt: no title/u);
    expect(await titles('/tags/beta/feed.json')).toEqual(['Beta One']);
    expect((await get('/tags/onlytags/feed.json')).status).toBe(404);
  });

  it('keeps the ETag of a feed that an unrelated change does not touch', async () => {
    const before = await get('/tags/beta/rss.xml');
    await publish('d1.txt', article('Delta Two', '#Delta'));
    await waitForTitles('/tags/delta/feed.json', ['Alpha Two', 'Delta Two']);
    const after = await get('/tags/beta/rss.xml');
    expect(after.etag).toBe(before.etag);
    expect((await get('/tags/beta/rss.xml', { 'If-None-Match': before.etag! })).status).toBe(304);
    expect((await get('/tags/delta/rss.xml', { 'If-None-Match': before.etag! })).status).toBe(200);
  });

  it('never serves a half-written file', async () => {
    const full = article('Slow Writer', '#Slow', 'A paragraph written in pieces. '.repeat(20));
    const handle = await open(join(dir, 's1.txt'), 'w');
    const seen = new Set<string>();
    try {
      // Write in pieces, 40 ms apart, checking the feeds between pieces.
      for (let at = 0; at < full.length; at += 64) {
        await handle.write(full.slice(at, at + 64));
        const res = await get('/feed.json');
        for (const item of (JSON.parse(res.body) as { items: { id: string; content_html: string }[] }).items) {
          if (item.id.endsWith('/articles/s1')) seen.add(item.content_html);
        }
        await new Promise((r) => setTimeout(r, 40));
      }
    } finally {
      await handle.close();
    }
    await waitForTitles('/tags/slow/feed.json', ['Slow Writer']);
    const final = JSON.parse((await get('/tags/slow/feed.json')).body) as { items: { content_html: string }[] };
    for (const html of seen) expect(html).toBe(final.items[0]!.content_html);
  });
});
