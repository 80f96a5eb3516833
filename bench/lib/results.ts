import type { CorpusSize } from './corpus.ts';
import type { LoadFigure } from './load.ts';

/** Ids of the load classes: the four feed classes plus conditional GETs answered 304. */
export type ClassId = 'site' | 'large' | 'mid' | 'small' | '304';

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
  ours: ServerFigures & { newArticleMs?: number };
  naive: ServerFigures;
  nginx?: ServerFigures;
  /** The floor: a bare node:http server answering our bytes from memory (bench/floor/server.ts). */
  floor?: ServerFigures;
  /** Warnings found while measuring (item count mismatches, unexpected statuses...). */
  notes: string[];
}
