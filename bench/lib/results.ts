import type { CrawlFigure } from './archives.ts';
import type { CorpusSize } from './corpus.ts';
import type { LoadFigure } from './load.ts';

/**
 * Ids of the load classes: the four feed classes, a cached archive document (ours, nginx and the
 * floor: the naive server has no archives), plus conditional GETs answered 304.
 */
export type ClassId = 'site' | 'large' | 'mid' | 'small' | 'archive' | '304';

/** Figures for one server on one corpus; missing entries were not measured. */
export interface ServerFigures {
  firstFeedMs?: number;
  peakRssBytes?: number;
  load: Partial<Record<ClassId, LoadFigure>>;
}

/** Everything measured on one corpus size. */
export interface SizeResult {
  size: CorpusSize;
  /** Row labels per class, e.g. `mid tag #energy (96 articles)`. */
  labels: Record<ClassId, string>;
  /** `crawl`: the archive crawl, run after everything else (see archives.ts), when asked for at this size. */
  ours: ServerFigures & { newArticleMs?: number; crawl?: CrawlFigure };
  naive: ServerFigures;
  nginx?: ServerFigures;
  /** The floor: a bare node:http server answering our bytes from memory (bench/floor/server.ts). */
  floor?: ServerFigures;
  /** Warnings found while measuring (item count mismatches, unexpected statuses...). */
  notes: string[];
}
