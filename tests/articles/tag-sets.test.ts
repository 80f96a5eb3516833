import { describe, expect, it } from 'vitest';
import { ArticleIndex, compareArticles } from '../../src/articles/article-index.ts';
import { combineTags, intersectTagged, parseCombination, unionTagged } from '../../src/articles/tag-sets.ts';
import type { ArticleMeta } from '../../src/articles/types.ts';
import { createArticle, metas } from '../support/factory.ts';

/** 1,000 articles, one a minute: `even` on even i, `three` on multiples of 3, `rare` on multiples of 250. */
function indexed(): { index: ArticleIndex; all: ArticleMeta[] } {
  const articles = Array.from({ length: 1000 }, (_, i) => {
    const tags = [...(i % 2 === 0 ? ['even'] : []), ...(i % 3 === 0 ? ['three'] : []), ...(i % 250 === 0 ? ['rare'] : [])];
    return createArticle({ id: `a${String(i).padStart(4, '0')}`, date: new Date(Date.UTC(2024, 0, 1, 0, i)), tags });
  });
  const index = new ArticleIndex();
  index.bulkLoad(metas(articles));
  return { index, all: index.latest(1000) };
}

const has = (a: ArticleMeta, key: string) => a.tags.some((t) => t.key === key);

describe('intersectTagged', () => {
  it('gives the newest articles that carry every tag, newest first, as a scan of the corpus would', () => {
    const { index, all } = indexed();
    const got = combineTags(index, ['even', 'three'], 'and', 20)!.articles;
    expect(got).toEqual(all.filter((a) => has(a, 'even') && has(a, 'three')).slice(0, 20));
  });

  it('walks the shortest list and stops once it has enough', () => {
    const { index } = indexed();
    const lists = ['even', 'three', 'rare'].map((key) => ({ key, articles: index.tagList(key)!.articles }));
    let reads = 0;
    const counting = {
      get(target: ArticleMeta[], property: string | symbol, receiver: unknown) {
        if (typeof property === 'string' && /^\d+$/u.test(property)) reads++;
        return Reflect.get(target, property, receiver);
      },
    };
    const counted = lists.map((l) => ({ key: l.key, articles: new Proxy(l.articles as ArticleMeta[], counting) }));
    const got = intersectTagged(counted, 1);
    expect(got.map((a) => a.id)).toEqual(['a0750']);
    // rare has 4 articles and its newest (750) is even and a multiple of 3: one read is enough.
    expect(reads).toBeLessThanOrEqual(2);
  });

  it('is empty when no article carries every tag', () => {
    expect(intersectTagged([{ key: 'x', articles: [] }, { key: 'y', articles: [] }], 10)).toEqual([]);
  });
});

describe('unionTagged', () => {
  it('merges the lists newest first, each article once, up to the limit', () => {
    const { index, all } = indexed();
    const got = unionTagged([index.tagList('three')!.articles, index.tagList('even')!.articles], 50);
    expect(got).toEqual(all.filter((a) => has(a, 'even') || has(a, 'three')).slice(0, 50));
    expect([...got].sort(compareArticles)).toEqual(got);
  });
});

describe('combineTags', () => {
  it('is undefined for an AND naming a tag with no article, and for an OR of unknown tags only', () => {
    const { index } = indexed();
    expect(combineTags(index, ['even', 'nosuch'], 'and', 10)).toBeUndefined();
    expect(combineTags(index, ['nope', 'nosuch'], 'or', 10)).toBeUndefined();
    expect(combineTags(index, ['rare', 'nosuch'], 'or', 10)!.articles).toHaveLength(4);
  });
});

describe('parseCombination', () => {
  it('normalises, deduplicates and sorts the keys, and reads a single tag as no combination', () => {
    expect(parseCombination('B+a')).toEqual({ join: 'and', keys: ['a', 'b'] });
    expect(parseCombination('España,#espana,Zed')).toEqual({ join: 'or', keys: ['espana', 'zed'] });
    expect(parseCombination('alpha')).toBeUndefined();
  });

  it('names the problem of an empty part, more than four tags, or both joiners', () => {
    expect(parseCombination('a++b')).toEqual({ problem: expect.stringMatching(/empty/u) });
    expect(parseCombination('a+b+c+d+e')).toEqual({ problem: expect.stringMatching(/at most 4/u) });
    expect(parseCombination('a+b,c')).toEqual({ problem: expect.stringMatching(/not both/u) });
  });
});
