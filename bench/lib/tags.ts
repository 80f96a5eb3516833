import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { listArticleFiles, readMarker, writeMarker, type Corpus } from './corpus.ts';

/** A hashtag (normalised) with the number of articles carrying it. */
export interface TagCount {
  tag: string;
  count: number;
}

/** The three tags whose feeds are benchmarked. */
export interface TagPick {
  /** The tag on most articles. */
  large: TagCount;
  /** The tag whose article count is closest to 1% of the corpus. */
  mid: TagCount;
  /** A tag on one article (or on as few as any tag has). */
  small: TagCount;
}

/** Normalises a hashtag like the server: NFKC, lower case, Latin diacritics removed. */
export function normalizeTag(raw: string): string {
  return raw.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

/** Returns the distinct normalised hashtags on the last non-empty line of an article file. */
export function tagsOfArticle(text: string): string[] {
  const lines = text.trimEnd().split('\n');
  const last = lines[lines.length - 1]?.trim() ?? '';
  const tags = last.split(/\s+/).filter((word) => word.startsWith('#') && word.length > 1);
  return [...new Set(tags.map((word) => normalizeTag(word.slice(1))))];
}

const ASCII_TAG = /^[a-z0-9_]+$/;

/** Counts ASCII hashtags over all files of a corpus (ASCII only, so URLs and file paths stay simple). */
export async function countTags(corpus: Corpus): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const files = listArticleFiles(corpus.dir);
  const batch = 256;
  for (let i = 0; i < files.length; i += batch) {
    const texts = await Promise.all(files.slice(i, i + batch).map((name) => readFile(path.join(corpus.dir, name), 'utf8')));
    for (const text of texts) {
      for (const tag of tagsOfArticle(text)) {
        if (ASCII_TAG.test(tag)) counts.set(tag, (counts.get(tag) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/** Picks the large, mid (~1%) and one-article tags from tag counts; ties go to the alphabetically first tag. */
export function pickTagsFromCounts(counts: Map<string, number>, articles: number): TagPick {
  const all = [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => (a.tag < b.tag ? -1 : 1));
  if (all.length < 3) throw new Error('corpus has fewer than 3 ASCII tags');
  const by = (score: (t: TagCount) => number): TagCount =>
    all.reduce((best, t) => (score(t) < score(best) ? t : best));
  const large = by((t) => -t.count);
  const target = Math.max(2, Math.round(articles / 100));
  const mid = by((t) => (t.tag === large.tag ? Infinity : Math.abs(t.count - target)));
  const small = by((t) => (t.tag === large.tag || t.tag === mid.tag ? Infinity : t.count));
  return { large, mid, small };
}

/** Returns the benchmarked tags of a corpus, cached in its marker file after the first count. */
export async function pickTags(corpus: Corpus): Promise<TagPick> {
  const marker = readMarker(corpus.count);
  const cached = marker?.tags as TagPick | undefined;
  if (cached?.large && cached.mid && cached.small) return cached;
  const tags = pickTagsFromCounts(await countTags(corpus), corpus.count);
  if (marker) await writeMarker({ ...marker, tags });
  return tags;
}
