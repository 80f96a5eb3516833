/**
 * Property-based tests over the parser and the three renderers: for arbitrary Unicode titles, bodies,
 * summaries, authors and tags (controls, `]]>`, `<`, `&`, lone surrogates, right-to-left text, emoji),
 * the XML is well-formed, the JSON parses, and the three formats carry the same items.
 *
 * Most runs check in-process with fast-xml-parser (fast); a few go through xmllint, the RFC 4287 schema
 * and the Universal Feed Parser.
 *
 * The seed is fixed, so that CI fails only when the code changes, never by the draw; it is printed
 * once. To look for new counterexamples, draw one: `PROPERTY_SEED=random npx vitest run tests/property`
 * (or replay one with `PROPERTY_SEED=12345`), with more runs if wanted (`PROPERTY_RUNS=2000`, and
 * `PROPERTY_SLOW_RUNS=60` for the runs through the external readers). Each counterexample found is
 * kept below as a named case, since the fixed seed will not draw it again.
 */
import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/articles/parse.ts';
import { normalizeTag } from '../../src/articles/tags.ts';
import type { Article } from '../../src/articles/types.ts';
import { buildFeed } from '../../src/feeds/build.ts';
import { FeedComposer } from '../../src/feeds/compose.ts';
import { renderFeed } from '../../src/feeds/render.ts';
import { FEED_FORMATS } from '../../src/feeds/types.ts';
import { stripForbidden } from '../../src/feeds/xml-safe.ts';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';
import { renderWithFeed } from '../support/feed-oracle.ts';
import { feedparse } from '../support/readers.ts';
import { createArticle, createSite, fileInfo, metas, tag } from '../support/factory.ts';

/** The seed of CI's runs: any fixed number does, this one is only what it was when seeds were fixed. */
const FIXED_SEED = 20261201;

function readSeed(value: string | undefined): number {
  if (value === undefined || value === '') return FIXED_SEED;
  if (value === 'random') return randomInt(2 ** 31);
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`PROPERTY_SEED must be an integer or "random", not ${JSON.stringify(value)}`);
  return seed;
}

function readRuns(value: string | undefined, fallback: number): number {
  const runs = Number(value ?? fallback);
  if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`a run count must be a positive integer, not ${JSON.stringify(value)}`);
  return runs;
}

const SEED = readSeed(process.env.PROPERTY_SEED);
const RUNS = readRuns(process.env.PROPERTY_RUNS, 200);
const SLOW_RUNS = readRuns(process.env.PROPERTY_SLOW_RUNS, 6);
fc.configureGlobal({ seed: SEED });
console.log(`property tests: seed ${SEED} (PROPERTY_SEED=${SEED} replays it), ${RUNS} runs, ${SLOW_RUNS} through the external readers`);

// ---------------------------------------------------------------- generators

/** Pieces that have broken XML writers before, and text of every kind. */
const trap = fc.constantFrom(
  ']]>',
  ']]',
  '>',
  '<',
  '&',
  '&amp;',
  '&lt;',
  '&#38;',
  '&bogus;',
  '<![CDATA[',
  ']]]]><![CDATA[>',
  '</title>',
  '<title type="html">',
  '</summary>',
  // Item boundaries of each format, which compose.ts once cut rendered feeds apart at.
  '</item>',
  '\n        <item>',
  '</entry>',
  '\n    <entry>',
  '\n    },\n    {',
  '"',
  "'",
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000B',
  '\u000C',
  '\u001F',
  '\u007F',
  '\u0085',
  '\uFFFE',
  '\uFFFF',
  '\uD800',
  '\uDBFF',
  '\uDC00',
  '\uDFFF',
  '\r',
  '\t',
  ' ',
  '😀',
  '👍🏽',
  '\u202E',
  '\u200F',
  'مرحبا',
  'עברית',
  'e\u0301',
  '日本',
  '#',
  '#Tag',
);
const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 3 });
const piece = fc.oneof({ arbitrary: trap, weight: 4 }, { arbitrary: anyCodeUnit, weight: 2 }, { arbitrary: anyCodePoint, weight: 2 }, fc.string({ maxLength: 6 }));
/** Arbitrary text, nasty characters likely. */
const nastyText = fc.array(piece, { maxLength: 24 }).map((parts) => parts.join(''));
/** A line of text, the way article files give one: no line breaks. */
const nastyLine = nastyText.map((s) => s.replace(/[\r\n\u2028\u2029\u0085]/gu, ' '));

/** Letters of many scripts, with NFKC traps (full-width, ligatures, combining marks). */
const tagLetter = fc.constantFrom(
  ...'abcxyzABCXYZ',
  'é',
  'ñ',
  'Ñ',
  'ß',
  'ø',
  'İ',
  'ı',
  'ǅ',
  'ﬁ',
  'Ｖ',
  'ｶ',
  'e\u0301',
  'α',
  'Ω',
  'ж',
  'Ж',
  'ע',
  'ب',
  '日',
  '本',
  'क',
  'कि',
  '한',
);
const tagChar = fc.oneof({ arbitrary: tagLetter, weight: 5 }, fc.constantFrom(...'0123456789_'));
/** A valid hashtag label: letters, digits and underscores, with at least one letter. */
const tagLabel = fc.tuple(fc.array(tagChar, { maxLength: 4 }), tagLetter, fc.array(tagChar, { maxLength: 6 })).map(([a, l, b]) => [...a, l, ...b].join(''));

const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-12-31T23:59:59Z'), noInvalidDate: true });

/** An article with arbitrary text in every field a feed carries. */
const articleArb = fc
  .record({
    title: nastyText,
    summary: nastyText,
    body: nastyText,
    author: fc.option(nastyText, { nil: undefined }),
    tags: fc.uniqueArray(tagLabel, { maxLength: 5, selector: normalizeTag }),
    date,
    later: fc.integer({ min: 0, max: 10 * 86400_000 }),
    markdown: fc.boolean(),
  })
  .map((r) => (id: string) =>
    createArticle({
      id,
      format: r.markdown ? 'markdown' : 'text',
      title: r.title,
      summary: r.summary,
      contentHtml: r.body,
      author: r.author,
      tags: r.tags,
      date: r.date,
      updated: new Date(r.date.getTime() + r.later),
    }),
  );

/** Up to four articles, ids in any alphabet (they end up percent-encoded in URLs). */
const articlesArb = fc
  .tuple(fc.array(articleArb, { minLength: 0, maxLength: 4 }), fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), { minLength: 4, maxLength: 4 }))
  .map(([makers, ids]) => makers.map((make, i) => make(`${i}-${ids[i]}`)));

const siteArb = fc.record({ title: nastyText, description: nastyText, author: nastyText }).map((s) => createSite(s));

// ---------------------------------------------------------------- readers

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  // Character references (`&#x26;`, as RSS titles are written), which it leaves alone by default.
  htmlEntities: true,
  isArray: (name) => ['item', 'entry', 'category', 'link', 'author', 'dc:creator'].includes(name),
});

/** XML 1.0 characters (https://www.w3.org/TR/xml/#charsets): anything else makes a document ill-formed. */
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** Well-formedness as far as can be told in-process: structure, characters, entity references. */
function expectWellFormed(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(xml).not.toMatch(NOT_XML_CHAR);
  const outsideCdata = xml.replace(/<!\[CDATA\[[\s\S]*?\]\]>/gu, '');
  expect(outsideCdata).not.toMatch(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[\da-fA-F]+);)/u);
  expect(outsideCdata).not.toContain(']]>');
}

const text = (node: unknown): string => {
  if (node === undefined || node === null) return '';
  if (typeof node === 'string') return node;
  return String((node as Record<string, unknown>)['#text'] ?? '');
};

interface SeenItem {
  id: string;
  link: string;
  title: string;
  summary: string;
  content: string;
  tags: string[];
  author: string;
}

function rssItems(xml: string): { title: string; items: SeenItem[] } {
  const channel = xmlParser.parse(xml).rss.channel;
  return {
    title: text(channel.title),
    items: (channel.item ?? []).map((item: Record<string, unknown>) => ({
      id: text(item.guid),
      link: text((item.link as unknown[])?.[0]),
      title: text(item.title),
      summary: text(item.description),
      content: text(item['content:encoded']),
      tags: ((item.category as unknown[]) ?? []).map(text),
      author: text((item['dc:creator'] as unknown[])?.[0]),
    })),
  };
}

function atomItems(xml: string): { title: string; items: SeenItem[] } {
  const feed = xmlParser.parse(xml).feed;
  return {
    title: text(feed.title),
    items: (feed.entry ?? []).map((entry: Record<string, unknown>) => ({
      id: text(entry.id),
      link: String(((entry.link as Record<string, string>[]) ?? [])[0]?.['@href'] ?? ''),
      title: text(entry.title),
      summary: text(entry.summary),
      content: text(entry.content),
      tags: ((entry.category as Record<string, string>[]) ?? []).map((c) => c['@label'] ?? ''),
      author: text((entry.author as Record<string, unknown>[])?.[0]?.name),
    })),
  };
}

function jsonItems(body: string): { title: string; items: SeenItem[] } {
  const feed = JSON.parse(body) as JsonFeed;
  expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
  return {
    title: feed.title,
    items: feed.items.map((item) => ({
      id: item.id,
      link: item.url,
      title: item.title ?? '',
      summary: item.summary ?? '',
      content: item.content_html ?? '',
      tags: item.tags ?? [],
      author: item.authors?.[0]?.name ?? '',
    })),
  };
}

function renderFeedOf(articles: Article[], format: (typeof FEED_FORMATS)[number], site = createSite()): string {
  return renderFeed(buildFeed(site, metas(articles), articles.map((a) => a.contentHtml)), format);
}

function renderAll(articles: Article[], site = createSite(), feedTag?: ReturnType<typeof tag>) {
  const doc = buildFeed(site, metas(articles), articles.map((a) => a.contentHtml), feedTag);
  return { rss: renderFeed(doc, 'rss'), atom: renderFeed(doc, 'atom'), json: renderFeed(doc, 'json') };
}

/** Text as HTML whose text it is. */
const escapeHtml = (s: string) => s.replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

/** What every format must say for a string: XML can carry neither forbidden characters nor a bare CR. */
const expected = (s: string) => stripForbidden(s).replace(/\r\n?/gu, '\n');

function expectSameItems(
  articles: Article[],
  site: ReturnType<typeof createSite>,
  bodies: { rss: string; atom: string; json: string },
  feedTag?: ReturnType<typeof tag>,
) {
  expectWellFormed(bodies.rss);
  expectWellFormed(bodies.atom);
  const json = jsonItems(bodies.json);
  const rss = rssItems(bodies.rss);
  const atom = atomItems(bodies.atom);
  expect(json.title).toBe(expected(feedTag ? `${site.title}: #${feedTag.label}` : site.title));
  expect(rss.title).toBe(json.title);
  expect(atom.title).toBe(json.title);
  expect(json.items.map((i) => i.link)).toEqual(articles.map((a) => site.urls.article(a.id)));
  for (const seen of [rss, atom]) {
    expect(seen.items.map((i) => i.id)).toEqual(json.items.map((i) => i.id));
    expect(seen.items.map((i) => i.link)).toEqual(json.items.map((i) => i.link));
  }
  json.items.forEach((item, i) => {
    const a = articles[i]!;
    expect(item.title).toBe(expected(a.title));
    expect(item.summary).toBe(expected(a.summary));
    expect(item.content).toBe(expected(a.contentHtml));
    expect(item.tags).toEqual(a.tags.map((t) => t.label));
    expect(item.author).toBe(expected(a.author ?? site.author));
    // An RSS description is read as HTML, so the summary is written as HTML whose text it is (rss-text.ts).
    expect(rss.items[i]!.summary).toBe(escapeHtml(item.summary));
    expect(atom.items[i]!.summary).toBe(item.summary);
    for (const seen of [rss.items[i]!, atom.items[i]!]) {
      expect(seen.title).toBe(item.title);
      expect(seen.content).toBe(item.content);
      expect(seen.tags).toEqual(item.tags);
      expect(seen.author).toBe(item.author);
    }
  });
}

// ---------------------------------------------------------------- properties

describe('feeds of arbitrary articles', { timeout: 30_000 }, () => {
  it('are well-formed XML and parseable JSON that carry the same items', () => {
    fc.assert(
      fc.property(articlesArb, siteArb, (articles, site) => {
        expectSameItems(articles, site, renderAll(articles, site));
      }),
      { numRuns: RUNS },
    );
  });

  it('are the same for a tag feed', () => {
    fc.assert(
      fc.property(articlesArb, tagLabel, (articles, label) => {
        const site = createSite();
        expectSameItems(articles, site, renderAll(articles, site, tag(label)), tag(label));
      }),
      { numRuns: RUNS / 2 },
    );
  });

  it('are read back the same by xmllint, the Atom schema and feedparser', async () => {
    await fc.assert(
      fc.asyncProperty(articlesArb, async (articles) => {
        await expectSameFeed(renderAll(articles.map(readerSafe)));
      }),
      // Each run starts xmllint and Python: no shrinking, the first failure is reported as it is.
      { numRuns: SLOW_RUNS, endOnFailure: true },
    );
  }, 120_000);
});

/**
 * Titles made safe from what feedparser does to titles whatever the XML says, so that comparing with
 * it is about what the feeds say. It strips surrounding white space (as Python defines it), it reads C1
 * controls as Windows-1252 (U+0085 becomes "…"), and it guesses whether an RSS title is HTML: one with
 * a closing tag or an entity reference (its `looks_like_html`, where `\w` is Python's, any letter or
 * digit) is sanitized as HTML, which changes a bare `&` or `<` beside it (RSS cannot say "plain text";
 * the titles it changes are the cases below and tests/feeds/rss-readers.test.ts). So titles here are
 * bracketed, free of C1 controls, and their closing tags and references are broken up by a space.
 */
const readerSafe = (a: Article) => ({
  ...a,
  title: `«${a.title
    .replace(/[\u0080-\u009f]/gu, '')
    .replace(/(&#?[\p{L}\p{N}_]+);/gu, '$1 ;')
    .replace(/(<\/[\p{L}\p{N}_]+)>/gu, '$1 >')}»`,
});

describe('feeds of the counterexamples found so far', { timeout: 30_000 }, () => {
  // Each was drawn by a random seed (PROPERTY_SEED=random); the fixed seed would not draw it again.

  it('carry the title AT&#38;T as written, and feedparser reads it so from RSS too', async () => {
    const article = createArticle({ title: 'AT&#38;T', summary: 'AT&#38;T' });
    expectSameItems([article], createSite(), renderAll([article]));
    const { rss, atom } = await expectSameFeed(renderAll([article]));
    expect(rss.entries[0]!.title).toBe('AT&#38;T');
    expect(atom.entries[0]!.title).toBe('AT&#38;T');
  });

  it("carry a title holding &#38; beside </# as written, which feedparser's HTML guess cuts short in RSS", async () => {
    // Seed 299607156 (before seeds were fixed, the suite's flaky failure). The lone surrogate is dropped.
    const title = "«SY']</#&amp;\u{e1c59}\u{2c0e}\uddd9\u{a027}&#38;>»";
    const article = createArticle({ title });
    expectSameItems([article], createSite(), renderAll([article]));
    const [rss, atom] = await Promise.all([feedparse(renderFeedOf([article], 'rss')), feedparse(renderFeedOf([article], 'atom'))]);
    // Atom says type="text", and feedparser takes it at its word.
    expect(atom.entries[0]!.title).toBe(stripForbidden(title));
    // RSS cannot say it: `&amp;` makes the title look like HTML to feedparser, whose sanitizer then
    // drops `</#…` up to the next `>`, as CDATA or escaped alike (scripts/measure-rss-titles.ts).
    expect(rss.entries[0]!.title).toBe("«SY']»");
  });

  it("carry a title holding &lt; beside a bare & as written, which feedparser's HTML guess escapes in RSS", async () => {
    // Seed 1190498909 (its second article; the first, titled "&#38;\udaee\u{c3e1}\udc00R\\<\u{809f}", read back fine).
    const title = '«OZTr\u{92ea0}\u{1f44d}\u{1f3fd}&lt;&Be\u0301]]]]><![CDATA[>\u{e529}\u{504de}\u{72d0}\u{86e65}»';
    const article = createArticle({ title });
    expectSameItems([article], createSite(), renderAll([article]));
    const [rss, atom] = await Promise.all([feedparse(renderFeedOf([article], 'rss')), feedparse(renderFeedOf([article], 'atom'))]);
    expect(atom.entries[0]!.title).toBe(title);
    // `&lt;` makes it look like HTML to feedparser, whose sanitizer then writes the bare `&` as `&amp;`
    // and the `<` of `<![CDATA[` as `&lt;`, as CDATA or escaped alike (scripts/measure-rss-titles.ts).
    expect(rss.entries[0]!.title).toBe(title.replace('&B', '&amp;B').replace('<![CDATA[', '&lt;![CDATA['));
  });
});

/** An article's image or audio: local (a media file name in any alphabet, as file names can be) or remote (query, fragment, `&`, quotes). */
const imageArb = fc.option(
  fc.oneof(
    fc.record({
      local: fc.tuple(fc.array(piece.map((p) => stripForbidden(p).replace(/[/\\]/gu, '')), { maxLength: 3 }), fc.constantFrom('.png', '.JPG', '.webp', '.mp3', '.ogg', '.bin', '')).map(([parts, ext]) => `${parts.join('') || 'x'}${ext}`),
      type: fc.constantFrom('image/png', 'image/jpeg', 'audio/mpeg', 'audio/ogg'),
      length: fc.oneof(fc.constant(0), fc.nat()),
      alt: nastyText,
    }),
    fc.record({
      url: fc.constantFrom('https://cdn.example/a.png', 'https://cdn.example/p&q.png?x=1&y=%222%22#f', 'http://cdn.example/x.jpg?a=&amp;b', 'https://cdn.example/song.mp3#t=1', 'https://cdn.example/noext'),
      type: fc.constantFrom('image/png', 'image/jpeg', 'audio/mpeg'),
      length: fc.constant(0),
      alt: nastyText,
    }),
  ),
  { nil: undefined },
);

/** The links of a feed's archives (RFC 5005), in every format, with text a URL may carry. */
const formatUrls = fc.constantFrom('http://feeds.example/archive/1/', 'http://feeds.example/a?b=1&c="2"', 'http://feeds.example/&amp;<x>').map((base) => ({
  rss: `${base}rss.xml`,
  atom: `${base}atom.xml`,
  json: `${base}feed.json`,
}));
const historyArb = fc.option(
  fc.record({ archive: fc.boolean(), current: fc.option(formatUrls, { nil: undefined }), prevArchive: fc.option(formatUrls, { nil: undefined }), nextArchive: fc.option(formatUrls, { nil: undefined }) }, { requiredKeys: ['archive'] }),
  { nil: undefined },
);
const hubsArb = fc.subarray(['https://hub.example/', 'https://hub.example/?a=1&b=2', 'http://hub2.example/"x"<y>']);
const languageArb = fc.constantFrom('en', 'pt-BR', '', 'x&amp;y<z>');

describe('feeds written by hand (src/feeds/render.ts)', { timeout: 60_000 }, () => {
  it('are byte for byte what feed 6.0.0 wrote, for arbitrary items, images, hubs, archives and languages', () => {
    fc.assert(
      fc.property(
        articlesArb,
        fc.array(imageArb, { minLength: 4, maxLength: 4 }),
        siteArb,
        fc.option(tagLabel, { nil: undefined }),
        fc.record({ hubs: hubsArb, history: historyArb, language: languageArb }),
        (articles, images, site, label, extra) => {
          const withImages = articles.map((a, i) => (images[i] ? { ...a, image: images[i] } : a));
          const built = buildFeed(site, metas(withImages), withImages.map((a) => a.contentHtml), label === undefined ? undefined : tag(label));
          const doc = { ...built, hubs: extra.hubs, language: extra.language, ...(extra.history ? { history: extra.history } : {}) };
          for (const format of FEED_FORMATS) expect(renderFeed(doc, format)).toBe(renderWithFeed(doc, format));
        },
      ),
      { numRuns: RUNS * 2 },
    );
  });
});

describe('feeds composed from items rendered once', { timeout: 30_000 }, () => {
  it('are byte for byte the feeds rendered whole, whichever feeds shared the items before', () => {
    // One composer for every run: items come back from its cache in feeds other than the one they
    // were rendered for, and an article id seen before may come back with other fields.
    const composer = new FeedComposer();
    fc.assert(
      fc.property(articlesArb, siteArb, fc.option(tagLabel, { nil: undefined }), fc.array(fc.nat(), { maxLength: 4 }), (articles, site, label, picks) => {
        // Feeds over overlapping choices of the same articles, as a site's tag feeds are.
        const choices = [articles, ...picks.map((p) => articles.filter((_, i) => (p >> i) & 1))];
        for (const chosen of choices) {
          const doc = buildFeed(site, metas(chosen), chosen.map((a) => a.contentHtml), label === undefined ? undefined : tag(label));
          for (const format of FEED_FORMATS) expect(composer.render(doc, format).toString('utf8')).toBe(renderFeed(doc, format));
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('articles parsed from arbitrary files', { timeout: 30_000 }, () => {
  const encoder = new TextEncoder();
  const fileArb = fc
    .record({
      title: nastyLine,
      lines: fc.array(nastyLine, { maxLength: 5 }),
      tags: fc.array(tagLabel, { maxLength: 5 }),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      markdown: fc.boolean(),
    })
    .map((f) => {
      const lines = [f.markdown ? `# ${f.title}` : f.title, ...f.lines, f.tags.map((t) => `#${t}`).join(' ')];
      const body = lines.join(f.crlf ? '\r\n' : '\n');
      return { ...f, text: `${f.bom ? '\uFEFF' : ''}${body}\n` };
    });

  it('never make the parser throw, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, markdown) => {
        const result = parseArticle(bytes, fileInfo(markdown ? 'x.md' : 'x.txt'));
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: RUNS },
    );
  });

  it('give well-formed feeds that carry the same items, with every tag of the tag line', () => {
    fc.assert(
      fc.property(fc.array(fileArb, { minLength: 1, maxLength: 3 }), (files) => {
        const articles: Article[] = [];
        files.forEach((f, i) => {
          const result = parseArticle(encoder.encode(f.text), fileInfo(`${i}.${f.markdown ? 'md' : 'txt'}`));
          if (!result.ok) {
            // Only a file with no title line, or bytes that are not text, may be refused.
            expect(['no-title', 'binary']).toContain(result.error.reason);
            return;
          }
          const a = result.article;
          // Every tag on the tag line is a tag of the article, once per normalised key.
          const keys = [...new Set(f.tags.map(normalizeTag))];
          // (Without hashtags, the last body line may be a tag line; with them but no body, the tag line may be the title.)
          if (f.tags.length > 0 && a.tags.length > 0) expect(a.tags.map((t) => t.key)).toEqual(keys);
          expect(a.title).not.toMatch(/[\r\n]/u);
          if (a.format === 'text') expect(a.contentHtml).not.toMatch(/<(?!\/?p>)/u);
          articles.push(a);
        });
        expectSameItems(articles, createSite(), renderAll(articles));
      }),
      { numRuns: RUNS },
    );
  });
});
