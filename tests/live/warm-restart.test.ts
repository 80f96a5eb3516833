/**
 * A restart with the article cache (STATE_DIR/cache.db), against real server processes: files edited,
 * added, renamed and deleted while the server was down are seen at start, and the restarted server
 * serves exactly what a server without the cache serves on the same files.
 */
import { mkdtemp, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../support/live-server.ts';

let dir: string;
let state: string;
const BASE = 'http://feeds.example';
const article = (title: string, tags: string) => `${title}\n\nThe first paragraph of ${title}.\n${tags}\n`;

async function snapshot(env: Record<string, string>): Promise<{ views: string[]; stdout: string }> {
  const server = await startServer(['--articles-dir', dir, '--base-url', BASE], env);
  try {
    const views: string[] = [];
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/tags', '/tags.opml', '/tags/alpha/feed.json', '/sitemap.xml']) {
      views.push(`${path}\n${await (await fetch(`${server.url}${path}`)).text()}`);
    }
    return { views, stdout: server.stdout() };
  } finally {
    // A graceful stop writes the cache's last rows.
    expect(await server.stop()).toBe(0);
  }
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-restart-'));
  state = await mkdtemp(join(tmpdir(), 'tagfeeds-restart-state-'));
  for (let i = 0; i < 30; i++) await writeFile(join(dir, `a${i}.txt`), article(`Article ${i}`, i % 2 ? '#Alpha' : '#Beta'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(state, { recursive: true, force: true });
});

describe('a restart with the article cache', () => {
  it('reads only what changed while it was down, and serves exactly the current files', async () => {
    const first = await snapshot({ STATE_DIR: state });
    expect(first.stdout).toMatch(/Loaded 30 articles, 2 tags \(0 files skipped\)/u);
    const unchanged = await snapshot({ STATE_DIR: state });
    expect(unchanged.stdout).toMatch(/0 files skipped, 0 read again, the rest unchanged since the last run/u);
    expect(unchanged.views).toEqual(first.views);

    await writeFile(join(dir, 'a1.txt'), article('Article 1, edited while down', '#Alpha #Gamma'));
    await unlink(join(dir, 'a2.txt'));
    await rename(join(dir, 'a3.txt'), join(dir, 'renamed.txt'));
    await writeFile(join(dir, 'new.txt'), article('Added while down', '#Alpha'));
    await writeFile(join(dir, 'a4.txt'), '');

    const warm = await snapshot({ STATE_DIR: state });
    expect(warm.stdout).toMatch(/Loaded 29 articles, 3 tags \(1 file skipped, 3 read again, the rest unchanged since the last run\)/u);
    const cold = await snapshot({ STATE_DIR: await mkdtemp(join(tmpdir(), 'tagfeeds-restart-cold-')) });
    expect(cold.stdout).not.toMatch(/read again/u);
    expect(warm.views).toEqual(cold.views);
    expect(warm.views.join('\n')).toContain('Article 1, edited while down');
    expect(warm.views.join('\n')).not.toContain('Article 2<');
  });
});
