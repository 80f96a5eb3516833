/**
 * Live updates: watches the articles folder and applies each new, changed, renamed or deleted file to
 * the index. Writes are let to settle before a file is read, and a file that no longer parses keeps its
 * last good version in the index.
 */
import { watch as chokidarWatch } from 'chokidar';
import { basename, dirname, resolve } from 'node:path';
import type { ArticleIndex } from './article-index.ts';
import type { ContentStore } from './content.ts';
import { articlePath, isArticleFileName, readArticleFile, type ReadOptions } from './files.ts';
import { toMeta, type ArticleParseError } from './types.ts';

/** What the watcher reports, for the log. */
export interface WatchEvents {
  updated?: (file: string, kind: 'added' | 'changed' | 'removed') => void;
  rejected?: (error: ArticleParseError, keptLastGood: boolean) => void;
  warning?: (warning: ArticleParseError) => void;
}

/** A running watcher. */
export interface ArticleWatcher {
  ready: Promise<void>;
  close(): Promise<void>;
}

/** How long a file's size must stay unchanged before it is read, in ms. */
export const SETTLE_MS = 150;

/** Starts watching `read.dir`; see the module comment. */
export function watchArticles(
  index: ArticleIndex,
  contents: ContentStore,
  read: ReadOptions,
  events: WatchEvents = {},
): ArticleWatcher {
  const root = resolve(read.dir);
  const watcher = chokidarWatch(root, {
    ignoreInitial: true,
    depth: 0,
    // Subfolders are not articles; only names that are articles are watched.
    ignored: (path, stats) => path !== root && (dirname(path) !== root || (stats?.isFile() === true && !isArticleFileName(basename(path)))),
    awaitWriteFinish: { stabilityThreshold: SETTLE_MS, pollInterval: 25 },
  });

  // Events for one file are applied in order, one at a time.
  const queues = new Map<string, Promise<void>>();
  const enqueue = (path: string, job: () => Promise<void>) => {
    const next = (queues.get(path) ?? Promise.resolve()).then(job).catch(() => {});
    queues.set(path, next);
    void next.then(() => {
      if (queues.get(path) === next) queues.delete(path);
    });
  };

  const refresh = (path: string, kind: 'added' | 'changed') => {
    const name = basename(path);
    if (!isArticleFileName(name)) return;
    enqueue(path, async () => {
      const file = articlePath(read, name);
      const result = readArticleFile(name, read);
      if (result.ok) {
        contents.remember(result.article);
        const warning = index.upsert(toMeta(result.article));
        if (warning) events.warning?.(warning);
        events.updated?.(file, kind);
        return;
      }
      if (result.error.reason === 'unreadable' && /disappeared/u.test(result.error.message)) return;
      const keptLastGood = index.fileArticle(file) !== undefined;
      if (keptLastGood) contents.pin(file);
      events.rejected?.(result.error, keptLastGood);
    });
  };

  watcher.on('add', (path) => refresh(path, 'added'));
  watcher.on('change', (path) => refresh(path, 'changed'));
  watcher.on('unlink', (path) => {
    const name = basename(path);
    if (!isArticleFileName(name)) return;
    enqueue(path, async () => {
      const file = articlePath(read, name);
      if (!index.fileArticle(file)) return;
      index.removeFile(file);
      contents.forget(file);
      events.updated?.(file, 'removed');
    });
  });

  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
  return { ready, close: () => watcher.close() };
}
