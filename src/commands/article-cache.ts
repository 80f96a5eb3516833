/**
 * Opening the cache of what loading computed (src/state/article-cache.ts) for a command that loads the
 * articles folder, so that a restart or a second export re-reads only the files that changed since.
 */
import { realpathSync } from 'node:fs';
import type { Config } from '../config.ts';
import { ArticleMetaCache } from '../state/article-cache.ts';

/**
 * The article cache in STATE_DIR. Only a cache: when it cannot be opened the command goes on without
 * it, reading every file, and says why on stderr.
 */
export function openArticleCache(config: Config): ArticleMetaCache | undefined {
  try {
    return new ArticleMetaCache(config.stateDir, realpathSync(config.articlesDir));
  } catch (error) {
    console.error(`article cache in ${config.stateDir} not used: ${(error as Error).message}`);
    return undefined;
  }
}
