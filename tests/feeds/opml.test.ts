import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { ArticleIndex } from '../../src/articles/article-index.ts';
import { renderOpml } from '../../src/feeds/opml.ts';
import { createArticle, createSite, metas } from '../support/factory.ts';
import { xmlProblems } from '../support/readers.ts';

function tagsOf(...tagLists: string[][]) {
  const index = new ArticleIndex({ now: () => Date.parse('2030-01-01T00:00:00Z') });
  index.bulkLoad(metas(tagLists.map((tags, i) => createArticle({ id: `a${i}`, tags, date: new Date(Date.UTC(2024, 0, 10 - i)) }))));
  return index.tags();
}

describe('renderOpml', () => {
  it('lists the site feed, then one outline per tag with its RSS feed and page', async () => {
    const xml = renderOpml(createSite(), tagsOf(['Venezuela', 'España'], ['venezuela', '日本']), new Date('2024-05-01T09:30:00Z'));
    expect(await xmlProblems(xml)).toBe('');
    const opml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    expect(opml.opml.version).toBe('2.0');
    expect(opml.opml.head.dateModified).toBe('Wed, 01 May 2024 09:30:00 GMT');
    const [site, group] = opml.opml.body.outline;
    expect(site).toMatchObject({ type: 'rss', xmlUrl: 'http://feeds.example/rss.xml', htmlUrl: 'http://feeds.example/' });
    expect(group.outline.map((o: Record<string, string>) => [o.text, o.xmlUrl, o.htmlUrl])).toEqual([
      ['Tagfeeds test site: #Venezuela', 'http://feeds.example/tags/venezuela/rss.xml', 'http://feeds.example/tags/venezuela'],
      ['Tagfeeds test site: #España', 'http://feeds.example/tags/espana/rss.xml', 'http://feeds.example/tags/espana'],
      ['Tagfeeds test site: #日本', 'http://feeds.example/tags/%E6%97%A5%E6%9C%AC/rss.xml', 'http://feeds.example/tags/%E6%97%A5%E6%9C%AC'],
    ]);
  });

  it('escapes the site title in attributes and drops characters XML forbids', async () => {
    const xml = renderOpml(createSite({ title: 'A "quoted" <site> & co\u0001' }), tagsOf(['Oil']), new Date(0));
    expect(await xmlProblems(xml)).toBe('');
    const opml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    expect(opml.opml.body.outline[0].text).toBe('A "quoted" <site> & co');
  });
});
