/**
 * Media files while the server runs: an enclosure's length follows its file, and an article refused
 * for a missing image appears once the image does, without touching the article file.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

let dir: string;
let server: LiveServer;
const PNG = (n: number) => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(n)]);
const withImage = (title: string, image: string) => `---\nimage: ${image}\nimage_alt: A picture\n---\n${title}\n\nA paragraph.\n#Pictures\n`;

async function put(path: string, bytes: Buffer | string) {
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
}

const rss = async () => (await fetch(`${server.url}/tags/pictures/rss.xml`)).text();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-media-'));
  await mkdir(join(dir, 'media'));
  await writeFile(join(dir, 'media', 'one.png'), PNG(8));
  await writeFile(join(dir, 'shown.txt'), withImage('Shown With One', 'media/one.png'));
  await writeFile(join(dir, 'early.txt'), withImage('Refused At Start', 'media/three.png'));
  server = await startServer(['--articles-dir', dir]);
});
afterAll(async () => {
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('media files while the server runs', () => {
  it('gives an enclosure the new length of a rewritten image', async () => {
    expect(await rss()).toMatch(/<enclosure length="16" type="image\/png" url="[^"]*\/media\/one\.png"\/>/u);
    await put(join(dir, 'media', 'one.png'), PNG(92));
    await eventually(async () => ((await rss()).includes('length="100"') ? true : undefined), 'the new length in the feed', 5000);
  });

  it('publishes an article refused for a missing image once the image appears', async () => {
    await put(join(dir, 'waiting.txt'), withImage('Waiting For Two', 'media/two.png'));
    await eventually(async () => (server.stderr().includes('waiting.txt') ? true : undefined), 'the refusal in the log', 5000);
    expect(await rss()).not.toContain('Waiting For Two');
    await put(join(dir, 'media', 'two.png'), PNG(4));
    await eventually(async () => ((await rss()).includes('Waiting For Two') ? true : undefined), 'the article in the feed', 5000);
    expect(await rss()).toMatch(/<enclosure length="12" type="image\/png" url="[^"]*\/media\/two\.png"\/>/u);
  });

  it('publishes an article refused at start for a missing image once the image appears', async () => {
    expect(server.stderr()).toMatch(/early\.txt: image media\/three\.png does not exist \[missing-image\]/u);
    expect(await rss()).not.toContain('Refused At Start');
    await put(join(dir, 'media', 'three.png'), PNG(1));
    await eventually(async () => ((await rss()).includes('Refused At Start') ? true : undefined), 'the article in the feed', 5000);
  });
});

describe('a media folder made while the server runs', () => {
  let bare: string;
  let late: LiveServer;
  beforeAll(async () => {
    bare = await mkdtemp(join(tmpdir(), 'tagfeeds-media-late-'));
    await writeFile(join(bare, 'later.txt'), withImage('Pictured Later', 'media/late.png'));
    late = await startServer(['--articles-dir', bare]);
  });
  afterAll(async () => {
    await late?.stop();
    await rm(bare, { recursive: true, force: true });
  });

  it('is watched from when it appears: the article waiting for its image is published, and follows the image', async () => {
    const feed = async () => (await fetch(`${late.url}/tags/pictures/rss.xml`)).text();
    expect(late.stderr()).toMatch(/later\.txt: image media\/late\.png does not exist \[missing-image\]/u);
    await mkdir(join(bare, 'media'));
    await put(join(bare, 'media', 'late.png'), PNG(2));
    await eventually(async () => ((await feed()).includes('length="10"') ? true : undefined), 'the article with its image in the feed', 5000);
    await put(join(bare, 'media', 'late.png'), PNG(12));
    await eventually(async () => ((await feed()).includes('length="20"') ? true : undefined), 'the new length in the feed', 5000);
  });
});
