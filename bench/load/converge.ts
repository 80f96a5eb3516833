import type { FinalArticle } from './writer-protocol.ts';

/** How far the server's final state matches what the writer left on disk. */
export interface Convergence {
  /** Articles served with the writer's latest text (drafts: not served). */
  currentOk: number;
  currentTotal: number;
  /** Removed ids that are gone. */
  goneOk: number;
  goneTotal: number;
  /** First mismatches: request and what was wrong. */
  examples: string[];
}

const CONCURRENCY = 4;

async function get(baseUrl: string, id: string): Promise<{ status: string; body: string }> {
  try {
    const res = await fetch(`${baseUrl}/articles/${encodeURIComponent(id)}`, { signal: AbortSignal.timeout(10_000) });
    return { status: String(res.status), body: await res.text() };
  } catch (error) {
    return { status: `ERR ${(error as Error).name}`, body: '' };
  }
}

/** Returns what is wrong with the answer for `article`, or undefined. */
function problem(article: FinalArticle, status: string, body: string): string | undefined {
  if (article.draft) return status === '404' ? undefined : `${status}, expected 404 (draft)`;
  if (status !== '200') return `${status}, expected 200`;
  if (article.marker && !body.includes(article.marker)) return `200 without "${article.marker}" (stale version)`;
  return undefined;
}

/**
 * After the writes settle, requests every article the writer answers for (expects its latest text, or 404 for a
 * draft) and every id it removed (expects 404), a few at a time.
 */
export async function checkConvergence(baseUrl: string, final: FinalArticle[], goneIds: string[]): Promise<Convergence> {
  const result: Convergence = { currentOk: 0, currentTotal: final.length, goneOk: 0, goneTotal: goneIds.length, examples: [] };
  const fail = (id: string, why: string) => {
    if (result.examples.length < 5) result.examples.push(`GET /articles/${encodeURIComponent(id)} -> ${why}`);
  };
  const jobs: Array<() => Promise<void>> = [
    ...final.map((article) => async () => {
      const { status, body } = await get(baseUrl, article.id);
      const why = problem(article, status, body);
      if (why) fail(article.id, why);
      else result.currentOk++;
    }),
    ...goneIds.map((id) => async () => {
      const { status } = await get(baseUrl, id);
      if (status === '404') result.goneOk++;
      else fail(id, `${status}, expected 404 (removed)`);
    }),
  ];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return result;
}
