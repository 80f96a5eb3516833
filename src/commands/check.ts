/** `npm run check`: validates every article file, prints each problem and a summary, exits non-zero on any. */
import { requireArticlesFolder, type Config } from '../config.ts';
import { loadSite } from '../articles/load-site.ts';

/** Runs the check; returns the process exit code. */
export async function checkCommand(config: Config): Promise<number> {
  requireArticlesFolder(config.articlesDir);
  const lines: string[] = [];
  const site = await loadSite(config, (line) => lines.push(line));
  for (const line of lines) console.log(line.replace(/^skipped /u, 'error: '));
  // Duplicates parsed fine but lose to another file: they count among the problems, not the good ones.
  const bad = site.errors.length + site.warnings.length;
  const total = site.errors.length + site.parsed;
  console.log(`${total} article files checked in ${config.articlesDir}: ${total - bad} ok, ${bad} with problems`);
  return bad === 0 ? 0 : 1;
}
