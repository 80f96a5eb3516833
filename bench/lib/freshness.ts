import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { PROBE_FILE_PREFIX } from './corpus.ts';
import { pollUntil } from './http.ts';

/** Bounds of the new-article probe. */
const POLL_INTERVAL_MS = 10;
const POLL_TIMEOUT_MS = 10_000;

/**
 * Measures how long a newly written article takes to appear in its tag feed:
 * writes it under a dotfile temp name, renames it into the corpus folder, then
 * polls /tags/<fresh tag>/rss.xml until the article's title shows up. The tag is
 * unique to this probe; the file is removed afterwards so the corpus stays reusable.
 * Returns milliseconds from the rename, or undefined if it did not appear within 10 s.
 */
export async function measureNewArticle(baseUrl: string, articlesDir: string): Promise<number | undefined> {
  const id = `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
  const tag = `BenchFresh${id}`;
  const title = `Benchmark probe article ${id}`;
  const text = `${title}\n\nThis article was written by the benchmark to time how fast new files reach the feeds.\n`
    + `It is removed again right after the measurement.\n#${tag} #BenchProbe\n`;
  const finalPath = path.join(articlesDir, `${PROBE_FILE_PREFIX}${id}.txt`);
  const tempPath = path.join(articlesDir, `.${PROBE_FILE_PREFIX}${id}.txt.tmp`);
  try {
    await writeFile(tempPath, text);
    await rename(tempPath, finalPath);
    const renamedAt = performance.now();
    const url = `${baseUrl}/tags/${tag.toLowerCase()}/rss.xml`;
    const seen = await pollUntil(url, (r) => r.status === 200 && r.body.includes(title),
      { intervalMs: POLL_INTERVAL_MS, timeoutMs: POLL_TIMEOUT_MS }).catch(() => undefined);
    return seen === undefined ? undefined : seen - renamedAt;
  } finally {
    await rm(tempPath, { force: true });
    await rm(finalPath, { force: true });
  }
}
