/** The site's feeds as WebSub topics, tag combinations among them. */
import { describe, expect, it } from 'vitest';
import { AUTHORS_SCOPE, SITE_SCOPE, TAGS_SCOPE, articleScope, authorScope, tagScope } from '../../src/articles/article-index.ts';
import { FeedTopics, feedsOfScopes } from '../../src/server/topics.ts';
import { SiteUrls } from '../../src/urls.ts';
import { BASE_URL, createArticle, createTestApp } from '../support/factory.ts';

const day = (n: number) => new Date(Date.UTC(2024, 0, n, 12));

function setup() {
  const test = createTestApp([
    createArticle({ id: 'a1', date: day(1), tags: ['Alpha', 'Beta'] }),
    createArticle({ id: 'a2', date: day(2), tags: ['Gamma'] }),
  ]);
  return { test, topics: new FeedTopics(test.site.urls, test.index, test.responses) };
}

describe('FeedTopics and tag combinations', () => {
  it('resolves every spelling of a combination to its canonical feed URL', () => {
    const { topics } = setup();
    expect(topics.resolve(`${BASE_URL}/tags/Beta+alpha/rss.xml`)).toEqual({ topic: `${BASE_URL}/tags/alpha+beta/rss.xml` });
    expect(topics.resolve(`${BASE_URL}/tags/gamma%2Calpha/feed.json`)).toEqual({ topic: `${BASE_URL}/tags/alpha,gamma/feed.json` });
    expect(topics.resolve(`${BASE_URL}/tags/alpha+nosuch/rss.xml`)).toHaveProperty('reason');
    expect(topics.resolve(`${BASE_URL}/tags/a+b+c+d+e/rss.xml`)).toHaveProperty('reason');
  });

  it('depends on the scope of each of its tags', () => {
    const { topics } = setup();
    expect(topics.scope(`${BASE_URL}/tags/alpha+beta/atom.xml`)).toEqual([tagScope('alpha'), tagScope('beta')]);
    expect(topics.scope(`${BASE_URL}/tags/alpha/atom.xml`)).toEqual([tagScope('alpha')]);
  });

  it('has a new version when an article it shows changes, as GET serves it', async () => {
    const { test, topics } = setup();
    const topic = `${BASE_URL}/tags/alpha+beta/feed.json`;
    const before = await topics.current(topic);
    expect(before!.etag).toBe((await test.app.request('/tags/alpha+beta/feed.json')).headers.get('etag'));
    const scopes: string[] = [];
    test.index.onChange((s) => scopes.push(...s));
    test.upsert(createArticle({ id: 'a1', title: 'Retitled', date: day(1), tags: ['Alpha', 'Beta'] }));
    expect(topics.scope(topic).some((s) => scopes.includes(s))).toBe(true);
    const after = await topics.current(topic);
    expect(after!.etag).not.toBe(before!.etag);
    expect(String(after!.body)).toContain('Retitled');
  });
});

describe('feedsOfScopes', () => {
  it('lists, in every format, the site, tag and author feeds a change can alter, and nothing for other scopes', () => {
    const urls = new SiteUrls(BASE_URL);
    const feeds = feedsOfScopes(urls, [SITE_SCOPE, TAGS_SCOPE, AUTHORS_SCOPE, tagScope('日本'), authorScope('ana-perez'), articleScope('x')]);
    const files = ['rss.xml', 'atom.xml', 'feed.json'];
    expect(feeds).toEqual([
      ...files.map((f) => `${BASE_URL}/${f}`),
      ...files.map((f) => `${BASE_URL}/tags/%E6%97%A5%E6%9C%AC/${f}`),
      ...files.map((f) => `${BASE_URL}/authors/ana-perez/${f}`),
    ]);
    // Each listed feed names the scope it came from, as the hub sees it.
    const topics = new FeedTopics(urls, createTestApp([]).index, createTestApp([]).responses);
    expect(feeds.map((f) => topics.scope(f)[0])).toEqual([SITE_SCOPE, SITE_SCOPE, SITE_SCOPE, tagScope('日本'), tagScope('日本'), tagScope('日本'), authorScope('ana-perez'), authorScope('ana-perez'), authorScope('ana-perez')]);
  });
});
