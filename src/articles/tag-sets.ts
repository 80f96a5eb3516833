/**
 * Tag combinations: the articles that carry every one of some tags (AND) or any of them (OR), newest
 * first, computed from the tags' own newest-first lists (article-index.ts keeps one per tag) without
 * scanning the corpus, and stopping as soon as `limit` articles are found. An AND walks the shortest
 * list and keeps the articles that carry the other tags too (a look at each article's few `tags`); an OR
 * is a k-way merge of the lists by `compareArticles`, each article taken once. Either way the work is in
 * proportion to the items shown (AND: to how far down the shortest list they are), not to the corpus.
 */
import { compareArticles, type ArticleIndex, type ArticleList } from './article-index.ts';
import { normalizeRequestedTag } from './tags.ts';
import type { ArticleMeta, Tag } from './types.ts';

/** How tags combine: `and` (every tag, `a+b` in URLs) or `or` (any tag, `a,b`). */
export type TagJoin = 'and' | 'or';

/** Whether an article carries a tag (by normalised key): articles carry a few tags, so a scan is cheapest. */
function carries(article: ArticleMeta, key: string): boolean {
  for (const t of article.tags) if (t.key === key) return true;
  return false;
}

/**
 * The newest `limit` articles that carry every tag, from each tag's list (newest first) and its key.
 * An empty list when a tag has none.
 * @example intersectTagged([{ key: 'a', articles: a }, { key: 'b', articles: b }], 20)
 */
export function intersectTagged(lists: readonly { key: string; articles: ArticleList }[], limit: number): ArticleMeta[] {
  if (lists.length === 0) return [];
  const shortest = lists.reduce((s, l) => (l.articles.length < s.articles.length ? l : s));
  const others = lists.filter((l) => l !== shortest).map((l) => l.key);
  const out: ArticleMeta[] = [];
  for (let i = 0; i < shortest.articles.length && out.length < limit; i++) {
    const article = shortest.articles.at(i)!;
    if (others.every((key) => carries(article, key))) out.push(article);
  }
  return out;
}

/**
 * The newest `limit` articles that carry any of the tags: a k-way merge of the lists (each newest
 * first, by `compareArticles`), an article in several lists taken once. k is at most a handful, so the
 * heads are compared in a loop rather than kept in a heap.
 */
export function unionTagged(lists: readonly ArticleList[], limit: number): ArticleMeta[] {
  const at = lists.map(() => 0);
  const out: ArticleMeta[] = [];
  let last: ArticleMeta | undefined;
  while (out.length < limit) {
    let best = -1;
    for (let i = 0; i < lists.length; i++) {
      const head = lists[i]!.at(at[i]!);
      if (head && (best < 0 || compareArticles(head, lists[best]!.at(at[best]!)!) < 0)) best = i;
    }
    if (best < 0) break;
    const next = lists[best]!.at(at[best]!)!;
    at[best] = at[best]! + 1;
    // The lists share one order, so an article in several lists comes out of them one after the other.
    if (next !== last) out.push(next);
    last = next;
  }
  return out;
}

/** A combination's articles, with the label of each of its tags that has public articles. */
export interface Combination {
  /** The tags that have public articles, in the order asked, with their labels. */
  known: Tag[];
  articles: ArticleMeta[];
}

/**
 * The newest `limit` articles of a combination of tags (normalised keys) in the index. Undefined when
 * an AND names a tag with no public article (nothing can carry it), or when no tag of an OR has one.
 */
export function combineTags(index: ArticleIndex, keys: readonly string[], join: TagJoin, limit: number): Combination | undefined {
  const lists: { key: string; tag: Tag; articles: ArticleList }[] = [];
  for (const key of keys) {
    const list = index.tagList(key);
    if (list) lists.push({ key, tag: list.tag, articles: list.articles });
    else if (join === 'and') return undefined;
  }
  if (lists.length === 0) return undefined;
  const articles = join === 'and' ? intersectTagged(lists, limit) : unionTagged(lists.map((l) => l.articles), limit);
  return { known: lists.map((l) => l.tag), articles };
}

/** Most tags one combination may name. */
export const MAX_COMBINED_TAGS = 4;

/** The character that joins the tags of each kind of combination in URLs. */
export const JOINERS: Record<TagJoin, string> = { and: '+', or: ',' };

/** A combination named by a URL: its normalised keys, deduplicated and sorted (the canonical order). */
export interface CombinationName {
  join: TagJoin;
  keys: string[];
}

/**
 * Reads a combination from a decoded URL segment (`Alpha+beta`, `a,b`, a `#` before a tag allowed):
 * undefined when the segment names no combination (no `+` or `,`: a single tag), else its name or the
 * one-line reason it is malformed. Each tag is normalised as a single tag is (`normalizeRequestedTag`);
 * the keys are then deduplicated and sorted by code unit, so that every spelling and order of one
 * combination has one canonical name (and one URL, feed id and cache entry).
 * @example parseCombination('B+a') // { join: 'and', keys: ['a', 'b'] }
 */
export function parseCombination(segment: string): CombinationName | { problem: string } | undefined {
  const and = segment.includes('+');
  const or = segment.includes(',');
  if (!and && !or) return undefined;
  if (and && or) return { problem: 'a combination is either a+b (every tag) or a,b (any tag), not both' };
  const join: TagJoin = and ? 'and' : 'or';
  const parts = segment.split(JOINERS[join]);
  if (parts.length > MAX_COMBINED_TAGS) return { problem: `a combination names at most ${MAX_COMBINED_TAGS} tags` };
  const keys = new Set<string>();
  for (const part of parts) {
    const name = part.startsWith('#') ? part.slice(1) : part;
    if (name === '') return { problem: 'a combination has an empty tag' };
    keys.add(normalizeRequestedTag(name));
  }
  return { join, keys: [...keys].sort() };
}

/** The canonical URL segment of a combination, unencoded (`a+b`): one tag alone is just that tag. */
export function combinationSegment(name: CombinationName): string {
  return name.keys.join(JOINERS[name.join]);
}
