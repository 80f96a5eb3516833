/**
 * The hand-written renderer (src/feeds/render.ts) against the one it replaced, `feed` 6.0.0 through
 * tests/support/feed-oracle.ts, on the real fixture files: the site's feed and every tag's, in every
 * format, byte for byte. Arbitrary hostile feeds are compared in tests/property/feeds.property.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseArticle } from '../../src/articles/parse.ts';
import type { Article, Tag } from '../../src/articles/types.ts';
import { buildFeed } from '../../src/feeds/build.ts';
import { FeedComposer } from '../../src/feeds/compose.ts';
import { renderFeed } from '../../src/feeds/render.ts';
import { FEED_FORMATS } from '../../src/feeds/types.ts';
import { createSite, FIXTURES, fileInfo, metas } from '../support/factory.ts';
import { renderWithFeed } from '../support/feed-oracle.ts';

function fixtureArticles(): Article[] {
  const articles: Article[] = [];
  for (const name of readdirSync(FIXTURES.valid).sort()) {
    const parsed = parseArticle(readFileSync(join(FIXTURES.valid, name)), fileInfo(name));
    if (parsed.ok) articles.push(parsed.article);
  }
  return articles.sort((a, b) => b.date.getTime() - a.date.getTime());
}

describe('renderFeed', () => {
  it('writes the fixture articles byte for byte as feed 6.0.0 did, for the site and every tag', () => {
    const articles = fixtureArticles();
    expect(articles.length).toBeGreaterThan(5);
    const site = createSite({ hubs: ['https://hub.example/?a=1&b=2'] });
    const tags = new Map<string, Tag>(articles.flatMap((a) => a.tags.map((t) => [t.key, t] as const)));
    const feeds = [undefined, ...tags.values()].map((tag) => {
      const chosen = tag ? articles.filter((a) => a.tags.some((t) => t.key === tag.key)) : articles;
      return buildFeed(site, metas(chosen), chosen.map((a) => a.contentHtml), tag);
    });
    expect(feeds.length).toBeGreaterThan(3);
    const composer = new FeedComposer();
    for (const doc of feeds) {
      for (const format of FEED_FORMATS) {
        const oracle = renderWithFeed(doc, format);
        expect(renderFeed(doc, format)).toBe(oracle);
        expect(composer.render(doc, format).toString('utf8')).toBe(oracle);
      }
    }
  });

  it('writes an empty feed byte for byte as feed 6.0.0 did', () => {
    const doc = buildFeed(createSite(), [], []);
    for (const format of FEED_FORMATS) expect(renderFeed(doc, format)).toBe(renderWithFeed(doc, format));
  });

  it("keeps a body's text that looks like an Atom enclosure link as written, which the old renderer rewrote", () => {
    // The one place where the bytes differ from feed 6.0.0's on purpose: the old renderer fixed the
    // enclosure types with a pattern over the whole document, which also matched such text in a body.
    const body = '<pre>\n        <link rel="enclosure" href="x.mp3" type="image/mp3"</pre>';
    const [article] = [{ ...fixtureArticles()[0]!, contentHtml: body }];
    const doc = buildFeed(createSite(), metas([article!]), [body]);
    expect(renderFeed(doc, 'atom')).toContain(body);
    expect(renderWithFeed(doc, 'atom')).not.toContain(body);
  });
});
