/** `npm run export -- --out DIR`: writes every route of the site as static files, then a summary line. */
import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ConfigError, readConfig, requireArticlesFolder, requireStateFolder } from '../config.ts';
import { parseExportArgs } from '../export/args.ts';
import { exportSite, ExportError, type ExportResult } from '../export/export-site.ts';
import { createProgress, showProgress } from '../export/progress.ts';
import { loadSite, summaryLine, type LoadedSite } from '../articles/load-site.ts';
import { openArticleCache } from './article-cache.ts';

// A count with thousands separators, as `toLocaleString('en-US')` writes it: that call's first use sets
// up ICU's number formatting, ~30 ms of a re-export after one change.
const count = (n: number) => String(n).replace(/\B(?=(\d{3})+$)/gu, ',');

/** The line printed when an export is done: files, what was written, kept and removed, and the time. */
export function exportSummary(result: ExportResult, out: string): string {
  const threads = result.jobs === 1 ? '' : ` (${result.jobs} threads)`;
  const how = result.incremental ? `incremental, ${count(result.rendered)} routes rendered` : 'every route rendered';
  return `Exported ${count(result.files)} files to ${out.replace(/\/?$/u, '/')} in ${(result.ms / 1000).toFixed(1)} s${threads}: `
    + `${count(result.written)} written, ${count(result.unchanged)} unchanged, ${count(result.removed)} removed (${how})`;
}

/** Runs the export; returns the process exit code. */
export async function exportCommand(env: Record<string, string | undefined>, args: string[]): Promise<number> {
  const { out, jobs, rest } = parseExportArgs(args);
  const config = readConfig(env, rest);
  requireArticlesFolder(config.articlesDir);
  requireStateFolder(config.stateDir);
  const overlap = foldersOverlap(out, config.articlesDir);
  if (overlap) throw new ConfigError(`--out ${out} ${overlap} the articles folder ${config.articlesDir}: the export would write among the articles (robots.txt, articles/…) or the articles among the export`);
  // The server's article cache: a re-export after one change then reads one file, not the folder, which
  // at 10k articles is most of an incremental export's time (2.0 s without, 0.9 s with, measured here).
  // The export is handed the load rather than its result, so that a full export's worker threads can
  // start loading their own copies at the same time (export-site.ts).
  const load = async (): Promise<LoadedSite> => {
    const cache = openArticleCache(config);
    try {
      const site = await loadSite({ ...config, cache });
      console.log(summaryLine(site, config.articlesDir));
      return site;
    } finally {
      cache?.close();
    }
  };
  const progress = createProgress({ stream: process.stdout, enabled: showProgress(process.stdout, env) });
  let result: ExportResult;
  try {
    result = await exportSite({
      config,
      site: load,
      outDir: resolve(out),
      jobs,
      onProgress: (c) => progress.update(() => `Exporting: ${count(c.files)} files, ${count(c.written)} written`),
    });
  } catch (error) {
    progress.done();
    if (!(error instanceof ExportError)) throw error;
    console.error(`error: ${error.message}`);
    return 1;
  }
  progress.done();
  for (const file of result.collisions) console.error(`warning: two routes map to ${file}; only one of them is in the export`);
  console.log(exportSummary(result, out));
  return 0;
}

/** The real path of `path`, as far as it exists (a folder --out names may not exist yet). */
function realPathOf(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPathOf(parent), basename(absolute));
  }
}

/** How folder `out` stands to the articles folder, by real paths (a link to it is it), if they overlap. */
function foldersOverlap(out: string, articles: string): string | undefined {
  const [a, b] = [realPathOf(out), realPathOf(articles)];
  if (a === b) return 'is';
  if (b.startsWith(a + sep)) return 'holds';
  if (a.startsWith(b + sep)) return 'is inside';
  return undefined;
}
