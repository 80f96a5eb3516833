import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Article, Tag } from '../../src/articles/types.ts';
import { buildFeed } from '../../src/feeds/build.ts';
import { FEED_CONTENT_TYPES, renderFeed } from '../../src/feeds/render.ts';
import type { FeedFormat } from '../../src/feeds/types.ts';
import { FEED_FILES } from '../../src/urls.ts';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';
import { createArticle, createSite, metas, tag } from '../support/factory.ts';
import { atomSchemaProblems, feedparse, xmlProblems } from '../support/readers.ts';

/** Three articles with fixed dates: plain text, a name that needs percent-encoding, Markdown. */
function sampleArticles(): Article[] {
  return [
    createArticle({
      id: 'venezuela-relations',
      title: 'Venezuela restores diplomatic relations',
      date: new Date('2024-05-01T09:30:00Z'),
      updated: new Date('2024-05-02T10:00:00Z'),
      tags: ['Venezuela', 'UnitedStates', 'DiplomaticRelations'],
    }),
    createArticle({
      id: 'año nuevo',
      title: 'Is 1 < 2 & "quotes"?',
      date: new Date('2024-04-30T08:00:00Z'),
      author: 'Maria Keller',
      summary: 'A summary with <angle brackets> & an ampersand.',
      contentHtml: '<p>1 &#60; 2 &#38; &#34;quotes&#34;</p>',
      tags: ['España', '日本', 'Venezuela'],
    }),
    createArticle({
      id: 'markdown-notes',
      format: 'markdown',
      title: 'Notes in Markdown',
      date: new Date('2024-04-29T07:00:00Z'),
      summary: 'Bold text and a list.',
      contentHtml: '<p><strong>Bold</strong> text and a list.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>\n',
      tags: ['Markdown'],
    }),
  ];
}

function render(articles: Article[], format: FeedFormat, feedTag?: Tag, site = createSite()): string {
  const doc = buildFeed(site, metas(articles), articles.map((a) => a.contentHtml), feedTag);
  return renderFeed(doc, format);
}

function renderAll(articles: Article[], feedTag?: Tag, site = createSite()) {
  return {
    rss: render(articles, 'rss', feedTag, site),
    atom: render(articles, 'atom', feedTag, site),
    json: render(articles, 'json', feedTag, site),
  };
}

/** The text of every match of a capturing regular expression. */
const all = (text: string, re: RegExp) => Array.from(text.matchAll(re), (m) => m[1]);

afterEach(() => {
  vi.useRealTimers();
});

// Feedparser and xmllint run as child processes: slow on a busy machine, never timed.
describe('renderFeed', { timeout: 30_000 }, () => {
  describe('snapshots with fixed dates', () => {
    for (const format of ['rss', 'atom', 'json'] as const) {
      it(`renders the site feed as ${format}`, async () => {
        await expect(render(sampleArticles(), format)).toMatchFileSnapshot(`./__snapshots__/site.${FEED_FILES[format]}`);
      });
      it(`renders a tag feed as ${format}`, async () => {
        const articles = sampleArticles().filter((a) => a.tags.some((t) => t.key === 'venezuela'));
        await expect(render(articles, format, tag('Venezuela'))).toMatchFileSnapshot(`./__snapshots__/tag-venezuela.${FEED_FILES[format]}`);
      });
    }
  });

  it('gives each format its media type with a UTF-8 charset', () => {
    expect(FEED_CONTENT_TYPES).toEqual({
      rss: 'application/rss+xml; charset=utf-8',
      atom: 'application/atom+xml; charset=utf-8',
      json: 'application/feed+json; charset=utf-8',
    });
  });

  it('renders the same bytes whatever the clock says', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const first = renderAll(sampleArticles());
    vi.setSystemTime(new Date('2031-06-15T12:00:00Z'));
    expect(renderAll(sampleArticles())).toEqual(first);
    expect(JSON.stringify(first)).not.toMatch(/2030|2031/);
  });

  describe('RSS 2.0', () => {
    it('links to itself with atom:link rel="self", the URL of that document', () => {
      const site = render(sampleArticles(), 'rss');
      expect(site).toContain('<atom:link href="http://feeds.example/rss.xml" rel="self" type="application/rss+xml"/>');
      expect(site).toContain('xmlns:atom="http://www.w3.org/2005/Atom"');
      const tagged = render(sampleArticles(), 'rss', tag('España'));
      expect(all(tagged, /<atom:link href="([^"]*)" rel="self"/g)).toEqual(['http://feeds.example/tags/espana/rss.xml']);
    });

    it('gives each item its permalink as link and as guid with isPermaLink="true"', () => {
      const xml = render(sampleArticles(), 'rss');
      const permalinks = [
        'http://feeds.example/articles/venezuela-relations',
        'http://feeds.example/articles/a%C3%B1o%20nuevo',
        'http://feeds.example/articles/markdown-notes',
      ];
      expect(all(xml, /<link>([^<]*)<\/link>/g).slice(1)).toEqual(permalinks);
      expect(all(xml, /<guid isPermaLink="true">([^<]*)<\/guid>/g)).toEqual(permalinks);
      expect(xml).not.toContain('isPermaLink="false"');
    });

    it('carries the channel description, pubDate, summary, full HTML and one category per tag', () => {
      const xml = render(sampleArticles(), 'rss');
      expect(xml).toContain('<description>Articles for the tests</description>');
      expect(xml).toContain('<lastBuildDate>Thu, 02 May 2024 10:00:00 GMT</lastBuildDate>');
      expect(all(xml, /<pubDate>([^<]*)<\/pubDate>/g)).toEqual([
        'Wed, 01 May 2024 09:30:00 GMT',
        'Tue, 30 Apr 2024 08:00:00 GMT',
        'Mon, 29 Apr 2024 07:00:00 GMT',
      ]);
      // The summary is plain text, written as HTML whose text it is (src/feeds/rss-text.ts).
      expect(xml).toContain('<description>A summary with &amp;lt;angle brackets&amp;gt; &amp;amp; an ampersand.</description>');
      expect(xml).toContain('<content:encoded><![CDATA[<p><strong>Bold</strong> text and a list.</p>');
      expect(all(xml, /<category>([^<]*)<\/category>/g)).toEqual([
        'Venezuela',
        'UnitedStates',
        'DiplomaticRelations',
        'España',
        '日本',
        'Venezuela',
        'Markdown',
      ]);
    });

    it('names authors with dc:creator, since RSS <author> must be an e-mail address', () => {
      const xml = render(sampleArticles(), 'rss');
      expect(xml).not.toMatch(/<author>/);
      expect(all(xml, /<dc:creator>([^<]*)<\/dc:creator>/g)).toEqual(['Test Author', 'Maria Keller', 'Test Author']);
      expect(xml).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    });

    it('declares the dc namespace even when no item has a body', async () => {
      const xml = render([createArticle({ contentHtml: '' })], 'rss');
      expect(await xmlProblems(xml)).toBe('');
      expect(xml).toContain('xmlns:dc="http://purl.org/dc/elements/1.1/"');
    });

    it('is read by feedparser as RSS 2.0 with the permalink as id', async () => {
      const parsed = await feedparse(render(sampleArticles(), 'rss'));
      expect(parsed.bozo).toBe(false);
      expect(parsed.version).toBe('rss20');
      expect(parsed.entries[0]).toMatchObject({
        id: 'http://feeds.example/articles/venezuela-relations',
        link: 'http://feeds.example/articles/venezuela-relations',
        title: 'Venezuela restores diplomatic relations',
        published: '2024-05-01T09:30:00Z',
      });
      expect(parsed.feed.links).toContainEqual({ rel: 'self', href: 'http://feeds.example/rss.xml', type: 'application/rss+xml' });
    });
  });

  describe('Atom 1.0', () => {
    it('links to itself with rel="self" and to the HTML page with rel="alternate"', () => {
      const site = render(sampleArticles(), 'atom');
      expect(site).toContain('<link rel="self" href="http://feeds.example/atom.xml"/>');
      expect(site).toContain('<link rel="alternate" href="http://feeds.example/"/>');
      const tagged = render(sampleArticles(), 'atom', tag('España'));
      expect(tagged).toContain('<link rel="self" href="http://feeds.example/tags/espana/atom.xml"/>');
      expect(tagged).toContain('<link rel="alternate" href="http://feeds.example/tags/espana"/>');
    });

    it('writes titles and summaries as plain text and content as HTML', () => {
      const xml = render(sampleArticles(), 'atom');
      expect(all(xml, /<title type="([^"]*)"/g)).toEqual(['text', 'text', 'text']);
      expect(all(xml, /<summary type="([^"]*)"/g)).toEqual(['text', 'text', 'text']);
      expect(all(xml, /<content type="([^"]*)"/g)).toEqual(['html', 'html', 'html']);
      expect(xml).toContain('<title type="text">Is 1 &lt; 2 &amp; "quotes"?</title>');
      expect(xml).not.toContain('type="html"><![CDATA[Is 1');
    });

    it('gives each entry its permalink as id, whatever else changes', () => {
      const before = render([createArticle({ id: 'stable' })], 'atom');
      const after = render([createArticle({ id: 'stable', title: 'New title', date: new Date('2025-01-01T00:00:00Z') })], 'atom');
      const ids = (xml: string) => all(xml, /<entry>\s*<title[^>]*>[^<]*<\/title>\s*<id>([^<]*)<\/id>/g);
      expect(ids(before)).toEqual(['http://feeds.example/articles/stable']);
      expect(ids(after)).toEqual(ids(before));
    });

    it('has published and updated dates, the feed updated at the newest change', () => {
      const xml = render(sampleArticles(), 'atom');
      expect(all(xml, /<published>([^<]*)<\/published>/g)).toEqual([
        '2024-05-01T09:30:00.000Z',
        '2024-04-30T08:00:00.000Z',
        '2024-04-29T07:00:00.000Z',
      ]);
      expect(all(xml, /<updated>([^<]*)<\/updated>/g)).toEqual([
        '2024-05-02T10:00:00.000Z',
        '2024-05-02T10:00:00.000Z',
        '2024-04-30T08:00:00.000Z',
        '2024-04-29T07:00:00.000Z',
      ]);
    });

    it('writes categories with the normalised key as term and the display form as label', () => {
      const xml = render(sampleArticles(), 'atom');
      expect(xml).toContain('<category label="España" term="espana"/>');
      expect(xml).toContain('<category label="日本" term="日本"/>');
    });

    it('names an author on the feed and on every entry', () => {
      const xml = render(sampleArticles(), 'atom');
      expect(all(xml, /<name>([^<]*)<\/name>/g)).toEqual(['Test Author', 'Test Author', 'Maria Keller', 'Test Author']);
    });

    it('is valid against the RFC 4287 schema, for the site and for a tag', async () => {
      expect(await atomSchemaProblems(render(sampleArticles(), 'atom'))).toBe('');
      expect(await atomSchemaProblems(render(sampleArticles(), 'atom', tag('日本')))).toBe('');
      expect(await atomSchemaProblems(render([], 'atom'))).toBe('');
    });
  });

  describe('JSON Feed 1.1', () => {
    const parse = (articles: Article[], feedTag?: Tag) => JSON.parse(render(articles, 'json', feedTag)) as JsonFeed;

    it('has the 1.1 top-level fields', () => {
      const feed = parse(sampleArticles());
      expect(feed).toMatchObject({
        version: 'https://jsonfeed.org/version/1.1',
        title: 'Tagfeeds test site',
        home_page_url: 'http://feeds.example/',
        feed_url: 'http://feeds.example/feed.json',
        description: 'Articles for the tests',
        authors: [{ name: 'Test Author' }],
        language: 'en',
      });
      expect(feed).not.toHaveProperty('author');
    });

    it('points a tag feed at the tag page and its own URL', () => {
      const feed = parse(sampleArticles(), tag('España'));
      expect(feed.home_page_url).toBe('http://feeds.example/tags/espana');
      expect(feed.feed_url).toBe('http://feeds.example/tags/espana/feed.json');
      expect(feed.title).toBe('Tagfeeds test site: #España');
    });

    it('gives every item id, url, title, content_html, summary, tags and both dates', () => {
      const [first, second] = parse(sampleArticles()).items;
      expect(first).toEqual({
        id: 'http://feeds.example/articles/venezuela-relations',
        url: 'http://feeds.example/articles/venezuela-relations',
        title: 'Venezuela restores diplomatic relations',
        content_html: '<p>The first paragraph of the article.</p>\n<p>The second paragraph.</p>',
        summary: 'The first paragraph of the article.',
        date_published: '2024-05-01T09:30:00.000Z',
        date_modified: '2024-05-02T10:00:00.000Z',
        authors: [{ name: 'Test Author' }],
        tags: ['Venezuela', 'UnitedStates', 'DiplomaticRelations'],
      });
      expect(second).toMatchObject({ title: 'Is 1 < 2 & "quotes"?', authors: [{ name: 'Maria Keller' }], tags: ['España', '日本', 'Venezuela'] });
      for (const item of parse(sampleArticles()).items) expect(item).not.toHaveProperty('author');
    });

    it('keeps the summary of an item with an empty body', () => {
      const [item] = parse([createArticle({ contentHtml: '', summary: 'Only a summary' })]).items;
      expect(item!.summary).toBe('Only a summary');
      expect(item!.content_html).toBe('');
    });

    it('renders an empty feed with no items', () => {
      expect(parse([]).items).toEqual([]);
    });
  });

  describe('all three formats', () => {
    it('carry the same items, titles, links, dates and tags, as feedparser reads them', async () => {
      await expectSameFeed(renderAll(sampleArticles()));
      await expectSameFeed(renderAll(sampleArticles().slice(1), tag('España')));
    });

    it('deliver a < in a title to the reader as <, never as markup', async () => {
      const title = '<b>not bold</b> & 1 < 2 > 0 &amp; &lt;';
      const { json, rss, atom } = await expectSameFeed(renderAll([createArticle({ title, summary: title })]));
      expect(json.items[0]!.title).toBe(title);
      expect(rss.entries[0]!.title).toBe(title);
      expect(atom.entries[0]!.title).toBe(title);
      expect(atom.entries[0]!.summary).toBe(title);
    });

    it('stay well-formed with characters XML forbids and several ]]>', async () => {
      const nasty = 'a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg\uFFFEh\uFFFFi\uD800j\uDFFFk ]]> ]]> ]]]]> <![CDATA[ x';
      const clean = 'abcdefghijk ]]> ]]> ]]]]> <![CDATA[ x';
      // The body is HTML: a raw `<![CDATA[` in it would be HTML markup, so it holds the rest.
      const body = nasty.replace('<![CDATA[', '');
      const article = createArticle({
        title: nasty,
        summary: nasty,
        contentHtml: `<p>${body}</p>`,
        author: `Au${'\u0002'}thor ]]>`,
      });
      const bodies = renderAll([article], undefined, createSite({ title: `Site\u0003 ]]>`, description: `Desc\uFFFF` }));
      const { json, rss, atom } = await expectSameFeed(bodies);
      expect(json.items[0]!.title).toBe(clean);
      expect(json.items[0]!.summary).toBe(clean);
      const cleanBody = clean.replace('<![CDATA[', '');
      expect(json.items[0]!.content_html).toBe(`<p>${cleanBody}</p>`);
      expect(rss.entries[0]!.content[0]).toBe(`<p>${cleanBody}</p>`);
      expect(atom.entries[0]!.content[0]).toBe(`<p>${cleanBody}</p>`);
      expect(atom.entries[0]!.summary).toBe(clean);
      expect(json.title).toBe('Site ]]>');
    });

    it('keep tabs, newlines, emoji, right-to-left text and pairs of surrogates', async () => {
      const title = 'Emoji 😀👍🏽 مرحبا עברית\tTab';
      const { json, rss, atom } = await expectSameFeed(renderAll([createArticle({ title, contentHtml: '<p>line\nbreak 😀</p>' })]));
      expect(json.items[0]!.title).toBe(title);
      expect(rss.entries[0]!.title).toBe(title);
      expect(atom.entries[0]!.title).toBe(title);
      expect(atom.entries[0]!.content[0]).toBe('<p>line\nbreak 😀</p>');
    });

    it('keep text that looks like an entity as text, in every format', async () => {
      const site = createSite({ title: 'Site &amp; Co', author: 'Ann &amp; Bob' });
      const article = createArticle({ title: 'AT&amp;T &lt;3', author: 'Tom &amp; Jerry &#38;' });
      const { json, rss, atom } = await expectSameFeed(renderAll([article], undefined, site));
      expect(json.title).toBe('Site &amp; Co');
      expect(json.items[0]!.authors).toEqual([{ name: 'Tom &amp; Jerry &#38;' }]);
      expect(rss.feed.title).toBe('Site &amp; Co');
      expect(atom.feed.title).toBe('Site &amp; Co');
      expect(atom.entries[0]!.title).toBe('AT&amp;T &lt;3');
      const names = all(render([article], 'atom', undefined, site), /<name>([^<]*)<\/name>/g);
      expect(names).toEqual(['Ann &amp;amp; Bob', 'Tom &amp;amp; Jerry &amp;#38;']);
    });

    it('stay well-formed when an HTML body holds Atom or RSS markup of its own', async () => {
      const markup =
        '<title type="html"><![CDATA[not a title]]></title><summary type="html"><![CDATA[x]]></summary><title><![CDATA[nor this]]></title><description><![CDATA[y]]></description>';
      const articles = [createArticle({ id: 'a', format: 'markdown', contentHtml: markup }), createArticle({ id: 'b', title: 'Second' })];
      const { json, rss, atom } = await expectSameFeed(renderAll(articles));
      expect(json.items.map((i) => i.title)).toEqual(['Venezuela restores diplomatic relations', 'Second']);
      expect(json.items[0]!.content_html).toBe(markup);
      expect(atom.entries).toHaveLength(2);
      expect(rss.entries.map((e) => e.title)).toEqual(['Venezuela restores diplomatic relations', 'Second']);
    });

    it('say LF wherever an article says CR or CRLF, as XML readers do', async () => {
      const { json, rss, atom } = await expectSameFeed(renderAll([createArticle({ title: 'one\rtwo\r\nthree', author: 'A\rB' })]));
      expect(json.items[0]!.title).toBe('one\ntwo\nthree');
      expect(rss.entries[0]!.title).toBe('one\ntwo\nthree');
      expect(atom.entries[0]!.title).toBe('one\ntwo\nthree');
      expect(json.items[0]!.authors).toEqual([{ name: 'A\nB' }]);
    });

    it('render an item with no tags and an empty body', async () => {
      const { json, rss, atom } = await expectSameFeed(renderAll([createArticle({ tags: [], contentHtml: '', summary: '' })]));
      expect(json.items[0]!.tags ?? []).toEqual([]);
      expect(rss.entries[0]!.tags).toEqual([]);
      expect(atom.entries[0]!.tags).toEqual([]);
    });
  });
});
