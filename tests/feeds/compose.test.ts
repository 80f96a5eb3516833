import { LRUCache } from 'lru-cache';
import { describe, expect, it, vi } from 'vitest';
import { buildFeed } from '../../src/feeds/build.ts';
import { FeedComposer } from '../../src/feeds/compose.ts';
import { renderFeed } from '../../src/feeds/render.ts';
import { FEED_FORMATS } from '../../src/feeds/types.ts';
import type { Article } from '../../src/articles/types.ts';
import { createArticle, createSite, metas, tag } from '../support/factory.ts';

const site = createSite();
const day = (n: number) => new Date(Date.UTC(2024, 4, n, 9));
const articles = Array.from({ length: 6 }, (_, i) =>
  createArticle({ id: `a${i}`, title: `Article ${i}`, date: day(20 - i), contentHtml: `<p>Body ${i} ]]> &amp; more</p>`, tags: i % 2 ? ['Odd', 'All'] : ['Even', 'All'] }),
);
const docOf = (chosen: Article[], label?: string) => buildFeed(site, metas(chosen), chosen.map((a) => a.contentHtml), label ? tag(label) : undefined);

describe('FeedComposer', () => {
  it('writes the bytes renderFeed writes, in every format', () => {
    const composer = new FeedComposer();
    for (const doc of [docOf(articles), docOf(articles.slice(0, 1), 'All'), docOf([], 'None')]) {
      for (const format of FEED_FORMATS) expect(composer.render(doc, format).toString('utf8')).toBe(renderFeed(doc, format));
    }
  });

  it('renders an item once per format, whichever feeds it appears in', () => {
    const composer = new FeedComposer();
    const feeds = [docOf(articles), docOf(articles.filter((_, i) => i % 2), 'Odd'), docOf(articles.filter((_, i) => i % 2 === 0), 'Even'), docOf(articles, 'All')];
    for (const doc of feeds) composer.render(doc, 'rss');
    expect(composer.itemsRendered).toBe(6);
    for (const doc of feeds) expect(composer.render(doc, 'rss').toString('utf8')).toBe(renderFeed(doc, 'rss'));
  });

  it('renders an item again when the article changed under the same permalink', () => {
    const composer = new FeedComposer();
    composer.render(docOf(articles), 'atom');
    const changed = articles.map((a, i) => (i === 3 ? { ...a, title: 'Rewritten', contentHtml: '<p>New body</p>' } : a));
    const out = composer.render(docOf(changed), 'atom').toString('utf8');
    expect(out).toBe(renderFeed(docOf(changed), 'atom'));
    expect(out).toContain('Rewritten');
    expect(out).not.toContain('Body 3');
  });

  it('declares what an item with a body needs even when the first item writes none', () => {
    // A body of forbidden characters only is written as no body at all.
    const chosen = [{ ...articles[0]!, contentHtml: '\u0000\u0001' }, articles[1]!];
    const doc = docOf(chosen);
    const rss = new FeedComposer().render(doc, 'rss').toString('utf8');
    expect(rss).toBe(renderFeed(doc, 'rss'));
    expect(rss).toContain('xmlns:content=');
  });

  it('writes the same bytes when a body holds what an item boundary looks like', () => {
    const composer = new FeedComposer();
    const tricky = articles.map((a, i) => (i === 2 ? { ...a, contentHtml: '<pre>\n        <item>\n    <entry></item></entry></pre>' } : a));
    for (const format of FEED_FORMATS) expect(composer.render(docOf(tricky), format).toString('utf8')).toBe(renderFeed(docOf(tricky), format));
  });

  it('keeps no more rendered items than its bound', () => {
    const composer = new FeedComposer(4096);
    const big = articles.map((a) => ({ ...a, contentHtml: `<p>${'x'.repeat(1500)}</p>` }));
    composer.render(docOf(big), 'json');
    expect(composer.bytes).toBeGreaterThan(0);
    expect(composer.bytes).toBeLessThanOrEqual(4096);
  });

  it('with a bound of 0 keeps no item and still writes the same bytes', () => {
    const composer = new FeedComposer(0);
    const doc = docOf(articles);
    const first = composer.render(doc, 'rss');
    const rendered = composer.itemsRendered;
    expect(rendered).toBe(doc.items.length);
    expect(composer.bytes).toBe(0);
    expect(composer.render(doc, 'rss').equals(first)).toBe(true);
    expect(composer.itemsRendered).toBe(2 * rendered);
    expect(first.equals(new FeedComposer().render(doc, 'rss'))).toBe(true);
  });

  it('holds no more bytes than its bound when items are rendered in every format', () => {
    // The bytes are summed from the entries themselves: the cache's own count is only what it was told.
    const set = vi.spyOn(LRUCache.prototype, 'set');
    const maxBytes = 64 * 1024;
    const composer = new FeedComposer(maxBytes);
    const many = Array.from({ length: 200 }, (_, i) =>
      createArticle({ id: `m${i}`, title: `Many ${i}`, date: day(1 + (i % 28)), contentHtml: `<p>${`Body ${i} `.repeat(150)}</p>` }),
    );
    for (let start = 0; start < many.length; start += 10) {
      const doc = docOf(many.slice(start, start + 10));
      for (const format of FEED_FORMATS) expect(composer.render(doc, format).toString('utf8')).toBe(renderFeed(doc, format));
    }
    const caches = new Set(set.mock.contexts as unknown as LRUCache<string, { bytes: Record<string, Buffer> }>[]);
    set.mockRestore();
    expect(caches.size).toBe(1);
    const [cache] = [...caches];
    let held = 0;
    for (const entry of cache!.values()) held += Object.values(entry.bytes).reduce((n, b) => n + b.length, 0);
    expect(held).toBeGreaterThan(maxBytes / 2);
    expect(held).toBeLessThanOrEqual(maxBytes);
  });
});
