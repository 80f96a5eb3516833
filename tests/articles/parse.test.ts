import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Parser } from 'marked';
import { describe, expect, it, vi } from 'vitest';
import { parseArticle, parseArticleMeta, shortenText, SUMMARY_LENGTH } from '../../src/articles/parse.ts';
import { ArticleParseError, summaryOf, toMeta, type Article, type ParseResult } from '../../src/articles/types.ts';
import { FIXED_DATE, FIXTURES, fileInfo } from '../support/factory.ts';

const encoder = new TextEncoder();

function parse(text: string | Uint8Array, name = 'article.txt', mtime = FIXED_DATE): ParseResult {
  return parseArticle(typeof text === 'string' ? encoder.encode(text) : text, fileInfo(name, mtime));
}

function parsed(text: string | Uint8Array, name?: string, mtime?: Date): Article {
  const result = parse(text, name, mtime);
  if (!result.ok) throw new Error(`expected ${name ?? 'the file'} to parse, got ${result.error.reason}: ${result.error.message}`);
  return result.article;
}

function rejected(text: string | Uint8Array, name?: string): ArticleParseError {
  const result = parse(text, name);
  if (result.ok) throw new Error(`expected a parse error, got the article "${result.article.title}"`);
  return result.error;
}

async function fixture(kind: 'valid' | 'invalid', name: string, mtime = FIXED_DATE): Promise<ParseResult> {
  return parseArticle(await readFile(join(FIXTURES[kind], name)), fileInfo(name, mtime));
}

const tagLabels = (a: Article) => a.tags.map((t) => t.label);
const tagKeys = (a: Article) => a.tags.map((t) => t.key);

describe('parseArticle', () => {
  describe('titles and paragraphs', () => {
    it('takes the first line as the title and each following line as a paragraph', () => {
      const a = parsed('The title\nFirst paragraph.\nSecond paragraph.\n');
      expect(a.title).toBe('The title');
      expect(a.contentHtml).toBe('<p>First paragraph.</p>\n<p>Second paragraph.</p>');
    });

    it('accepts blank lines between paragraphs without making empty paragraphs', () => {
      const a = parsed('Title\n\nOne.\n\n\nTwo.\n   \nThree.\n');
      expect(a.contentHtml).toBe('<p>One.</p>\n<p>Two.</p>\n<p>Three.</p>');
    });

    it('skips blank lines before the title and trims it', () => {
      expect(parsed('\n\n   The real title  \nBody.').title).toBe('The real title');
    });

    it('accepts an article with a title and no body', () => {
      const a = parsed('Only a title\n');
      expect(a.title).toBe('Only a title');
      expect(a.contentHtml).toBe('');
      expect(a.summary).toBe('');
    });

    it('escapes the body so that text never injects markup', () => {
      const a = parsed('Title\n<script>alert("x")</script> & <b>bold</b>\n');
      expect(a.contentHtml).not.toContain('<script>');
      expect(a.contentHtml).not.toContain('<b>');
      expect(a.contentHtml).toBe('<p>&#60;script&#62;alert(&#34;x&#34;)&#60;/script&#62; &#38; &#60;b&#62;bold&#60;/b&#62;</p>');
    });

    it('keeps the title as plain text, markup characters included', () => {
      expect(parsed('Is 1 < 2 & "yes"?\nBody.').title).toBe('Is 1 < 2 & "yes"?');
    });

    it('parses the bundled example article', async () => {
      const result = await fixture('valid', '000_66bcc8fb033b93b3.txt');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.article.title).toBe(
        'Venezuela Restores Diplomatic Relations with the United States Following Visit by US Interior Secretary',
      );
      expect(result.article.contentHtml.match(/<p>/g)).toHaveLength(9);
      expect(tagLabels(result.article)).toEqual([
        'Venezuela',
        'UnitedStates',
        'DiplomaticRelations',
        'DelcyRodriguez',
        'DonaldTrump',
        'Geopolitics',
        'EconomicRecovery',
        'USRelations',
      ]);
      expect(result.article.contentHtml).not.toContain('#Venezuela');
    });
  });

  describe('line endings and byte-order mark', () => {
    it('reads a CRLF file exactly as the same file with LF', () => {
      const lf = 'Title\nOne.\n\nTwo.\n#Venezuela #Geopolitics\n';
      const crlf = parsed(lf.replaceAll('\n', '\r\n'));
      expect(crlf).toEqual(parsed(lf));
      expect(crlf.title).toBe('Title');
      expect(crlf.contentHtml).not.toContain('\r');
    });

    it('drops a UTF-8 byte-order mark before the title', () => {
      const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('Title\nBody.\n')]);
      const a = parsed(bytes);
      expect(a.title).toBe('Title');
      expect(a.title.charCodeAt(0)).toBe(0x54);
    });

    it('reads a CRLF fixture with a byte-order mark and front matter', async () => {
      const result = await fixture('valid', 'crlf-bom.txt');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.article.title).toBe('A CRLF file with a byte-order mark');
      expect(result.article.date).toEqual(new Date('2024-03-06T09:00:00Z'));
      expect(result.article.contentHtml).toBe('<p>First CRLF paragraph.</p>\n<p>Second CRLF paragraph.</p>');
      expect(tagKeys(result.article)).toEqual(['crlf', 'venezuela']);
    });

    it('reads a CRLF fixture without front matter', async () => {
      const result = await fixture('valid', 'crlf-plain.txt');
      expect(result.ok && result.article.title).toBe('A CRLF file without front matter');
      expect(result.ok && tagKeys(result.article)).toEqual(['crlf']);
    });
  });

  describe('the tag line', () => {
    it('takes tags from the last non-empty line and leaves it out of the body', () => {
      const a = parsed('Title\nBody.\n#Venezuela #UnitedStates\n\n\n');
      expect(tagLabels(a)).toEqual(['Venezuela', 'UnitedStates']);
      expect(a.contentHtml).toBe('<p>Body.</p>');
    });

    it('keeps a last line that has words without # as a paragraph, with no tags', () => {
      const a = parsed('Title\nBody.\nMore about #Venezuela here\n');
      expect(a.tags).toEqual([]);
      expect(a.contentHtml).toBe('<p>Body.</p>\n<p>More about #Venezuela here</p>');
    });

    it('does not count hashtags inside the body', async () => {
      const result = await fixture('valid', 'blank-lines.txt');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(tagKeys(result.article)).toEqual(['espana', 'geopolitics']);
      expect(result.article.contentHtml).toContain('our #1 priority and C#');
    });

    it('does not treat a last line of only number-hashtags as a tag line', () => {
      const a = parsed('Title\nBody.\n#1 #2024\n');
      expect(a.tags).toEqual([]);
      expect(a.contentHtml).toBe('<p>Body.</p>\n<p>#1 #2024</p>');
    });

    it('ignores number-only words in a tag line and strips trailing punctuation', () => {
      const a = parsed('Title\nBody.\n#Geopolitics. #1 #Venezuela, #España!\n');
      expect(tagLabels(a)).toEqual(['Geopolitics', 'Venezuela', 'España']);
    });

    it('makes one tag of spellings that differ in case and Latin accents, keeping the first label', () => {
      const a = parsed('Title\nBody.\n#España #espana #ESPAÑA #Venezuela #venezuela\n');
      expect(a.tags).toEqual([
        { key: 'espana', label: 'España' },
        { key: 'venezuela', label: 'Venezuela' },
      ]);
    });

    it('keeps tags of other scripts as written, in lower case where the script has case', () => {
      const a = parsed('Title\nBody.\n#日本 #Ελλάδα #Україна #עברית #São_Paulo\n');
      expect(a.tags).toEqual([
        { key: '日本', label: '日本' },
        { key: 'ελλάδα', label: 'Ελλάδα' },
        { key: 'україна', label: 'Україна' },
        { key: 'עברית', label: 'עברית' },
        { key: 'sao_paulo', label: 'São_Paulo' },
      ]);
    });

    it('normalises tags with NFKC: full-width letters, ligatures and decomposed accents', () => {
      const a = parsed('Title\nBody.\n#ＶＥＮＥＺＵＥＬＡ #ﬁnance #Espan\u0303a\n');
      expect(tagKeys(a)).toEqual(['venezuela', 'finance', 'espana']);
      expect(tagLabels(a)).toEqual(['VENEZUELA', 'finance', 'España']);
    });

    it('reads the Unicode fixture', async () => {
      const result = await fixture('valid', 'unicode-tags.txt');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.article.title).toBe('Unicode everywhere: España, 日本, Ελλάδα, עברית 😀');
      expect(tagKeys(result.article)).toEqual(['espana', '日本', 'ελλάδα', 'sao_paulo', 'україна', 'zurich']);
      expect(result.article.contentHtml).toContain('<p>مرحبا بالعالم — a paragraph in Arabic, right to left.</p>');
    });

    it('rejects a file whose only line is a tag line', async () => {
      const error = rejected('#Venezuela #Geopolitics\n');
      expect(error.reason).toBe('no-title');
      expect(error.message).toMatch(/tag line/);
      const result = await fixture('invalid', 'only-tags.txt');
      expect(!result.ok && result.error.reason).toBe('no-title');
    });
  });

  describe('front matter', () => {
    it('reads title, date, updated, author, summary and tags', async () => {
      const result = await fixture('valid', 'front-matter.txt');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const a = result.article;
      expect(a.title).toBe('Front matter gives the title: <not markup> & more');
      expect(a.date).toEqual(new Date('2024-03-10T08:00:00Z'));
      expect(a.updated).toEqual(new Date('2024-03-12T10:15:00Z'));
      expect(a.author).toBe('Maria Keller');
      expect(a.summary).toBe('A summary from the front matter.');
      expect(a.draft).toBe(false);
      // Hashtags first, then front-matter tags; `#` before a front-matter tag is dropped.
      expect(tagLabels(a)).toEqual(['Venezuela', 'Geopolitics', 'Energy', 'Oil']);
    });

    it('makes the first line after the front matter a paragraph when it gives the title', () => {
      const a = parsed('---\ntitle: From front matter\n---\nFirst line.\nSecond line.\n');
      expect(a.title).toBe('From front matter');
      expect(a.contentHtml).toBe('<p>First line.</p>\n<p>Second line.</p>');
      expect(a.summary).toBe('First line.');
    });

    it('takes the title from the first line after the front matter when it gives none', () => {
      const a = parsed('---\nauthor: Ana\n---\nThe title line\nBody.\n');
      expect(a.title).toBe('The title line');
      expect(a.author).toBe('Ana');
    });

    it('merges front-matter tags with hashtags without duplicates', () => {
      const a = parsed('---\ntags: [venezuela, Energía, energia]\n---\nT\nB\n#Venezuela #Oil\n');
      expect(a.tags).toEqual([
        { key: 'venezuela', label: 'Venezuela' },
        { key: 'oil', label: 'Oil' },
        { key: 'energia', label: 'Energía' },
      ]);
    });

    it('accepts tags as a string of words separated by spaces or commas', () => {
      expect(tagKeys(parsed('---\ntags: "Oil, #Gas  Energy"\n---\nT\n'))).toEqual(['oil', 'gas', 'energy']);
    });

    it('marks a draft', async () => {
      const result = await fixture('valid', 'draft.txt');
      expect(result.ok && result.article.draft).toBe(true);
      expect(parsed('---\ndraft: false\n---\nT\n').draft).toBe(false);
    });

    it('reads dates with offsets and date-only dates', () => {
      expect(parsed('---\ndate: 2023-03-05T14:22:00+05:30\n---\nT\n').date).toEqual(new Date('2023-03-05T08:52:00Z'));
      expect(parsed('---\ndate: 2023-03-05\n---\nT\n').date).toEqual(new Date('2023-03-05T00:00:00Z'));
      expect(parsed('---\ndate: "2023-03-05T14:22:00Z"\n---\nT\n').date).toEqual(new Date('2023-03-05T14:22:00Z'));
    });

    it('rejects a date or time that is not on the calendar, quoted or not, naming the field and why', () => {
      const cases: [string, RegExp][] = [
        ['date: 2026-02-30', /^`date` 2026-02-30 is not a calendar date: February 2026 has 28 days$/],
        ['date: "2026-02-30"', /^`date` 2026-02-30 is not a calendar date: February 2026 has 28 days$/],
        ['date: 2023-02-29', /February 2023 has 28 days/],
        ['date: 1900-02-29T00:00:00Z', /February 1900 has 28 days/],
        ['date: 2024-04-31T10:00:00Z', /April 2024 has 30 days/],
        ['date: 2024-13-01', /there is no month 13/],
        ['date: 2024-00-10', /there is no month 0/],
        ['date: 2024-05-00', /May 2024 has 31 days/],
        ['date: 2024-05-01T25:00:00Z', /there is no hour 25/],
        ['date: 2024-05-01T24:00:00Z', /there is no hour 24/],
        ['date: 2024-05-01 09:60:00Z', /there is no minute 60/],
        ['date: "2024-05-01T09:30:61+02:00"', /second 61/],
        ['date: 2024-05-01T09:30:00+25:00', /no time offset/],
        ['updated: 2026-02-30T12:00:00Z', /^`updated` 2026-02-30T12:00:00Z is not a calendar date: February 2026 has 28 days$/],
      ];
      for (const [line, message] of cases) {
        const error = rejected(`---\n${line}\n---\nT\n`);
        expect(error.reason, line).toBe('bad-front-matter');
        expect(error.message, line).toMatch(message);
        const meta = parseArticleMeta(encoder.encode(`---\n${line}\n---\nT\n`), fileInfo('a.txt'));
        expect(!meta.ok && meta.error.message, line).toBe(error.message);
      }
    });

    it('accepts February 29 of a leap year', () => {
      expect(parsed('---\ndate: 2024-02-29\n---\nT\n').date).toEqual(new Date('2024-02-29T00:00:00Z'));
      expect(parsed('---\ndate: 2000-02-29T23:59:59Z\n---\nT\n').date).toEqual(new Date('2000-02-29T23:59:59Z'));
    });

    it('reads every form of RFC 3339 and YAML timestamp served before', () => {
      const cases: [string, string][] = [
        ['2024-05-01T09:30:00+02:00', '2024-05-01T07:30:00.000Z'],
        ['2024-05-01 09:30:00Z', '2024-05-01T09:30:00.000Z'],
        ['"2024-05-01t09:30:00z"', '2024-05-01T09:30:00.000Z'],
        ['2024-05-01T09:30:00.123456-03:30', '2024-05-01T13:00:00.123Z'],
        ['"2024-05-01T09:30:00.5Z"', '2024-05-01T09:30:00.500Z'],
        // YAML 1.1 timestamps: no zone is UTC, an offset may be hours only, fields may have one digit.
        ['2024-05-01 09:30:00', '2024-05-01T09:30:00.000Z'],
        ['2024-05-01T09:30:00 +02', '2024-05-01T07:30:00.000Z'],
        ['2024-5-1 9:30:00Z', '2024-05-01T09:30:00.000Z'],
      ];
      for (const [text, iso] of cases) expect(parsed(`---\ndate: ${text}\n---\nT\n`).date.toISOString(), text).toBe(iso);
    });

    it('rejects a date in a spelling other than RFC 3339, which new Date() would have guessed at', () => {
      for (const text of ['"May 1, 2024"', '"2024/05/01"', '"2024-05-01T09:30"', '1714556400']) {
        expect(rejected(`---\ndate: ${text}\n---\nT\n`).message, text).toMatch(/^`date` is not a date \(use RFC 3339/);
      }
    });

    it('reads a year before 100 as written, not as 19xx', () => {
      expect(parsed('---\ndate: 0024-05-01\n---\nT\n').date.toISOString()).toBe('0024-05-01T00:00:00.000Z');
    });

    it('reads a title or author that looks like a date as text', () => {
      const a = parsed('---\ntitle: 2024-05-01\nauthor: 2024-05-01T09:30:00Z\n---\nBody.\n');
      expect(a.title).toBe('2024-05-01');
      expect(a.author).toBe('2024-05-01T09:30:00Z');
    });

    it('accepts CRLF front matter', () => {
      const a = parsed('---\r\ntitle: T\r\ndate: 2024-01-02T03:04:05Z\r\n---\r\nBody.\r\n');
      expect(a.title).toBe('T');
      expect(a.date).toEqual(new Date('2024-01-02T03:04:05Z'));
    });

    it('rejects front matter that is never closed', async () => {
      const result = await fixture('invalid', 'unclosed-front-matter.txt');
      expect(!result.ok && result.error.reason).toBe('bad-front-matter');
      expect(!result.ok && result.error.message).toMatch(/never closed/);
    });

    it('rejects front matter that is not YAML', async () => {
      const result = await fixture('invalid', 'bad-yaml.txt');
      expect(!result.ok && result.error.reason).toBe('bad-front-matter');
      expect(!result.ok && result.error.message).toMatch(/YAML/);
    });

    it('rejects a date that is not a date', async () => {
      const result = await fixture('invalid', 'bad-date.txt');
      expect(!result.ok && result.error.reason).toBe('bad-front-matter');
      expect(!result.ok && result.error.message).toMatch(/`date`/);
      expect(rejected('---\nupdated: soon\n---\nT\n').message).toMatch(/`updated`/);
    });

    it('rejects a front-matter tag that is not a hashtag', async () => {
      const result = await fixture('invalid', 'bad-tag.txt');
      expect(!result.ok && result.error.reason).toBe('bad-front-matter');
      expect(rejected('---\ntags: ["2024"]\n---\nT\n').reason).toBe('bad-front-matter');
    });

    it('rejects a title that is not a string and a draft that is not true or false', () => {
      expect(rejected('---\ntitle: [a, b]\n---\nT\n').message).toMatch(/`title`/);
      expect(rejected('---\ndraft: maybe\n---\nT\n').message).toMatch(/`draft`/);
      expect(rejected('---\ntags: {a: 1}\n---\nT\n').reason).toBe('bad-front-matter');
    });

    it('does not take a --- line after the first line for front matter', () => {
      const a = parsed('Title\n---\nnot: front matter\n---\n');
      expect(a.title).toBe('Title');
      expect(a.contentHtml).toContain('not: front matter');
    });
  });

  describe('dates', () => {
    const mtime = new Date('2024-06-01T12:00:00.250Z');

    it('dates a file without front matter by its modification time', () => {
      const a = parsed('Title\nBody.\n', 'a.txt', mtime);
      expect(a.date).toEqual(mtime);
      expect(a.updated).toEqual(mtime);
    });

    it('prefers the front-matter date and takes the later of updated and the file time as updated', () => {
      const a = parsed('---\ndate: 2024-01-01T00:00:00Z\n---\nT\n', 'a.txt', mtime);
      expect(a.date).toEqual(new Date('2024-01-01T00:00:00Z'));
      expect(a.updated).toEqual(mtime);
    });

    it('takes front-matter updated over the file time', () => {
      const a = parsed('---\ndate: 2024-01-01T00:00:00Z\nupdated: 2024-02-01T00:00:00Z\n---\nT\n', 'a.txt', mtime);
      expect(a.updated).toEqual(new Date('2024-02-01T00:00:00Z'));
    });

    it('never has updated before the date', () => {
      const a = parsed('---\ndate: 2024-05-01T00:00:00Z\nupdated: 2024-02-01T00:00:00Z\n---\nT\n', 'a.txt', mtime);
      expect(a.updated).toEqual(a.date);
    });
  });

  describe('summaries', () => {
    it('uses the first paragraph when it is short', () => {
      const article = parsed('T\nFirst.\nSecond.\n');
      expect(article.summary).toBe('First.');
      expect(article.summaryCut).toBe(false);
      expect(summaryOf(article)).toBe('First.');
    });

    it('shortens a long first paragraph at a word boundary with an ellipsis', () => {
      const words = Array.from({ length: 100 }, (_, i) => `word${i}`).join(' ');
      const article = parsed(`T\n${words}\n`);
      // Kept without its ellipsis (one '…' would make V8 store the string in two bytes a character).
      expect(article.summaryCut).toBe(true);
      expect(article.summary).not.toContain('…');
      const summary = summaryOf(article);
      expect(summary.endsWith('…')).toBe(true);
      expect(Array.from(summary).length).toBeLessThanOrEqual(SUMMARY_LENGTH + 1);
      expect(words.startsWith(summary.slice(0, -1))).toBe(true);
      expect(words[summary.length - 1]).toBe(' ');
    });

    it('never cuts a character made of a surrogate pair in half', () => {
      for (const text of ['😀'.repeat(400), `x${'😀'.repeat(400)}`]) {
        const { text: kept, cut } = shortenText(text, 280);
        expect(cut).toBe(true);
        expect(text.startsWith(kept)).toBe(true);
        expect(kept.length).toBeGreaterThanOrEqual(270);
        expect(kept).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
      }
      expect(shortenText('short', 280)).toEqual({ text: 'short', cut: false });
    });
  });

  describe('Markdown files', () => {
    it.each([
      ['# The *best* `code` &amp; more', 'The best code & more'],
      ['## A second-level heading ##', 'A second-level heading'],
      ['# [Linked](https://example.org/) title', 'Linked title'],
      ['Not a heading: 5 * 3 = 15, snake_case_name', 'Not a heading: 5 * 3 = 15, snake_case_name'],
    ])('gives the title line %j as the plain text %j', (line, title) => {
      const result = parseArticle(new TextEncoder().encode(`${line}\n\nBody.\n`), fileInfo('x.md'));
      expect(result.ok && result.article.title).toBe(title);
    });

    it('takes the title from a leading # heading and renders the body', async () => {
      const result = await fixture('valid', 'markdown-article.md');
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      const a = result.article;
      expect(a.format).toBe('markdown');
      // Plain text, as summaries are: the heading's emphasis gives its text.
      expect(a.title).toBe('A Markdown article heading');
      expect(a.contentHtml).toContain('<strong>bold</strong>');
      expect(a.contentHtml).toContain('<a href="https://example.org/">link</a>');
      expect(a.contentHtml).toContain('<code>code</code>');
      expect(a.contentHtml).toMatch(/<ul>\s*<li>item one<\/li>\s*<li>item two<\/li>\s*<\/ul>/);
      expect(a.contentHtml).not.toContain('<h1>');
      expect(a.contentHtml).not.toContain('#Markdown');
      expect(tagKeys(a)).toEqual(['markdown', 'venezuela']);
      // The summary is the first paragraph as plain text.
      expect(a.summary).toBe('The first paragraph has bold text, a link and code.');
    });

    it('strips closing hashes from the heading', () => {
      expect(parsed('# Heading with closing hashes ##\n\nBody.\n', 'a.md').title).toBe('Heading with closing hashes');
    });

    it('prefers the front-matter title and renders the heading as part of the body', () => {
      const a = parsed('---\ntitle: From front matter\n---\n# A heading\n\nText.\n', 'a.md');
      expect(a.title).toBe('From front matter');
      expect(a.contentHtml).toContain('<h1>A heading</h1>');
    });

    it('takes line 1 as the title when there is no heading', () => {
      const a = parsed('Plain first line\n\nA *paragraph*.\n', 'a.md');
      expect(a.title).toBe('Plain first line');
      expect(a.contentHtml).toBe('<p>A <em>paragraph</em>.</p>\n');
    });

    it('decodes entities in the summary taken from Markdown', () => {
      expect(parsed('# T\n\nFish &amp; chips &lt;3 &#233;t&#xE9;\n', 'a.md').summary).toBe('Fish & chips <3 été');
    });

    it('takes the plain text of inline markup for the summary, leaving out raw HTML tags', () => {
      const a = parsed('# T\n\n**bold** &amp; <span>x</span> [link](u) `code`\n', 'a.md');
      expect(a.summary).toBe('bold & x link code');
    });

    it('keeps code spans as written in the summary: entities and tags in code are text', () => {
      expect(parsed('# T\n\nRun `a &amp;&amp; b <c>` now\n', 'a.md').summary).toBe('Run a &amp;&amp; b <c> now');
    });

    it('decodes entities once, backslash escapes included', () => {
      const md = '# T\n\nAT&T &amp;lt; &#38;amp; \\*not em\\* \\&amp; &copy; &nbsp;x &unknown; &#xE9;\n';
      expect(parsed(md, 'a.md').summary).toBe('AT&T &lt; &amp; *not em* &amp; © x &unknown; é');
    });

    it('gives an image its alt text and a line break a space in the summary', () => {
      expect(parsed('# T\n\n![A *chart*](c.png) Growth  \nrose<br>sharply\n', 'a.md').summary).toBe('A chart Growth rose sharply');
    });

    it('takes a setext heading as the title, its underline with it', () => {
      for (const underline of ['=====', '---', '  ==  ']) {
        const a = parsed(`The Title\n${underline}\n\nThe first paragraph.\n`, 'a.md');
        expect([a.title, a.summary, a.contentHtml]).toEqual(['The Title', 'The first paragraph.', '<p>The first paragraph.</p>\n']);
      }
      // In a text file a line of `=` is text.
      expect(parsed('The Title\n=====\n').summary).toBe('=====');
    });

    it('takes the first paragraph of the Markdown, not a <p> written as raw HTML', () => {
      expect(parsed('# T\n\n<div><p>raw</p></div>\n\nThe real one.\n', 'a.md').summary).toBe('The real one.');
      expect(parsed('# T\n\n> Quoted *first*.\n\nSecond.\n', 'a.md').summary).toBe('Quoted first.');
    });
  });

  // marked is quadratic in a paragraph's delimiters and recurses per level of nesting: such a file is a
  // bad file with its reason, read within MARKDOWN_BUDGET_MS, never a stalled thread (6.6 s for the
  // 80 KB case below before the budget) or a stack overflow filed as bad front matter.
  describe('Markdown marked cannot read', () => {
    const slow = '_a'.repeat(40_000);
    const meta = (text: string) => parseArticleMeta(encoder.encode(text), fileInfo('a.md', FIXED_DATE));

    it.each([
      ['the first paragraph', `# T\n\n${slow}\n`],
      ['a paragraph after the first, which the index alone would not lex', `# T\n\nA fine first paragraph.\n\n${slow}\n`],
      ['the title line', `# ${slow}\n\nBody.\n`],
    ])('rejects Markdown too slow to read in %s, for the index and for the body', (_where, text) => {
      for (const result of [meta(text), parse(text, 'a.md')]) {
        expect(result.ok).toBe(false);
        if (result.ok) continue;
        expect(result.error.reason).toBe('bad-markdown');
        expect(result.error.message).toMatch(/took longer than 1 s to read/u);
      }
    });

    it('rejects block quotes nested too deeply to read, as bad Markdown', () => {
      const result = meta(`# T\n\n${'> '.repeat(5000)}deep\n`);
      expect(result.ok ? undefined : [result.error.reason, result.error.message]).toEqual(['bad-markdown', expect.stringMatching(/nests too deeply/u)]);
    });

    it('reads a large Markdown article within the budget, as it would without one', () => {
      const text = `# Big\n\n${Array.from({ length: 2000 }, (_, i) => `Part ${i} with *emphasis*, a [link](other-${i}) and \`code\`.`).join('\n\n')}\n`;
      const a = parsed(text, 'a.md');
      expect(a.summary).toBe('Part 0 with emphasis, a link and code.');
      expect(a.contentHtml).toContain('<p>Part 1999 with <em>emphasis</em>, a <a href="/articles/other-1999">link</a> and <code>code</code>.</p>');
      expect(meta(text)).toMatchObject({ ok: true, article: { summary: a.summary } });
    });

    it('goes on reading Markdown after a read was cut short', () => {
      expect(meta(`# T\n\n${slow}\n`).ok).toBe(false);
      expect(parsed('# After\n\nStill *read*.\n', 'a.md').contentHtml).toBe('<p>Still <em>read</em>.</p>\n');
    });
  });

  describe('files that are not articles', () => {
    it('rejects an empty file', async () => {
      expect(rejected('').reason).toBe('empty');
      const result = await fixture('invalid', 'empty.txt');
      expect(!result.ok && result.error.reason).toBe('empty');
    });

    it('rejects a file of blank lines as having no title', async () => {
      const result = await fixture('invalid', 'blank.txt');
      expect(!result.ok && result.error.reason).toBe('no-title');
    });

    it('rejects a binary file', () => {
      const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52]);
      expect(rejected(png).reason).toBe('binary');
      expect(rejected(encoder.encode('Title\nBody with a \0 NUL.\n')).reason).toBe('binary');
    });

    it('rejects a file that is not UTF-8', async () => {
      const result = await fixture('invalid', 'latin1.txt');
      expect(!result.ok && result.error.reason).toBe('not-utf8');
      expect(rejected(new Uint8Array([0x54, 0xc3, 0x28, 0x0a])).reason).toBe('not-utf8');
      // A UTF-16 file (with its byte-order mark) is not UTF-8 text either.
      const utf16 = Buffer.from('\ufeffTitle\nBody\n', 'utf16le');
      expect(parse(utf16).ok).toBe(false);
    });

    it('reports errors as ArticleParseError naming the file', () => {
      const error = rejected('', 'some file.txt');
      expect(error).toBeInstanceOf(ArticleParseError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe('ArticleParseError');
      expect(error.file).toBe('/articles/some file.txt');
    });

    it('gives the line of the body for a file without a title after its front matter', () => {
      const error = rejected('---\nauthor: A\n---\n\n#Venezuela\n');
      expect(error.reason).toBe('no-title');
      expect(error.line).toBe(4);
    });
  });

  it('keeps the id, file, format and source it is given', () => {
    const a = parseArticle(encoder.encode('T\n'), {
      id: 'año nuevo',
      file: '/x/año nuevo.md',
      format: 'markdown',
      source: { size: 2, mtimeMs: 5 },
    });
    expect(a.ok && { id: a.article.id, file: a.article.file, format: a.article.format, source: a.article.source }).toEqual({
      id: 'año nuevo',
      file: '/x/año nuevo.md',
      format: 'markdown',
      source: { size: 2, mtimeMs: 5 },
    });
  });
});

describe('parseArticleMeta', () => {
  it('gives what parseArticle gives, without the body', async () => {
    for (const name of ['front-matter.txt', 'markdown-article.md', 'unicode-tags.txt', 'crlf-bom.txt']) {
      const bytes = await readFile(join(FIXTURES.valid, name));
      const full = parseArticle(bytes, fileInfo(name));
      const meta = parseArticleMeta(bytes, fileInfo(name));
      expect(full.ok && meta.ok, name).toBe(true);
      if (!full.ok || !meta.ok) continue;
      expect(meta.article).toEqual(toMeta(full.article));
      expect(meta.article).not.toHaveProperty('contentHtml');
    }
  });

  it('gives the summary parseArticle gives for Markdown, which it reads without lexing the whole body', () => {
    const sources = [
      '# T\n\n**bold** &amp; <span>x</span> [link](u) `code`\n\nMore *text*.\n',
      // A reference defined after the paragraph still makes a link of it.
      '# T\n\nSee [the report][r] and [none][x].\n\n[r]: https://example.org/\n',
      '# T\n\n- loose *one*\n\n- two\n',
      '# T\n\n- tight\n- list\n\nAfter the list.\n',
      '# T\n\n```\ncode &amp;\n```\n\n<div>\n<p>raw</p>\n</div>\n\n| a |\n|---|\n| 1 |\n',
      '# T\n\n<pre>\nraw block\n</pre>\n\nText <code>inline &amp; raw</code> &#233;.\n',
    ];
    for (const text of sources) {
      const bytes = encoder.encode(text);
      const full = parseArticle(bytes, fileInfo('a.md'));
      const meta = parseArticleMeta(bytes, fileInfo('a.md'));
      expect(meta.ok && meta.article.summary, text).toBe(full.ok && full.article.summary);
    }
    expect(parsed(sources[1]!, 'a.md').summary).toBe('See the report and [none][x].');
  });

  it('renders no Markdown to HTML, where parseArticle renders it once', () => {
    const render = vi.spyOn(Parser.prototype, 'parse');
    try {
      const bytes = encoder.encode('# T\n\nA *first* paragraph.\n\nA second.\n');
      const meta = parseArticleMeta(bytes, fileInfo('a.md'));
      expect(meta.ok && meta.article.summary).toBe('A first paragraph.');
      expect(render).not.toHaveBeenCalled();
      const full = parseArticle(bytes, fileInfo('a.md'));
      expect(full.ok && full.article.contentHtml).toBe('<p>A <em>first</em> paragraph.</p>\n<p>A second.</p>\n');
      expect(render).toHaveBeenCalledTimes(1);
    } finally {
      render.mockRestore();
    }
  });

  it('rejects what parseArticle rejects, for the same reason', () => {
    for (const text of ['', '#Venezuela\n', '---\ntitle: x\n', 'T\0\n']) {
      const bytes = encoder.encode(text);
      const full = parseArticle(bytes, fileInfo('a.txt'));
      const meta = parseArticleMeta(bytes, fileInfo('a.txt'));
      expect(!full.ok && !meta.ok && meta.error.reason === full.error.reason, JSON.stringify(text)).toBe(true);
    }
  });
});
