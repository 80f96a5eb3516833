import { describe, expect, it } from 'vitest';
import { buildFeed } from '../../src/feeds/build.ts';
import { cutFeed, ITEM_SEPARATORS } from '../../src/feeds/cut.ts';
import { renderFeed } from '../../src/feeds/render.ts';
import { FEED_FORMATS } from '../../src/feeds/types.ts';
import { createArticle, createSite, metas } from '../support/factory.ts';

const site = createSite();
const articles = (bodies: string[]) =>
  bodies.map((body, i) => createArticle({ id: `a${i}`, title: `Article ${i}`, date: new Date(Date.UTC(2024, 4, 20 - i)), contentHtml: body, tags: ['One', 'Two'] }));
const render = (bodies: string[], format: (typeof FEED_FORMATS)[number]) => {
  const list = articles(bodies);
  return renderFeed(buildFeed(site, metas(list), list.map((a) => a.contentHtml)), format);
};

describe('cutFeed', () => {
  it('cuts a feed into its frame and items that put it back together, in every format', () => {
    for (const format of FEED_FORMATS) {
      const text = render(['<p>one</p>', '<p>two</p>', '', '<p>four</p>'], format);
      const cut = cutFeed(text, format, 4)!;
      expect(cut.items).toHaveLength(4);
      expect(cut.head + cut.items.join(ITEM_SEPARATORS[format]) + cut.foot).toBe(text);
      for (const [i, item] of cut.items.entries()) expect(item).toContain(`Article ${i}`);
    }
  });

  it('refuses a feed of several items whose bodies hold what an item boundary looks like', () => {
    expect(cutFeed(render(['<pre>\n        <item></pre>', '<p>two</p>'], 'rss'), 'rss', 2)).toBeUndefined();
    expect(cutFeed(render(['<p>two</p>', '<code></entry></code>'], 'atom'), 'atom', 2)).toBeUndefined();
  });

  it('always cuts a feed of one item, whatever its body holds', () => {
    for (const format of FEED_FORMATS) {
      const text = render(['</item></entry>\n        <item>\n    <entry>\n    },\n    {'], format);
      const cut = cutFeed(text, format, 1)!;
      expect(cut.head + cut.items[0] + cut.foot).toBe(text);
      expect(cut.items[0]).toContain('Article 0');
    }
  });
});
