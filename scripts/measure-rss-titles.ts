/**
 * Measures how real clients read RSS titles and descriptions that hold literal text looking like markup
 * or entities, under each way of encoding it, and prints the tables (README's "How titles reach readers"
 * summarises them; src/feeds/render.ts implements the choice).
 *
 *   node --import tsx scripts/measure-rss-titles.ts
 *
 * Clients: the Universal Feed Parser (Debian's /usr/bin/python3), rss-parser (in-process) and newsboat
 * (from a file:// URL into a throw-away cache; with tmux installed, its article view is also read off a
 * detached tmux screen, since newsboat renders a description as HTML only when it shows it). Nothing
 * leaves the machine; every client run is bounded by a timeout.
 *
 * A title counts as read literally when the client's title is the literal; a description when the
 * client's text of it is: rss-parser's `contentSnippet`, newsboat's article view, and for feedparser
 * (which hands the summary over as HTML) the text of that HTML.
 *
 * With FEEDVALIDATOR_SRC set to the `src` folder of a checkout of https://github.com/w3c/feedvalidator,
 * it also lists the titles the W3C Feed Validator warns about in each encoding (its title checks only:
 * when html5lib is missing, a stand-in that checks no HTML is put in its place, which only its checks
 * of descriptions use).
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { feedparse, hasNewsboat, newsboatItems, rssParserItems, type ItemTexts } from '../tests/support/readers.ts';

/** Literal texts: each must reach the reader exactly as written. */
const LITERALS = [
  'AT&#38;T',
  '&amp;',
  '<b>',
  'AT&T',
  'a < b',
  '&bogus;',
  ']]>',
  'Tom & Jerry',
  // HTML reads a few entity names without their `;` (https://html.spec.whatwg.org/#named-character-references).
  '&copy 2024',
  '</b> x',
  // Markup next to a bare `&` or `<`: feedparser's guess that a title is HTML (tests/property found these).
  'AT&T &amp; <b>',
  '1 &lt; 2 & </x>',
];

const escapeXml = (s: string) => s.replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const escapeHtml = escapeXml;

/** The candidate encodings of a text in an RSS <title> or <description>. */
const ENCODINGS: Record<string, (s: string) => string> = {
  // What render.ts wrote before: the text as CDATA (a `]]>` split across two sections).
  cdata: (s) => `<![CDATA[${s.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`,
  // XML-escaped once: after XML parsing the reader has the literal string.
  escaped: escapeXml,
  // The same string after parsing, written with hexadecimal character references, as the RSS Profile
  // advises for plain text (the W3C validator stays quiet about a line holding `&#x`).
  'hex refs': (s) => s.replace(/[&<>]/gu, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`),
  // HTML-escaped, then XML-escaped: after XML parsing the reader has HTML whose text is the literal.
  'entity-escaped': (s) => escapeXml(escapeHtml(s)),
  // HTML-escaped only where HTML would read markup (`&` before a name or `#`, `<` before a tag), then XML-escaped.
  'escaped where needed': (s) => escapeXml(s.replace(/&(?=[#A-Za-z0-9])/gu, '&amp;').replace(/<(?=[A-Za-z/!?])/gu, '&lt;')),
};

function rssDocument(encode: (s: string) => string): string {
  const items = LITERALS.map(
    // One element a line: the W3C validator's checks of a title look at the lines it is written on.
    (s, i) => `<item>\n<title>${encode(s)}</title>\n<link>http://measure.invalid/${i}</link>\n<guid>http://measure.invalid/${i}</guid>\n<description>${encode(s)}</description>\n</item>`,
  );
  return `<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel><title>measure</title><link>http://measure.invalid/</link><description>measure</description>\n${items.join('\n')}\n</channel></rss>\n`;
}

async function feedparserItems(xml: string): Promise<ItemTexts> {
  const parsed = await feedparse(xml);
  return new Map(parsed.entries.map((e) => [e.link ?? '', { title: e.title ?? '', summary: e.summary ?? '', summaryText: e.summary_text ?? '' }]));
}

/**
 * What newsboat shows in its article view for each item: it runs on a detached tmux screen of its own
 * (`-L` socket), opens the feed and steps through the articles with `J`, and each screen is read with
 * `capture-pane`. Titles come from the "Title:" line, the description from the text under the headers.
 */
async function newsboatView(xml: string): Promise<ItemTexts> {
  const stored = await newsboatItems(xml);
  const dir = await mkdtemp(join(tmpdir(), 'tagfeeds-newsboat-view-'));
  const socket = `tagfeeds-measure-${process.pid}`;
  const tmux = (...args: string[]) => promisify(execFile)('tmux', ['-L', socket, ...args], { timeout: 10_000 });
  try {
    const feed = join(dir, 'feed.xml');
    await writeFile(feed, xml);
    await writeFile(join(dir, 'urls'), `${pathToFileURL(feed).href}\n`);
    await writeFile(join(dir, 'config'), '');
    const files = ['-u', join(dir, 'urls'), '-c', join(dir, 'cache.db'), '-C', join(dir, 'config')];
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, XDG_CACHE_HOME: dir };
    execFileSync('newsboat', [...files, '-x', 'reload'], { env, timeout: 60_000, stdio: 'ignore' });
    const quoted = ['newsboat', ...files].map((a) => `'${a}'`).join(' ');
    await tmux('new-session', '-d', '-x', '200', '-y', '50', `env HOME='${dir}' XDG_CONFIG_HOME='${dir}' XDG_DATA_HOME='${dir}' ${quoted}`);
    const screen = async () => (await tmux('capture-pane', '-p')).stdout;
    const until = async (ok: (text: string) => boolean) => {
      for (let i = 0; i < 100; i++) {
        const text = await screen();
        if (ok(text)) return text;
        await sleep(100);
      }
      throw new Error(`newsboat's screen did not change as expected:\n${await screen()}`);
    };
    await until((t) => t.includes('measure'));
    await tmux('send-keys', 'Enter');
    await until((t) => t.includes('Articles in feed'));
    await tmux('send-keys', 'Enter');
    const seen: ItemTexts = new Map();
    let previous = '';
    for (let i = 0; i < stored.size; i++) {
      const text = await until((t) => /^Link: /mu.test(t) && /^Link: (.*)$/mu.exec(t)![1] !== previous);
      const lines = text.split('\n');
      const link = /^Link: (.*)$/mu.exec(text)![1]!.trim();
      const title = /^Title: (.*)$/mu.exec(text)![1]!.trimEnd();
      const body = lines.slice(lines.findIndex((l) => l.startsWith('Link: ')) + 2).filter((l) => !/^~\s*$/u.test(l) && !/^q:Quit /u.test(l));
      seen.set(link, { title, summary: stored.get(link)?.summary ?? '', summaryText: body.join('\n').trim() });
      previous = link;
      await tmux('send-keys', 'J');
    }
    return seen;
  } finally {
    await tmux('kill-server').catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

const hasTmux = spawnSync('tmux', ['-V'], { stdio: 'ignore' }).status === 0;
const CLIENTS: Record<string, (xml: string) => Promise<ItemTexts>> = { feedparser: feedparserItems, 'rss-parser': rssParserItems };
if (!hasNewsboat()) console.log('newsboat is not installed: its columns are left out (Debian package newsboat)');
else if (hasTmux) CLIENTS.newsboat = newsboatView;
else {
  console.log("tmux is not installed: newsboat's descriptions are what its cache holds, not what it shows");
  CLIENTS.newsboat = newsboatItems;
}

/** What each client yields for each literal under each encoding: [client][encoding][literal index]. */
async function measure(): Promise<Record<string, Record<string, { title: string; summary: string }[]>>> {
  const result: Record<string, Record<string, { title: string; summary: string }[]>> = {};
  for (const [client, read] of Object.entries(CLIENTS)) {
    result[client] = {};
    for (const [name, encode] of Object.entries(ENCODINGS)) {
      const items = await read(rssDocument(encode));
      result[client][name] = LITERALS.map((_, i) => {
        const item = items.get(`http://measure.invalid/${i}`);
        return item ? { title: item.title, summary: item.summaryText ?? item.summary } : { title: '(no item)', summary: '(no item)' };
      });
    }
  }
  return result;
}

function printTable(field: 'title' | 'summary', measured: Awaited<ReturnType<typeof measure>>): void {
  const encodings = Object.keys(ENCODINGS);
  const what = field === 'title' ? '<title>: the title each client yields' : "<description>: each client's text of it";
  console.log(`\n## ${what} (ok = exactly the literal)\n`);
  for (const [client, byEncoding] of Object.entries(measured)) {
    console.log(`### ${client}\n`);
    console.log(`| literal | ${encodings.join(' | ')} |`);
    console.log(`|---|${encodings.map(() => '---').join('|')}|`);
    LITERALS.forEach((literal, i) => {
      const cells = encodings.map((e) => {
        const seen = byEncoding[e]![i]![field];
        return seen === literal ? 'ok' : `\`${JSON.stringify(seen)}\``;
      });
      console.log(`| \`${literal}\` | ${cells.join(' | ')} |`);
    });
    const totals = encodings.map((e) => `${LITERALS.filter((l, i) => byEncoding[e]![i]![field] === l).length}/${LITERALS.length}`);
    console.log(`| **literal** | ${totals.join(' | ')} |\n`);
  }
}

// The validator's messages for each line; titles are on lines of their own (rssDocument).
const VALIDATE = `
import sys, types
from xml.etree import ElementTree
sys.path.insert(0, sys.argv[1])
try:
    import html5lib
except ImportError:
    stub = types.ModuleType('html5lib.html5parser')
    class ParseError(Exception): pass
    class HTMLParser:
        def __init__(self, strict=False): self.errors = []
        def parseFragment(self, *a, **k): return ElementTree.Element('div')
        def parse(self, *a, **k): return ElementTree.Element('html')
    stub.ParseError, stub.HTMLParser = ParseError, HTMLParser
    sys.modules['html5lib'] = types.ModuleType('html5lib')
    sys.modules['html5lib.html5parser'] = stub
import feedvalidator
from feedvalidator import compatibility
from feedvalidator.formatter.text_plain import Formatter
events = feedvalidator.validateString(sys.stdin.read(), firstOccurrenceOnly=0, base='http://measure.invalid/rss.xml')['loggedEvents']
print('\\n'.join(Formatter(compatibility.AA(events))))
`;

function validatorWarnings(src: string): void {
  console.log('\n## The W3C Feed Validator on the titles (titles it warns about)\n');
  for (const [name, encode] of Object.entries(ENCODINGS)) {
    const xml = rssDocument(encode);
    const out = spawnSync('/usr/bin/python3', ['-c', VALIDATE, src], { input: xml, encoding: 'utf8', timeout: 60_000 });
    if (out.status !== 0) throw new Error(`the validator failed: ${out.stderr}`);
    const lines = xml.split('\n');
    const warned = out.stdout
      .split('\n')
      .map((m) => /^line (\d+), column \d+: (.*)$/u.exec(m))
      .filter((m): m is RegExpExecArray => m !== null && lines[Number(m[1]) - 1]!.startsWith('<title>'))
      .map((m) => `\`${LITERALS[lines.slice(0, Number(m[1])).filter((l) => l.startsWith('<title>')).length - 1]}\` (${m[2]})`);
    console.log(`- ${name}: ${warned.length === 0 ? 'none' : [...new Set(warned)].join(', ')}`);
  }
}

const measured = await measure();
printTable('title', measured);
printTable('summary', measured);
if (process.env.FEEDVALIDATOR_SRC) validatorWarnings(process.env.FEEDVALIDATOR_SRC);
