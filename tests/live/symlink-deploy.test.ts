/**
 * A deploy that swaps a symbolic link (`articles -> releases/2/articles`, as Capistrano and many
 * deploy scripts do), against a real server: the new release is served as it would be after a
 * restart, its links within the folder and its media included, and its media folder is watched.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

let root: string;
let link: string;
let server: LiveServer;

const withImage = (title: string) => `---\ntitle: ${title}\nimage: media/pic.png\n---\n\n${title} body.\n`;

/** A release folder: an article showing media/pic.png (`imageBytes` long), a plain one, and a link to it. */
async function release(n: number, imageBytes: number): Promise<string> {
  const dir = join(root, 'releases', String(n), 'articles');
  await mkdir(join(dir, 'media'), { recursive: true });
  await writeFile(join(dir, 'media', 'pic.png'), Buffer.alloc(imageBytes, 1));
  await writeFile(join(dir, 'pictured.md'), withImage(`Pictured in release ${n}`));
  await writeFile(join(dir, 'plain.txt'), `Plain in release ${n}\n\nBody.\n`);
  await symlink('plain.txt', join(dir, 'alias.txt'));
  return dir;
}

interface Item {
  title: string;
  /** The length its RSS enclosure gives, if it has one. */
  length?: number;
}

/** The items of /rss.xml (it carries an image's length in `<enclosure length>`). */
async function items(): Promise<Item[]> {
  const xml = await (await fetch(`${server.url}/rss.xml`)).text();
  return [...xml.matchAll(/<item>([\s\S]*?)<\/item>/gu)].map(([, item]) => ({
    title: /<title><!\[CDATA\[(.*?)\]\]><\/title>|<title>(.*?)<\/title>/u.exec(item!)!.slice(1).find((t) => t !== undefined)!,
    length: Number(/<enclosure [^>]*length="(\d+)"/u.exec(item!)?.[1] ?? Number.NaN),
  }));
}

const sizeOf = (list: Item[], title: string) => list.find((i) => i.title === title)?.length;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tagfeeds-deploy-'));
  link = join(root, 'articles');
  await symlink(await release(1, 100), link);
  server = await startServer(['--articles-dir', link]);
});
afterAll(async () => {
  await server?.stop();
  await rm(root, { recursive: true, force: true });
});

describe('a deploy that swaps the articles folder\'s symbolic link', () => {
  it('serves the new release whole: its pictured article, its links and its media', async () => {
    expect(sizeOf(await items(), 'Pictured in release 1')).toBe(100);
    const next = await release(2, 250);
    // The swap as deploy scripts make it: a new link, renamed over the old one (atomic).
    await symlink(next, join(root, 'articles.next'));
    await rename(join(root, 'articles.next'), link);
    const served = await eventually(async () => {
      const list = await items();
      return list.some((i) => i.title === 'Pictured in release 2') ? list : undefined;
    }, 'the pictured article of release 2');
    expect(served.map((i) => i.title).sort()).toEqual(['Pictured in release 2', 'Plain in release 2', 'Plain in release 2']);
    expect(sizeOf(served, 'Pictured in release 2')).toBe(250);
    expect(server.stderr()).not.toMatch(/outside|missing-image/u);
  });

  it('watches the new release\'s media folder: a changed image changes the enclosure', async () => {
    await writeFile(join(root, 'releases', '2', 'articles', 'media', 'pic.png'), Buffer.alloc(400, 2));
    await eventually(async () => (sizeOf(await items(), 'Pictured in release 2') === 400 ? true : undefined), 'the enclosure length of the new image');
  });
});
