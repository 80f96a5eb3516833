/** Images and audio: front-matter `image`, enclosures in every format, `/media/…`, relative links made absolute. */
import { mkdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BASE_URL, createFolderApp, makeTempDir, removeTempDir, type TestApp } from '../support/factory.ts';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';
import { feedparse } from '../support/readers.ts';

// The smallest PNG: one transparent pixel.
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=', 'base64');

let dir: string;
let outside: string;
let test: TestApp & { loadErrors: string[] };

beforeAll(async () => {
  dir = await makeTempDir();
  outside = await makeTempDir();
  await mkdir(join(dir, 'media'));
  await writeFile(join(dir, 'media', 'one.png'), PNG);
  await writeFile(join(dir, 'media', 'song.mp3'), Buffer.alloc(1000, 7));
  await writeFile(join(dir, 'media', 'evil.svg'), '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
  await writeFile(join(outside, 'secret.png'), PNG);
  await symlink(join(outside, 'secret.png'), join(dir, 'media', 'escape.png'));
  await writeFile(join(dir, 'x.txt'), 'An article named x\n\nIts body.\n');
  await writeFile(
    join(dir, 'pictured.md'),
    [
      '---',
      'date: 2024-05-01T09:30:00Z',
      'image: media/one.png',
      'image_alt: A single pixel',
      'tags: [Pixels]',
      '---',
      '# One pixel',
      '',
      'See ![the pixel](media/one.png) and [the other article](x), or [this part](x.md#part), [home](/), [out](https://example.org/a).',
    ].join('\n'),
  );
  await writeFile(join(dir, 'remote.md'), ['---', 'date: 2024-04-01T00:00:00Z', 'image: https://cdn.example/photo.jpg', 'tags: [Pixels]', '---', '# Remote', '', 'Body.'].join('\n'));
  await writeFile(join(dir, 'audio.md'), ['---', 'date: 2024-03-01T00:00:00Z', 'image: media/song.mp3', 'image_alt: A song', 'tags: [Pixels]', '---', '# Song', '', 'Listen.'].join('\n'));
  await writeFile(join(dir, 'broken.md'), ['---', 'image: media/nothere.png', '---', '# Broken', '', 'Body.'].join('\n'));
  await writeFile(join(dir, 'svg.md'), ['---', 'image: media/evil.svg', '---', '# SVG', '', 'Body.'].join('\n'));
  test = await createFolderApp(dir);
});

afterAll(async () => {
  await removeTempDir(dir);
  await removeTempDir(outside);
});

const text = async (path: string) => (await test.app.request(path)).text();

describe('article images', () => {
  it('gives the RSS item an enclosure with the file length and image/png, Atom an enclosure link, JSON an image', async () => {
    const url = `${BASE_URL}/media/one.png`;
    const bodies = { rss: await text('/tags/pixels/rss.xml'), atom: await text('/tags/pixels/atom.xml'), json: await text('/tags/pixels/feed.json') };
    expect(bodies.rss).toContain(`<enclosure length="${PNG.length}" type="image/png" url="${url}"/>`);
    expect(bodies.atom).toContain(`<link rel="enclosure" href="${url}" type="image/png" length="${PNG.length}"/>`);
    const { json, rss, atom } = await expectSameFeed(bodies);
    expect(json.items[0]!.image).toBe(url);
    const enclosures = (feed: typeof rss) => feed.entries.map((e) => e.enclosures);
    expect(enclosures(rss)[0]).toEqual([{ href: url, type: 'image/png', length: String(PNG.length) }]);
    expect(enclosures(atom)[0]).toEqual([expect.objectContaining({ href: url, type: 'image/png', length: String(PNG.length) })]);
    // A remote image: length 0 in RSS (unknown, as the RSS Advisory Board allows), none in Atom.
    expect(bodies.rss).toContain('<enclosure length="0" type="image/jpeg" url="https://cdn.example/photo.jpg"/>');
    expect(bodies.atom).toContain('<link rel="enclosure" href="https://cdn.example/photo.jpg" type="image/jpeg"/>');
    // Audio: an enclosure of its type, and a JSON Feed attachment rather than an image.
    expect(bodies.rss).toContain(`<enclosure length="1000" type="audio/mpeg" url="${BASE_URL}/media/song.mp3"/>`);
    expect(bodies.atom).toContain(`type="audio/mpeg" length="1000"/>`);
    const song = json.items.find((i) => i.title === 'Song')!;
    expect(song.image).toBeUndefined();
    expect(song.attachments).toEqual([{ url: `${BASE_URL}/media/song.mp3`, mime_type: 'audio/mpeg', size_in_bytes: 1000 }]);
  });

  it('shows the image with its alt text on the article page, with og:image, og:title and og:description', async () => {
    const page = await text('/articles/pictured');
    expect(page).toContain(`<figure><img src="${BASE_URL}/media/one.png" alt="A single pixel"></figure>`);
    expect(page).toContain(`<meta property="og:image" content="${BASE_URL}/media/one.png">`);
    expect(page).toContain('<meta property="og:title" content="One pixel">');
    expect(page).toMatch(/<meta property="og:description" content="See the pixel and the other article/u);
  });

  it('makes relative Markdown links and images absolute in feeds and pages', async () => {
    const json = JSON.parse(await text('/tags/pixels/feed.json')) as JsonFeed;
    const html = json.items.find((i) => i.title === 'One pixel')!.content_html;
    expect(html).toContain(`<img src="${BASE_URL}/media/one.png" alt="the pixel">`);
    expect(html).toContain(`<a href="${BASE_URL}/articles/x">the other article</a>`);
    expect(html).toContain(`<a href="${BASE_URL}/articles/x#part">this part</a>`);
    expect(html).toContain(`<a href="${BASE_URL}/">home</a>`);
    expect(html).toContain('<a href="https://example.org/a">out</a>');
    expect(html).not.toMatch(/(?:href|src)="(?!https?:)/u);
    const atom = await feedparse(await text('/tags/pixels/atom.xml'));
    expect(atom.entries[0]!.content.join('')).toContain(`href="${BASE_URL}/articles/x"`);
    expect(await text('/articles/pictured')).toContain(`<a href="${BASE_URL}/articles/x">the other article</a>`);
  });

  it('makes an article whose local image is missing, or an SVG, a bad file with its reason', () => {
    expect(test.loadErrors).toContainEqual(`${join(dir, 'broken.md')}: missing-image`);
    expect(test.loadErrors).toContainEqual(`${join(dir, 'svg.md')}: bad-front-matter`);
  });
});

describe('/media/', () => {
  it('serves the same bytes with the media type, an ETag, Last-Modified, 304s and ranges', async () => {
    const when = new Date('2024-01-02T03:04:05Z');
    await utimes(join(dir, 'media', 'one.png'), when, when);
    const res = await test.app.request('/media/one.png');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await res.arrayBuffer())).toEqual(await readFile(join(dir, 'media', 'one.png')));
    expect(res.headers.get('last-modified')).toBe(when.toUTCString());
    const etag = res.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/u);
    expect((await test.app.request('/media/one.png', { headers: { 'If-None-Match': etag } })).status).toBe(304);
    expect((await test.app.request('/media/one.png', { headers: { 'If-Modified-Since': when.toUTCString() } })).status).toBe(304);
    // Exactly that date: a later one may be held for a newer file that an older copy replaced.
    expect((await test.app.request('/media/one.png', { headers: { 'If-Modified-Since': new Date(when.getTime() + 60_000).toUTCString() } })).status).toBe(200);
    const part = await test.app.request('/media/one.png', { headers: { Range: 'bytes=0-3' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(PNG.subarray(0, 4));
    expect(res.headers.get('accept-ranges')).toBe('bytes');
    expect((await test.app.request('/media/one.png', { headers: { 'If-Match': etag } })).status).toBe(200);
    expect((await test.app.request('/media/one.png', { headers: { 'If-Match': '"other"' } })).status).toBe(412);
    expect((await test.app.request('/media/one.png', { headers: { 'If-Unmodified-Since': new Date(when.getTime() - 60_000).toUTCString() } })).status).toBe(412);
    // If-Range: the part only while the client's copy is the file as it is, else the whole file.
    for (const [ifRange, status] of [[etag, 206], [when.toUTCString(), 206], ['"other"', 200], [`W/${etag}`, 200], [new Date(when.getTime() + 60_000).toUTCString(), 200]] as const) {
      const resumed = await test.app.request('/media/one.png', { headers: { Range: 'bytes=0-3', 'If-Range': ifRange } });
      expect([ifRange, resumed.status]).toEqual([ifRange, status]);
      expect(Buffer.from(await resumed.arrayBuffer())).toEqual(status === 206 ? PNG.subarray(0, 4) : PNG);
    }
    expect((await test.app.request('/media/song.mp3')).headers.get('content-type')).toBe('audio/mpeg');
  });

  it('ignores a Range it cannot serve as asked, sending the whole file with a 200 (RFC 9110 §14.2)', async () => {
    for (const range of ['items=0-1', 'bytes=abc', 'bytes=', 'bytes=-', 'bytes=5-2', 'bytes=0-1,3-4']) {
      const res = await test.app.request('/media/one.png', { headers: { Range: range } });
      expect([range, res.status, res.headers.get('content-range')]).toEqual([range, 200, null]);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
    }
    for (const [range, bytes] of [['bytes= 0-1', PNG.subarray(0, 2)], ['bytes=-2', PNG.subarray(-2)], ['bytes=2-', PNG.subarray(2)]] as const) {
      const res = await test.app.request('/media/one.png', { headers: { Range: range } });
      expect([range, res.status]).toEqual([range, 206]);
      expect(Buffer.from(await res.arrayBuffer())).toEqual(bytes);
    }
  });

  it('answers an encoded separator in a media path with 400, as the README says', async () => {
    for (const path of ['/media/sub%2Fone.png', '/media/sub%5Cone.png', '/media/sub%5cone.png']) {
      const res = await test.app.request(path);
      expect([path, res.status, await res.text()]).toEqual([path, 400, 'Bad request: encoded separators in a media path\n']);
    }
  });

  it('refuses paths out of the folder, encoded separators, symbolic links out, SVG and other types', async () => {
    for (const path of ['/media/../x.txt', '/media/%2e%2e/x.txt', '/media/..%2Fx.txt', '/media/..%5Cx.txt', '/media/escape.png', '/media/evil.svg', '/media/nothere.png', '/media/']) {
      const res = await test.app.request(path);
      expect([path, res.status >= 400 && res.status < 500]).toEqual([path, true]);
    }
  });
});
