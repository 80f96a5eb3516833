/**
 * Feed clients that did not write our feeds, for reading them back in tests: xmllint (well-formedness
 * and the RFC 4287 RELAX NG schema), the Universal Feed Parser (Debian python3-feedparser), rss-parser
 * (npm) and newsboat (a terminal reader, run headless).
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import RssParser from 'rss-parser';

const here = fileURLToPath(new URL('.', import.meta.url));
const ATOM_RNG = fileURLToPath(new URL('../schemas/atom.rng', import.meta.url));
/** Debian's interpreter: the one that has python3-feedparser. */
const PYTHON = '/usr/bin/python3';

function run(command: string, args: string[], input: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { maxBuffer: 64 * 1024 * 1024, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error);
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
    child.stdin!.end(input);
  });
}

/** xmllint's verdict on well-formedness: empty when well-formed, else its messages. */
export async function xmlProblems(xml: string | Buffer): Promise<string> {
  const { code, stderr } = await run('xmllint', ['--noout', '-'], xml);
  return code === 0 ? '' : stderr || `xmllint exited ${code}`;
}

/** xmllint's verdict against the RFC 4287 Atom schema: empty when valid, else its messages. */
export async function atomSchemaProblems(xml: string | Buffer): Promise<string> {
  const { code, stderr } = await run('xmllint', ['--noout', '--relaxng', ATOM_RNG, '-'], xml);
  return code === 0 ? '' : stderr;
}

/** An entry as the Universal Feed Parser sees it. */
export interface ParsedEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  summary: string | null;
  /** The summary's text, the HTML it is read as rendered (markup dropped, references decoded). */
  summary_text: string | null;
  content: string[];
  published: string | null;
  updated: string | null;
  tags: string[];
  tag_labels: (string | null)[];
  guidislink: boolean | null;
  /** RSS `<enclosure>`s and Atom `rel="enclosure"` links. */
  enclosures: { href: string | null; type: string | null; length: string | null }[];
}

/** A feed as the Universal Feed Parser sees it. */
export interface ParsedFeed {
  bozo: boolean;
  bozo_exception: string | null;
  version: string;
  feed: { title: string | null; link: string | null; links: { rel: string; href: string; type: string | null }[]; updated: string | null };
  entries: ParsedEntry[];
}

/** Reads a feed with the Universal Feed Parser. */
export async function feedparse(body: string | Buffer): Promise<ParsedFeed> {
  const { code, stdout, stderr } = await run(PYTHON, [`${here}feedparse.py`], body);
  if (code !== 0) throw new Error(`feedparser failed: ${stderr}`);
  return JSON.parse(stdout) as ParsedFeed;
}

/**
 * An item's title and summary as one client gives them, keyed by the item's link; `summaryText` is the
 * summary as text, where the client has its own reading of it (it treats the summary as HTML).
 */
export type ItemTexts = Map<string, { title: string; summary: string; summaryText?: string }>;

/** The titles and descriptions rss-parser gives an RSS feed's items (`title`, and `content` with its text `contentSnippet`). */
export async function rssParserItems(xml: string): Promise<ItemTexts> {
  const feed = await new RssParser().parseString(xml);
  return new Map(feed.items.map((item) => [item.link ?? '', { title: item.title ?? '', summary: item.content ?? '', summaryText: item.contentSnippet ?? '' }]));
}

/** Whether newsboat is installed (scripts/test-tools.sh installs it for `npm test`). */
export function hasNewsboat(): boolean {
  return spawnSync('newsboat', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The titles and descriptions newsboat keeps for an RSS feed's items: it fetches the feed from a
 * file:// URL (no network) into a fresh cache, and what its cache holds is what its item list shows
 * (an RSS 2.0 title is taken verbatim; a description is HTML it renders when the article is opened).
 * HOME points into the same temporary folder, so the user's own newsboat files are never touched.
 */
export async function newsboatItems(xml: string): Promise<ItemTexts> {
  const dir = await mkdtemp(join(tmpdir(), 'tagfeeds-newsboat-'));
  try {
    const feed = join(dir, 'feed.xml');
    await writeFile(feed, xml);
    await writeFile(join(dir, 'urls'), `${pathToFileURL(feed).href}\n`);
    await writeFile(join(dir, 'config'), '');
    const cache = join(dir, 'cache.db');
    const args = ['-u', join(dir, 'urls'), '-c', cache, '-C', join(dir, 'config'), '-x', 'reload'];
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir };
    const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve, reject) => {
      execFile('newsboat', args, { env, timeout: 60_000 }, (error, _stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stderr });
      });
    });
    if (code !== 0) throw new Error(`newsboat exited ${code}: ${stderr}`);
    const db = new Database(cache, { readonly: true });
    try {
      const rows = db.prepare('SELECT url, title, content FROM rss_item').all() as { url: string; title: string; content: string }[];
      return new Map(rows.map((r) => [r.url, { title: r.title, summary: r.content }]));
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
