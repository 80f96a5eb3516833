/** `npm run check`: validates every article file, prints each problem and a summary, exits non-zero on any. */
import type { Config } from '../config.ts';
import { loadSite } from './load-site.ts';

/** Runs the check; returns the process exit code. */
export async function checkCommand(config: Config): Promise<number> {
  const lines: string[] = [];
  const site = await loadSite(config, (line) => lines.push(line));
  for (const line of lines) console.log(line.replace(/^skipped /u, 'error: '));
  const bad = site.errors.length + site.warnings.length;
  const total = bad + site.index.size;
  console.log(`${total} article files checked in ${config.articlesDir}: ${site.index.size} ok, ${bad} with problems`);
  return bad === 0 ? 0 : 1;
}
