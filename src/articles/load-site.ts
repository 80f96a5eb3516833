/**
 * Loading the articles folder into an index, with the log lines every command prints. Here, below the
 * commands and the export (which loads its own copy in each worker thread), and knowing nothing of the
 * config module: the caller passes the two settings it reads.
 */
import { ArticleIndex } from './article-index.ts';
import { ContentStore } from './content.ts';
import { loadArticles, type MetaCache } from './load.ts';
import type { ArticleParseError } from './types.ts';

/** Where the articles are and the largest file read, in bytes (a `Config` has both). */
export interface LoadSiteOptions {
  articlesDir: string;
  maxFileSize: number;
  /** What an earlier run parsed, so that unchanged files are not read again (serve keeps one). */
  cache?: MetaCache;
}

/** A loaded site: the index, the body store and what was skipped. */
export interface LoadedSite {
  index: ArticleIndex;
  contents: ContentStore;
  readOptions: Awaited<ReturnType<typeof loadArticles>>['readOptions'];
  errors: ArticleParseError[];
  warnings: ArticleParseError[];
  /** Files that parsed, drafts and scheduled articles included. */
  parsed: number;
  /** Of those, how many came from the cache without being read. */
  cached: number;
  /** The names of the folder's symbolic links. */
  links: string[];
  ms: number;
}

/** One log line for a file that is skipped or ignored: the file, the reason and its code. */
export function describeProblem(error: ArticleParseError): string {
  return `${error.file}: ${error.message} [${error.reason}]`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The start-up summary line. */
export function summaryLine(site: LoadedSite, dir: string): string {
  const skipped = site.errors.length + site.warnings.length;
  const reread = site.cached > 0 ? `, ${site.parsed - site.cached} read again, the rest unchanged since the last run` : '';
  return `Loaded ${plural(site.index.size, 'article')}, ${plural(site.index.tagCount, 'tag')} (${plural(skipped, 'file')} skipped${reread}) from ${dir.replace(/\/?$/u, '/')} in ${Math.round(site.ms)} ms`;
}

/** Loads the articles folder; logs each skipped file through `log` (default: stderr). */
export async function loadSite(options: LoadSiteOptions, log: (line: string) => void = (l) => console.error(l)): Promise<LoadedSite> {
  const started = performance.now();
  const { articles, lazy, errors, readOptions, cached, links } = await loadArticles(options.articlesDir, options.maxFileSize, { cache: options.cache });
  const index = new ArticleIndex();
  const warnings = index.bulkLoad(articles, lazy);
  for (const error of errors) log(`skipped ${describeProblem(error)}`);
  for (const warning of warnings) log(`skipped ${describeProblem(warning)}`);
  return {
    index,
    contents: new ContentStore(readOptions),
    readOptions,
    errors,
    warnings,
    parsed: articles.length + lazy.length,
    cached,
    links,
    ms: performance.now() - started,
  };
}
