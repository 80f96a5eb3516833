import { describe, expect, it } from 'vitest';
import { buildFeed, latestUpdate } from '../../src/feeds/build.ts';
import { createArticle, createSite, metas, tag } from '../support/factory.ts';

describe('buildFeed', () => {
  const articles = () => [
    createArticle({ id: 'b', date: new Date('2024-05-02T00:00:00Z'), updated: new Date('2024-05-03T00:00:00Z'), author: 'Ana' }),
    createArticle({ id: 'a b/c', date: new Date('2024-05-01T00:00:00Z'), tags: ['España'] }),
  ];

  it('builds the site feed with one item per article, in the order given', () => {
    const list = articles();
    const doc = buildFeed(createSite(), metas(list), ['<p>B</p>', '<p>A</p>']);
    expect(doc).toMatchObject({
      title: 'Tagfeeds test site',
      description: 'Articles for the tests',
      language: 'en',
      author: 'Test Author',
      homeUrl: 'http://feeds.example/',
      selfUrls: { rss: 'http://feeds.example/rss.xml', atom: 'http://feeds.example/atom.xml', json: 'http://feeds.example/feed.json' },
      updated: new Date('2024-05-03T00:00:00Z'),
    });
    expect(doc.items.map((i) => [i.url, i.contentHtml, i.author])).toEqual([
      ['http://feeds.example/articles/b', '<p>B</p>', 'Ana'],
      ['http://feeds.example/articles/a%20b%2Fc', '<p>A</p>', undefined],
    ]);
    expect(doc.items[1]!.tags).toEqual([{ key: 'espana', label: 'España' }]);
  });

  it('builds a tag feed titled with the tag as written, at the tag URLs', () => {
    const doc = buildFeed(createSite(), metas(articles()), ['', ''], tag('España'));
    expect(doc.title).toBe('Tagfeeds test site: #España');
    expect(doc.description).toBe('Articles tagged #España on Tagfeeds test site');
    expect(doc.homeUrl).toBe('http://feeds.example/tags/espana');
    expect(doc.selfUrls.atom).toBe('http://feeds.example/tags/espana/atom.xml');
  });

  it('builds absolute URLs under a base URL with a path', () => {
    const doc = buildFeed(createSite({ baseUrl: 'https://example.org/news/' }), metas(articles()), ['', ''], tag('日本'));
    expect(doc.selfUrls.rss).toBe('https://example.org/news/tags/%E6%97%A5%E6%9C%AC/rss.xml');
    expect(doc.items[0]!.url).toBe('https://example.org/news/articles/b');
  });
});

describe('latestUpdate', () => {
  it('gives the newest updated date, and the epoch for no articles', () => {
    expect(latestUpdate(metas(articlesAt('2024-01-01', '2024-03-01', '2024-02-01')))).toEqual(new Date('2024-03-01T00:00:00Z'));
    expect(latestUpdate([])).toEqual(new Date(0));
  });
});

function articlesAt(...days: string[]) {
  return days.map((d, i) => createArticle({ id: String(i), date: new Date(`${d}T00:00:00Z`) }));
}
