/** Author pages and feeds: `/authors/{slug}`, from the front-matter `author`. */
import { describe, expect, it } from 'vitest';
import { authorSlug } from '../../src/articles/authors.ts';
import { FeedTopics } from '../../src/server/topics.ts';
import { BASE_URL, createArticle, createTestApp } from '../support/factory.ts';
import { expectSameFeed, type JsonFeed } from '../support/feed-checks.ts';

const day = (n: number) => new Date(Date.UTC(2024, 0, n, 12));

function corpus() {
  return [
    createArticle({ id: 'p1', title: 'Old', date: day(1), author: 'Ana Pérez', tags: ['Alpha'] }),
    createArticle({ id: 'k1', title: 'Keller', date: day(2), author: 'Maria Keller', tags: ['Alpha'] }),
    createArticle({ id: 'p2', title: 'New', date: day(3), author: 'ana perez', tags: ['Beta'] }),
    createArticle({ id: 'n1', title: 'Nobody', date: day(4), tags: ['Beta'] }),
  ];
}

describe('authorSlug', () => {
  it('folds case and Latin diacritics, keeps other letters, and joins the rest with single dashes', () => {
    expect(authorSlug('Ana Pérez')).toBe('ana-perez');
    expect(authorSlug("  José O'Neil!! ")).toBe('jose-o-neil');
    expect(authorSlug('Ελένη Παππά')).toBe('ελένη-παππά');
    expect(authorSlug('山田 太郎')).toBe('山田-太郎');
    expect(authorSlug('!!!')).toBe('');
  });
});

describe('author pages and feeds', () => {
  it("links an article page to its author's page, whose JSON feed holds exactly that author's articles", async () => {
    const test = createTestApp(corpus());
    const article = await (await test.app.request('/articles/p2')).text();
    expect(article).toContain(`<a rel="author" href="${BASE_URL}/authors/ana-perez">ana perez</a>`);
    const page = await test.app.request('/authors/ana-perez');
    expect(page.status).toBe(200);
    const html = await page.text();
    // Two spellings with one slug are one author, named as the oldest article writes it.
    expect(html).toContain('<h1>Ana Pérez</h1>');
    expect(html).toContain(`<link rel="alternate" type="application/feed+json" title="${test.site.title}: Ana Pérez (JSON Feed)" href="${BASE_URL}/authors/ana-perez/feed.json">`);
    const json = (await (await test.app.request('/authors/ana-perez/feed.json')).json()) as JsonFeed;
    expect(json.items.map((i) => i.id)).toEqual([`${BASE_URL}/articles/p2`, `${BASE_URL}/articles/p1`]);
    expect(json.feed_url).toBe(`${BASE_URL}/authors/ana-perez/feed.json`);
    const bodies = {
      rss: await (await test.app.request('/authors/ana-perez/rss.xml')).text(),
      atom: await (await test.app.request('/authors/ana-perez/atom.xml')).text(),
      json: JSON.stringify(json),
    };
    await expectSameFeed(bodies);
  });

  it('reaches an author by any spelling of the name, and answers 404 for an unknown one', async () => {
    const test = createTestApp(corpus());
    expect((await test.app.request('/authors/Ana%20P%C3%A9rez/feed.json')).status).toBe(200);
    expect((await test.app.request('/authors/nobody')).status).toBe(404);
    expect((await test.app.request('/authors/---/rss.xml')).status).toBe(404);
  });

  it('lists the authors with their counts, and the OPML has an outline per author; articles without an author have none', async () => {
    const test = createTestApp(corpus());
    const list = await (await test.app.request('/authors')).text();
    expect(list).toContain(`<a href="${BASE_URL}/authors/ana-perez">Ana Pérez</a> (2)`);
    expect(list).toContain(`<a href="${BASE_URL}/authors/maria-keller">Maria Keller</a> (1)`);
    expect(list).toContain('2 authors');
    const opml = await (await test.app.request('/tags.opml')).text();
    expect(opml).toContain(`xmlUrl="${BASE_URL}/authors/ana-perez/rss.xml" htmlUrl="${BASE_URL}/authors/ana-perez"`);
    expect(opml).toContain(`xmlUrl="${BASE_URL}/authors/maria-keller/rss.xml"`);
    expect(await (await test.app.request('/articles/n1')).text()).not.toContain('rel="author"');
  });

  it("rebuilds an author's feed, the author list and the OPML when the author's articles change", async () => {
    const test = createTestApp(corpus());
    await test.app.request('/authors/maria-keller/feed.json');
    await test.app.request('/authors');
    await test.app.request('/tags.opml');
    test.upsert(createArticle({ id: 'k2', title: 'Keller again', date: day(5), author: 'Maria Keller', tags: ['Gamma'] }));
    const json = (await (await test.app.request('/authors/maria-keller/feed.json')).json()) as JsonFeed;
    expect(json.items.map((i) => i.title)).toEqual(['Keller again', 'Keller']);
    expect(await (await test.app.request('/authors')).text()).toContain('Maria Keller</a> (2)');
    test.upsert(createArticle({ id: 'z1', title: 'Zed', date: day(6), author: 'Zed Zed' }));
    expect(await (await test.app.request('/tags.opml')).text()).toContain('/authors/zed-zed/rss.xml');
  });

  it("is a WebSub topic under the author's scope", () => {
    const test = createTestApp(corpus());
    const topics = new FeedTopics(test.site.urls, test.index, test.responses);
    expect(topics.resolve(`${BASE_URL}/authors/Ana%20P%C3%A9rez/atom.xml`)).toEqual({ topic: `${BASE_URL}/authors/ana-perez/atom.xml` });
    expect(topics.scope(`${BASE_URL}/authors/ana-perez/atom.xml`)).toEqual(['author:ana-perez']);
    expect(topics.resolve(`${BASE_URL}/authors/nobody/atom.xml`)).toHaveProperty('reason');
  });
});
