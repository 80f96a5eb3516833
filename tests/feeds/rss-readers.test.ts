/**
 * RSS titles and summaries that look like markup or entities, read back by three real clients: the
 * Universal Feed Parser, rss-parser and newsboat. RSS 2.0 cannot say "plain text", so this pins the
 * encoding chosen from what these clients were measured to do (scripts/measure-rss-titles.ts,
 * src/feeds/rss-text.ts): a title is text to all three, a description is HTML to all three.
 */
import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/articles/types.ts';
import { buildFeed } from '../../src/feeds/build.ts';
import { renderFeed } from '../../src/feeds/render.ts';
import { createArticle, createSite, metas } from '../support/factory.ts';
import { feedparse, hasNewsboat, newsboatItems, rssParserItems } from '../support/readers.ts';

/** Literal text that must reach readers as written. */
const LITERALS = ['AT&#38;T', '&amp;', '<b>', 'AT&T', 'a < b', '&bogus;', ']]>', 'Tom & Jerry', '</b> x'];

/** Text as HTML whose text it is: what an RSS description holds after XML parsing. */
const asHtml = (s: string) => s.replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));

const site = createSite();

function feedOf(titles: string[]): { xml: string; articles: Article[] } {
  // No body: newsboat shows content:encoded instead of the description when there is one.
  const articles = titles.map((t, i) =>
    createArticle({ id: `literal-${i}`, title: t, summary: t, contentHtml: '', date: new Date(Date.UTC(2024, 0, 1, 0, i)) }),
  );
  const xml = renderFeed(buildFeed(site, metas(articles), articles.map((a) => a.contentHtml)), 'rss');
  return { xml, articles };
}

describe('RSS titles and summaries that look like markup', { timeout: 60_000 }, () => {
  const { xml, articles } = feedOf(LITERALS);
  const link = (a: Article) => site.urls.article(a.id);

  it('are read as written by the Universal Feed Parser', async () => {
    const parsed = await feedparse(xml);
    expect(parsed.bozo, `${parsed.bozo_exception}`).toBe(false);
    const byLink = new Map(parsed.entries.map((e) => [e.link, e]));
    for (const a of articles) {
      const entry = byLink.get(link(a))!;
      expect(entry.title, 'title').toBe(a.title);
      // feedparser hands the summary over as HTML; its text is the literal.
      expect(entry.summary_text, 'summary').toBe(a.summary);
    }
  });

  it('are read as written by rss-parser', async () => {
    const items = await rssParserItems(xml);
    for (const a of articles) {
      const item = items.get(link(a))!;
      expect(item.title, 'title').toBe(a.title);
      // `content` is the description as it came (HTML); `contentSnippet` is rss-parser's text of it.
      expect(item.summary, 'description').toBe(asHtml(a.summary));
      expect(item.summaryText, 'summary').toBe(a.summary);
    }
  });

  it.skipIf(!hasNewsboat())('are read as written by newsboat (skipped when newsboat is not installed: scripts/test-tools.sh installs it)', async () => {
    const items = await newsboatItems(xml);
    for (const a of articles) {
      const item = items.get(link(a))!;
      // Its item list shows an RSS title verbatim.
      expect(item.title, 'title').toBe(a.title);
      // It keeps the description as HTML and renders it when the article is opened, which then shows
      // the literal (measured on its screen by scripts/measure-rss-titles.ts, through tmux).
      expect(item.summary, 'description').toBe(asHtml(a.summary));
    }
  });

  it("cannot reach feedparser as written when markup sits beside a bare & (it guesses the title is HTML)", async () => {
    // RSS cannot tell feedparser a title is text: it takes one with an entity reference or a closing
    // tag for HTML and sanitizes it, which writes the bare `&` as `&amp;`. Measured the same under CDATA,
    // escaping and character references (scripts/measure-rss-titles.ts); rss-parser and newsboat read it as written.
    const title = 'AT&T &amp; <b>';
    const { xml: one } = feedOf([title]);
    const [parsed, items] = await Promise.all([feedparse(one), rssParserItems(one)]);
    expect(parsed.entries[0]!.title).toBe('AT&amp;T &amp; <b>');
    expect(parsed.entries[0]!.summary_text).toBe(title);
    expect([...items.values()][0]!.title).toBe(title);
    if (hasNewsboat()) expect([...(await newsboatItems(one)).values()][0]!.title).toBe(title);
  });
});
