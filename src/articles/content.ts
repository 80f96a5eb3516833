/**
 * Article bodies, read from their files when a feed or page needs them and kept in a bounded LRU, so
 * memory stays in proportion to what is being served, not to the size of the corpus.
 */
import { LRUCache } from 'lru-cache';
import { basename } from 'node:path';
import { escapeHtml } from './parse.ts';
import { readArticleFile, type ReadOptions } from './files.ts';
import { summaryOf, type Article, type ArticleMeta, type SourceStamp } from './types.ts';

interface Body {
  source: SourceStamp;
  html: string;
}

const sameSource = (a: SourceStamp, b: SourceStamp) => a.size === b.size && a.mtimeMs === b.mtimeMs;

/** Where bodies come from; see the module comment. */
export class ContentStore {
  readonly #cache: LRUCache<string, Body>;
  /** Last good bodies of files that no longer parse: kept until the file parses again or goes. */
  readonly #pinned = new Map<string, Body>();
  readonly #read: ReadOptions;

  constructor(read: ReadOptions, maxBytes = 32 * 1024 * 1024) {
    this.#read = read;
    this.#cache = new LRUCache({ maxSize: maxBytes, sizeCalculation: (b) => b.html.length * 2 + 64 });
  }

  /** Keeps the body of an article just parsed, and forgets any pinned older version. */
  remember(article: Article): void {
    this.#pinned.delete(article.file);
    this.#cache.set(article.file, { source: article.source, html: article.contentHtml });
  }

  /** The file no longer parses: keep serving the body of its last good version, when it is known. */
  pin(file: string): void {
    const body = this.#cache.get(file);
    if (body) this.#pinned.set(file, body);
  }

  /** The file is gone. */
  forget(file: string): void {
    this.#pinned.delete(file);
    this.#cache.delete(file);
  }

  /**
   * The HTML body of the version of the article that `meta` describes. When the file on disk no longer
   * matches that version (being rewritten, or broken), the body known for the version is used, else
   * the summary: a half-written or broken file is never served. `keep: false` reads a body that is not
   * known without keeping it (for archive documents, read about once: they would push out the bodies
   * of the feeds that are polled).
   */
  html(meta: ArticleMeta, keep = true): string {
    const known = this.#pinned.get(meta.file) ?? this.#cache.get(meta.file);
    if (known && sameSource(known.source, meta.source)) return known.html;
    const result = readArticleFile(basename(meta.file), this.#read);
    if (result.ok && sameSource(result.article.source, meta.source)) {
      if (keep) this.#cache.set(meta.file, { source: meta.source, html: result.article.contentHtml });
      return result.article.contentHtml;
    }
    return known?.html ?? `<p>${escapeHtml(summaryOf(meta))}</p>`;
  }
}
