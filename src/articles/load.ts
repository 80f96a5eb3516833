/** Loading a whole articles folder: list the article files, read them with bounded concurrency. */
import { readdir } from 'node:fs/promises';
import { isArticleFileName, readArticleFile, resolveReadOptions, type ReadOptions } from './files.ts';
import { toMeta, type ArticleMeta, type ArticleParseError } from './types.ts';

/** How many files are read at once: enough to keep the disk and thread pool busy, bounded in memory. */
export const READ_CONCURRENCY = 64;

/** Articles that parsed (without their bodies), and one error per file that did not. */
export interface LoadResult {
  articles: ArticleMeta[];
  errors: ArticleParseError[];
  readOptions: ReadOptions;
}

/**
 * Loads every article file directly inside `dir` (subfolders are not scanned). One bad file never stops
 * the others: it becomes an entry of `errors`.
 */
export async function loadArticles(dir: string, maxBytes: number): Promise<LoadResult> {
  const readOptions = await resolveReadOptions(dir, maxBytes);
  const names = (await readdir(dir)).filter(isArticleFileName).sort();
  const articles: ArticleMeta[] = [];
  const errors: ArticleParseError[] = [];
  await forEachBounded(names, READ_CONCURRENCY, async (name) => {
    const result = await readArticleFile(name, readOptions);
    if (result.ok) articles.push(toMeta(result.article));
    else errors.push(result.error);
  });
  errors.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { articles, errors, readOptions };
}

/** Runs `task` over `items` with at most `limit` tasks in flight. */
export async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
