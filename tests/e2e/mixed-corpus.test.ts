/**
 * A folder of broken files beside good ones, served by a real server started from the same entry point
 * as `npm start`, and checked by `npm run check`: every good article is served in three formats that
 * say the same; every bad file is named in the log with its reason and none of its content appears
 * anywhere; ignored names are neither served nor reported.
 */
import { spawn } from 'node:child_process';
import { chmod, cp, mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';
import { FIXTURES, makeTempDir, removeTempDir } from '../support/factory.ts';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const MAX_FILE_SIZE = '6000';

/** Text that only bad, ignored or losing files hold: none of it may be served or logged. */
const MARKERS = [
  'LATIN1-MARKER',
  'UNCLOSED-MARKER',
  'BADYAML-MARKER',
  'BADDATE-MARKER',
  'IMPOSSIBLEDATE-MARKER',
  'impossibledatemarker',
  'BADTAG-MARKER',
  'ONLYTAGMARKER',
  'onlytagmarker',
  'DRAFT-MARKER',
  'BINARY-MARKER',
  'TOOLARGE-MARKER',
  'OUTSIDE-MARKER',
  'LOOP-MARKER',
  'UNREADABLE-MARKER',
  'DUPLICATE-LOSER-MARKER',
  'IGNORED-MARKER',
  'NESTED-MARKER',
];

/** Each bad file and the reason it must be reported with. */
const BAD: Record<string, string> = {
  'bad-date.txt': 'bad-front-matter',
  'bad-tag.txt': 'bad-front-matter',
  'bad-yaml.txt': 'bad-front-matter',
  'binary.txt': 'binary',
  'blank.txt': 'no-title',
  'dup.txt': 'duplicate-id',
  'empty.txt': 'empty',
  'folder.txt': 'not-a-file',
  'impossible-date.txt': 'bad-front-matter',
  'latin1.txt': 'not-utf8',
  'loop.txt': 'unreadable',
  'only-tags.txt': 'no-title',
  'outside-link.txt': 'outside-link',
  'too-large.txt': 'too-large',
  'unclosed-front-matter.txt': 'bad-front-matter',
  ...(isRoot ? {} : { 'unreadable.txt': 'unreadable' }),
};
const IGNORED = ['.hidden.txt', 'backup.txt~', '.#lock.txt', 'swap.txt.swp', '#autosave.txt#', 'notes.html', 'README', 'sub'];
/** Ids of the articles that must be served: the valid fixtures but the draft, a link inside, the winning duplicate. */
const SERVED = [
  '000_66bcc8fb033b93b3',
  'año nuevo',
  'blank-lines',
  'control-characters',
  'crlf-bom',
  'crlf-plain',
  'dup',
  'front-matter',
  'inside-link',
  'markdown-article',
  'plain-mtime',
  'unicode-tags',
];

async function buildCorpus(root: string): Promise<string> {
  const dir = join(root, 'articles');
  await mkdir(dir);
  await cp(FIXTURES.valid, dir, { recursive: true });
  await cp(FIXTURES.invalid, dir, { recursive: true });
  await writeFile(join(dir, 'binary.txt'), Buffer.concat([Buffer.from('BINARY-MARKER\n'), Buffer.from([0, 1, 2, 0xff, 0xfe, 0])]));
  await writeFile(join(dir, 'too-large.txt'), `TOOLARGE-MARKER\n${'TOOLARGE-MARKER '.repeat(500)}\n`);
  await writeFile(join(root, 'outside.txt'), 'OUTSIDE-MARKER title\nOUTSIDE-MARKER body\n#OutsideMarker\n');
  await symlink(join(root, 'outside.txt'), join(dir, 'outside-link.txt'));
  await symlink('front-matter.txt', join(dir, 'inside-link.txt'));
  await symlink('loop.txt', join(dir, 'loop.txt'));
  await mkdir(join(dir, 'folder.txt'));
  await writeFile(join(dir, 'folder.txt', 'inside.txt'), 'NESTED-MARKER\n');
  // Two files with one id: the Markdown file wins, the text file is named in a warning.
  await writeFile(join(dir, 'dup.md'), '---\ndate: 2024-02-01T00:00:00Z\n---\n# The duplicate that wins\n\nFrom *Markdown*.\n#Duplicates\n');
  await writeFile(join(dir, 'dup.txt'), '---\ndate: 2024-02-01T00:00:00Z\n---\nDUPLICATE-LOSER-MARKER\nFrom text.\n#DuplicateLoserMarker\n');
  for (const name of IGNORED.filter((n) => n !== 'sub')) {
    await writeFile(join(dir, name), `IGNORED-MARKER ${name}\nIGNORED-MARKER body\n#IgnoredMarker\n`);
  }
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'sub', 'nested.txt'), 'NESTED-MARKER\nNESTED-MARKER body\n#NestedMarker\n');
  if (!isRoot) {
    await writeFile(join(dir, 'unreadable.txt'), 'UNREADABLE-MARKER\nBody\n');
    await chmod(join(dir, 'unreadable.txt'), 0o000);
  }
  return dir;
}

/** Runs `npm run check`'s command line; resolves with its exit code and output. */
function runCheck(dir: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'check', '--articles-dir', dir, '--max-file-size', MAX_FILE_SIZE], {
      cwd: ROOT,
      env: { ...process.env, BASE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The `<file>: <message> [<reason>]` lines of a log, by file name relative to `dir`. */
function reported(log: string, dir: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const match of log.matchAll(/^(?:skipped|error:) (.+?): .+ \[([a-z0-9-]+)\]$/gmu)) {
    const name = match[1]!.startsWith(`${dir}/`) ? match[1]!.slice(dir.length + 1) : match[1]!;
    (out[name] ??= []).push(match[2]!);
  }
  return out;
}

describe('a mixed corpus of good and bad files', { timeout: 30_000 }, () => {
  let root: string;
  let dir: string;
  let server: LiveServer;
  const get = (path: string, init?: RequestInit) => fetch(new URL(path, server.url), init);
  const text = async (path: string) => {
    const res = await get(path);
    return { status: res.status, body: await res.text() };
  };

  beforeAll(async () => {
    root = await makeTempDir();
    dir = await buildCorpus(root);
    server = await startServer(['--articles-dir', dir, '--max-file-size', MAX_FILE_SIZE]);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (!isRoot && dir) await chmod(join(dir, 'unreadable.txt'), 0o644).catch(() => {});
    await removeTempDir(root);
  });

  it('names each bad file once in the log, with its reason, and nothing else', () => {
    const expected = Object.fromEntries(Object.entries(BAD).map(([file, reason]) => [file, [reason]]));
    expect(reported(server.stderr(), dir)).toEqual(expected);
    for (const name of IGNORED) expect(server.stderr() + server.stdout()).not.toContain(`${dir}/${name}`);
  });

  it('prints a summary line that counts the articles, tags and skipped files', async () => {
    const summary = server.stdout().split('\n')[0]!;
    const match = /^Loaded (\d+) articles, (\d+) tags \((\d+) files skipped\) from (.+) in \d+ ms$/u.exec(summary);
    expect(match, summary).not.toBeNull();
    expect(Number(match![1])).toBe(SERVED.length);
    expect(Number(match![3])).toBe(Object.keys(BAD).length);
    expect(match![4]).toBe(`${dir}/`);
    const tags = (await text('/tags')).body.match(/<li><a href=/g) ?? [];
    expect(Number(match![2])).toBe(tags.length);
  });

  it('serves every good article, in feeds that are well-formed, valid and the same in all three formats', async () => {
    const [rss, atom, json] = await Promise.all(['/rss.xml', '/atom.xml', '/feed.json'].map(async (p) => (await text(p)).body));
    const { json: feed } = await expectSameFeed({ rss: rss!, atom: atom!, json: json! });
    const ids = feed.items.map((i) => decodeURIComponent(new URL(i.url).pathname.replace('/articles/', '')));
    expect([...ids].sort()).toEqual([...SERVED].sort());
    expect(feed.items.find((i) => i.url.endsWith('/articles/dup'))).toMatchObject({ title: 'The duplicate that wins', content_html: '<p>From <em>Markdown</em>.</p>\n' });
  });

  it('serves the tag feeds of Unicode, CRLF and control-character articles, the same in all three formats', async () => {
    const tags = ['venezuela', 'Espa%C3%B1a', '%E6%97%A5%E6%9C%AC', '%CE%95%CE%BB%CE%BB%CE%AC%CE%B4%CE%B1', 'crlf', 'controls', 'markdown', 'names'];
    await Promise.all(
      tags.map(async (tag) => {
        const bodies = await Promise.all(['rss.xml', 'atom.xml', 'feed.json'].map(async (f) => text(`/tags/${tag}/${f}`)));
        expect(bodies.map((b) => b.status), tag).toEqual([200, 200, 200]);
        const { json } = await expectSameFeed({ rss: bodies[0]!.body, atom: bodies[1]!.body, json: bodies[2]!.body });
        expect(json.items.length, tag).toBeGreaterThan(0);
      }),
    );
  });

  it('carries the control-character article with the characters XML forbids removed', async () => {
    const feed = JSON.parse((await text('/tags/controls/feed.json')).body) as JsonFeed;
    expect(feed.items[0]!.title).toBe('Control characters and ]]> in the title ]]>');
    expect(feed.items[0]!.content_html).toBe(
      '<p>A body with  controls,  and , ]]&#62; and ]]&#62; and ]]&#62; again, &#60;script&#62;alert(1)&#60;/script&#62; &#38; friends.</p>',
    );
  });

  it('serves none of the bad, ignored or losing files’ content, on any route', async () => {
    const opml = (await text('/tags.opml')).body;
    const tagPages = Array.from(opml.matchAll(/htmlUrl="([^"]+)"/g), (m) => new URL(m[1]!).pathname);
    const feed = JSON.parse((await text('/feed.json')).body) as JsonFeed;
    const paths = [
      '/',
      '/rss.xml',
      '/atom.xml',
      '/feed.json',
      '/tags',
      '/tags.opml',
      ...tagPages.flatMap((p) => (p === '/' ? [] : [p, `${p}/rss.xml`, `${p}/atom.xml`, `${p}/feed.json`])),
      ...feed.items.map((i) => new URL(i.url).pathname),
    ];
    expect(paths.length).toBeGreaterThan(40);
    for (const path of paths) {
      const { status, body } = await text(path);
      expect(status, path).toBe(200);
      for (const marker of MARKERS) expect(body, `${marker} in ${path}`).not.toContain(marker);
    }
    for (const marker of MARKERS) expect(server.stdout() + server.stderr(), marker).not.toContain(marker);
  });

  it('answers 404 for the ids and tags of bad files', async () => {
    for (const path of ['/articles/latin1', '/articles/empty', '/articles/outside-link', '/articles/folder', '/articles/draft', '/tags/onlytagmarker', '/articles/impossible-date', '/tags/impossibledatemarker', '/tags/outsidemarker', '/tags/duplicatelosermarker', '/tags/ignoredmarker', '/tags/nestedmarker', '/articles/sub%2Fnested']) {
      expect((await text(path)).status, path).toBe(404);
    }
  });

  it('serves the article pages of every item, with the item’s link as canonical URL', async () => {
    const feed = JSON.parse((await text('/feed.json')).body) as JsonFeed;
    for (const item of feed.items) {
      const res = await get(new URL(item.url).pathname);
      expect(res.status, item.url).toBe(200);
      expect(await res.text()).toContain(`<link rel="canonical" href="${item.url}">`);
    }
  });

  it('answers conditional requests on a tag feed with 304', async () => {
    const first = await get('/tags/espana/rss.xml');
    await first.arrayBuffer();
    const res = await get('/tags/espana/rss.xml', { headers: { 'If-None-Match': first.headers.get('etag')! } });
    expect(res.status).toBe(304);
  });

  describe('npm run check', () => {
    let check: Awaited<ReturnType<typeof runCheck>>;
    beforeAll(async () => {
      // The server's log is complete once it listens; the check reads the same folder.
      await eventually(async () => (server.stdout().includes('Listening on') ? true : undefined), 'the server');
      check = await runCheck(dir);
    }, 60_000);

    it('exits non-zero', () => {
      expect(check.code).toBe(1);
    });

    it('reports the same files, with the same reasons, as the server', () => {
      expect(reported(check.stdout, dir)).toEqual(reported(server.stderr(), dir));
      for (const marker of MARKERS) expect(check.stdout + check.stderr, marker).not.toContain(marker);
    });

    it('ends with a summary that counts every article file it checked', () => {
      const last = check.stdout.trim().split('\n').at(-1)!;
      // Every .txt/.md entry: the served articles, the draft, and the bad files (the duplicate included).
      const files = SERVED.length + 1 + Object.keys(BAD).length;
      expect(last).toBe(`${files} article files checked in ${dir}: ${files - Object.keys(BAD).length} ok, ${Object.keys(BAD).length} with problems`);
    });
  });
});
