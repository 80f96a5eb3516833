/** Loading the articles folder into an index, with the log lines every command prints. */
import { ArticleIndex } from '../articles/article-index.ts';
import { ContentStore } from '../articles/content.ts';
import { loadArticles } from '../articles/load.ts';
import type { ArticleParseError } from '../articles/types.ts';
import type { Config } from '../config.ts';

/** A loaded site: the index, the body store and what was skipped. */
export interface LoadedSite {
  index: ArticleIndex;
  contents: ContentStore;
  readOptions: Awaited<ReturnType<typeof loadArticles>>['readOptions'];
  errors: ArticleParseError[];
  warnings: ArticleParseError[];
  /** Files that parsed, drafts and scheduled articles included. */
  parsed: number;
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
  return `Loaded ${plural(site.index.size, 'article')}, ${plural(site.index.tagCount, 'tag')} (${plural(skipped, 'file')} skipped) from ${dir.replace(/\/?$/u, '/')} in ${Math.round(site.ms)} ms`;
}

/** Loads the configured folder; logs each skipped file on stderr through `log`. */
export async function loadSite(config: Config, log: (line: string) => void = (l) => console.error(l)): Promise<LoadedSite> {
  const started = performance.now();
  const { articles, errors, readOptions } = await loadArticles(config.articlesDir, config.maxFileSize);
  const index = new ArticleIndex();
  const warnings = index.bulkLoad(articles);
  for (const error of errors) log(`skipped ${describeProblem(error)}`);
  for (const warning of warnings) log(`skipped ${describeProblem(warning)}`);
  return {
    index,
    contents: new ContentStore(readOptions),
    readOptions,
    errors,
    warnings,
    parsed: articles.length,
    ms: performance.now() - started,
  };
}
