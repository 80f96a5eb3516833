import { describe, expect, it } from 'vitest';
import { ArticleIndex, compareArticles, SITE_SCOPE, tagScope, TAGS_SCOPE } from '../../src/articles/article-index.ts';
import { toMeta } from '../../src/articles/types.ts';
import { createArticle, FIXED_DATE, type ArticleOverrides } from '../support/factory.ts';

const at = (iso: string) => new Date(iso);
const meta = (overrides: ArticleOverrides) => toMeta(createArticle(overrides));
const ids = (list: { id: string }[]) => list.map((a) => a.id);

function indexOf(...overrides: ArticleOverrides[]) {
  const index = new ArticleIndex({ now: () => FIXED_DATE.getTime() + 86400_000 });
  const warnings = index.bulkLoad(overrides.map(meta));
  return { index, warnings };
}

describe('compareArticles', () => {
  it('puts the newest first and orders equal dates by id, descending', () => {
    const list = [
      meta({ id: 'a', date: at('2024-01-01T00:00:00Z') }),
      meta({ id: 'b', date: at('2024-01-03T00:00:00Z') }),
      meta({ id: 'c', date: at('2024-01-01T00:00:00Z') }),
      meta({ id: 'd', date: at('2024-01-02T00:00:00Z') }),
    ];
    expect(ids(list.sort(compareArticles))).toEqual(['b', 'd', 'c', 'a']);
  });
});

describe('ArticleIndex', () => {
  it('lists articles newest first, equal dates by id descending, whatever the load order', () => {
    const articles: ArticleOverrides[] = [
      { id: '001', date: at('2024-01-01T00:00:00Z') },
      { id: '002', date: at('2024-01-01T00:00:00Z') },
      { id: '003', date: at('2024-02-01T00:00:00Z') },
      { id: '000', date: at('2023-12-31T00:00:00Z') },
    ];
    expect(ids(indexOf(...articles).index.latest(10))).toEqual(['003', '002', '001', '000']);
    expect(ids(indexOf(...articles.reverse()).index.latest(10))).toEqual(['003', '002', '001', '000']);
    expect(ids(indexOf(...articles).index.latest(2))).toEqual(['003', '002']);
  });

  it('finds a tag by its normalised key, with its articles newest first', () => {
    const { index } = indexOf(
      { id: 'a', date: at('2024-01-01T00:00:00Z'), tags: ['España'] },
      { id: 'b', date: at('2024-01-02T00:00:00Z'), tags: ['espana', 'Oil'] },
      { id: 'c', date: at('2024-01-03T00:00:00Z'), tags: ['Oil'] },
    );
    const found = index.tagged('espana', 10);
    expect(found && ids(found.articles)).toEqual(['b', 'a']);
    expect(found?.count).toBe(2);
    // The label is the newest article's spelling.
    expect(found?.tag).toEqual({ key: 'espana', label: 'espana' });
    expect(index.tagged('España', 10)).toBeUndefined();
    expect(index.tagged('missing', 10)).toBeUndefined();
  });

  it('counts tags, most used first, then by key', () => {
    const { index } = indexOf(
      { id: 'a', tags: ['Venezuela', 'Oil'] },
      { id: 'b', tags: ['venezuela', 'Gas'] },
      { id: 'c', tags: ['Venezuela', 'Oil', 'Coal'] },
    );
    expect(index.tags().map((t) => [t.key, t.count])).toEqual([
      ['venezuela', 3],
      ['oil', 2],
      ['coal', 1],
      ['gas', 1],
    ]);
    expect(index.tagCount).toBe(4);
    expect(index.size).toBe(3);
  });

  it('gives the same tag list until a change, then one that shows it', () => {
    const { index } = indexOf({ id: 'a', tags: ['Oil'] }, { id: 'b', tags: ['Gas', 'Oil'] });
    const first = index.tags();
    expect(index.tags()).toBe(first);
    index.upsert(meta({ id: 'c', tags: ['Gas', 'Coal'] }));
    const second = index.tags();
    expect(second).not.toBe(first);
    expect(second.map((t) => [t.key, t.count])).toEqual([['gas', 2], ['oil', 2], ['coal', 1]]);
    index.removeFile(meta({ id: 'a' }).file);
    expect(index.tags().map((t) => [t.key, t.count])).toEqual([['gas', 2], ['coal', 1], ['oil', 1]]);
  });

  it('picks a deterministic winner for two files with one id, and warns about the other', () => {
    const txt = { id: 'a', file: '/articles/a.txt', format: 'text' as const, title: 'From text' };
    const md = { id: 'a', file: '/articles/a.md', format: 'markdown' as const, title: 'From Markdown' };
    for (const order of [[txt, md], [md, txt]]) {
      const { index, warnings } = indexOf(...order);
      expect(index.get('a')?.title).toBe('From Markdown');
      expect(index.size).toBe(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ file: '/articles/a.txt', reason: 'duplicate-id' });
      expect(warnings[0]!.message).toContain('/articles/a.md');
    }
  });

  it('keeps drafts out of every list', () => {
    const { index } = indexOf({ id: 'draft', draft: true, tags: ['DraftOnly', 'Venezuela'] }, { id: 'public', tags: ['Venezuela'] });
    expect(ids(index.latest(10))).toEqual(['public']);
    expect(index.get('draft')).toBeUndefined();
    expect(index.tagged('draftonly', 10)).toBeUndefined();
    expect(index.tagged('venezuela', 10)?.count).toBe(1);
    expect(index.tags().map((t) => t.key)).toEqual(['venezuela']);
  });

  it('withholds an article dated in the future until its time comes', () => {
    let now = at('2024-01-01T00:00:00Z').getTime();
    const index = new ArticleIndex({ now: () => now });
    index.bulkLoad([meta({ id: 'later', date: at('2024-01-02T00:00:00Z'), tags: ['Soon'], author: 'Someone' }), meta({ id: 'now', date: at('2023-12-31T00:00:00Z'), tags: [] })]);
    expect(ids(index.latest(10))).toEqual(['now']);
    expect(index.tagged('soon', 10)).toBeUndefined();
    expect(index.nextReleaseAt()).toBe(at('2024-01-02T00:00:00Z').getTime());
    now = at('2024-01-02T00:00:00Z').getTime();
    // Reading never changes the index, through any of its readers: the article appears when the
    // scheduler releases it.
    const generation = index.generation;
    expect(ids(index.latest(10))).toEqual(['now']);
    expect(index.get('later')).toBeUndefined();
    expect(index.tagged('soon', 10)).toBeUndefined();
    expect(index.tagList('soon')).toBeUndefined();
    expect(index.range(undefined, 0, 10)?.total).toBe(1);
    expect(index.range('soon', 0, 10)).toBeUndefined();
    expect(index.authored('someone', 10)).toBeUndefined();
    expect(index.tags().map((t) => t.key)).toEqual([]);
    expect(index.generation).toBe(generation);
    index.releaseDue();
    expect(ids(index.latest(10))).toEqual(['later', 'now']);
    expect(index.tagged('soon', 10)?.count).toBe(1);
    expect(index.get('later')?.id).toBe('later');
    expect(index.authored('someone', 10)?.count).toBe(1);
  });

  it('tells listeners which scopes a change touches', () => {
    const { index } = indexOf({ id: 'a', tags: ['Oil'] }, { id: 'b', tags: ['Gas'] });
    const seen: string[][] = [];
    index.onChange((scopes) => seen.push([...scopes].sort()));
    const generation = index.generation;
    index.upsert(meta({ id: 'a', title: 'Changed', tags: ['Oil'] }));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toContain(tagScope('oil'));
    expect(seen[0]).toContain(SITE_SCOPE);
    expect(seen[0]).toContain(TAGS_SCOPE);
    expect(seen[0]).not.toContain(tagScope('gas'));
    expect(index.generation).toBeGreaterThan(generation);
    expect(index.get('a')?.title).toBe('Changed');
  });

  it('moves an article between tags when its tags change, and drops a tag left empty', () => {
    const { index } = indexOf({ id: 'a', tags: ['Oil'] }, { id: 'b', tags: ['Gas'] });
    index.upsert(meta({ id: 'a', tags: ['Gas'] }));
    expect(index.tagged('oil', 10)).toBeUndefined();
    expect(index.tagged('gas', 10)?.count).toBe(2);
  });

  it('warns about the file a new one displaces, as about one that loses', () => {
    const { index } = indexOf({ id: 'a', file: '/articles/a.txt', title: 'Text' });
    const warning = index.upsert(meta({ id: 'a', file: '/articles/a.md', format: 'markdown', title: 'Markdown' }));
    expect(warning).toMatchObject({ file: '/articles/a.txt', reason: 'duplicate-id' });
    expect(warning?.message).toContain('/articles/a.md is served');
    expect(index.get('a')?.title).toBe('Markdown');
    // The winner written again: no one is displaced.
    expect(index.upsert(meta({ id: 'a', file: '/articles/a.md', format: 'markdown', title: 'Markdown 2' }))).toBeUndefined();
    // A loser: the warning names it.
    expect(index.upsert(meta({ id: 'a', file: '/articles/a.txt', title: 'Text 2' }))).toMatchObject({ file: '/articles/a.txt' });
  });

  it('lets the other file of a duplicate id take over when the winner goes', () => {
    const { index } = indexOf(
      { id: 'a', file: '/articles/a.md', format: 'markdown', title: 'Markdown' },
      { id: 'a', file: '/articles/a.txt', title: 'Text' },
    );
    index.removeFile('/articles/a.md');
    expect(index.get('a')?.title).toBe('Text');
    index.removeFile('/articles/a.txt');
    expect(index.get('a')).toBeUndefined();
    expect(index.size).toBe(0);
  });
});
