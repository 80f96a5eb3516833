/**
 * Hashtags that only the writer puts on articles: they appear and disappear during the run,
 * so their tag feeds flip between 200 and 404. Non-ASCII ones exercise tag normalisation.
 */
export const WRITER_TAGS = ['LoadWriterAlpha', 'LoadWriterBeta', 'LoadWriterGamma', 'Écriture', 'Łódź_Load', 'ÜberLoad', '書き込み'] as const;

/** Existing popular corpus tags the writer also adds, so busy site-wide tag feeds change during the run. */
export const SHARED_TAGS = ['Geopolitics', 'Economy', 'España', 'México'] as const;

/** Kinds of writer operation, as counted in the report. */
export type WriteOp = 'add' | 'edit' | 'rename' | 'delete' | 'bad';

/** Message from the writer child to the parent over the IPC channel. */
export type WriterMessage =
  /** Ids that became public (added, repaired, renamed in, no longer a draft) or stopped being public. */
  | { type: 'ids'; added: string[]; removed: string[] }
  | {
      type: 'done';
      ops: Record<WriteOp, number>;
      reason: 'time' | 'count' | 'signal';
      errors: number;
      /** Articles the writer is responsible for at the end (bounded list): each must be served with its latest text. */
      final: FinalArticle[];
      /** Ids the writer removed and never restored: each must be 404 (bounded list). */
      goneIds: string[];
    };

/** An article the writer left on disk (or broke, so the server keeps its last good version). */
export interface FinalArticle {
  id: string;
  /** `(write N)` from the latest good title the writer wrote, or undefined for a renamed corpus file. */
  marker: string | undefined;
  /** A draft must not be served. */
  draft: boolean;
}
