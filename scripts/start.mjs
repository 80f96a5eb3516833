/**
 * `npm start` and `npm run export`: run the command line from a bundle of `src/` in `build/` (not
 * dist/, where the README's export goes), built by esbuild when it is missing or older than any source
 * file, then imported in this process.
 *
 * Why a bundle: under tsx, every start transpiles and resolves ~100 TypeScript modules one import at a
 * time, which measured 1.1–1.3 s of a start here against 0.1–0.2 s for one bundled file (bench/RESULTS.md,
 * "Restarts"); at 100,000 articles a warm restart is budgeted 1.5 s in all. The packages are in the
 * bundle too, but for native better-sqlite3 and esbuild (scripts/bundle-options.mjs says why).
 *
 * The export runs it too: under tsx its main thread and its worker thread (src/export/worker.ts) each
 * paid that start-up again, about 1 s of a 10k export's critical path and half of a re-export after one
 * change (bench/RESULTS.md, "Static export vs Hugo"). `npm run dev`, the tests and `npm run check` run
 * the TypeScript directly. The bundle must stay in build/ beside src/: its imports of packages resolve from there,
 * and the article cache's parser fingerprint reads ../src/articles/ from it (state/article-cache.ts).
 * Starts that build at the same time are safe: every file is written under a temporary name, then
 * renamed.
 *
 * Node flags: package.json's `start` runs this file as `node [flags] scripts/start.mjs`, today with
 * none (V8 sizes its heap when the process starts, so such flags cannot be set from here; whatever
 * starts the server as `npm start` does reads them from package.json, scripts/start-command.mjs).
 * It ran with `--max-semi-space-size=4` for the archive crawl's memory until the server bounded the
 * heap's growth itself once loaded (src/commands/heap-growth.ts): the small young generation then
 * saved 10–20 MiB of a crawl's peak and cost 0.55 s of scavenges in a warm start at 100,000 articles
 * (bench/RESULTS.md, "Archive crawl memory after the fast path").
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BUNDLE_OPTIONS } from './bundle-options.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'build');
/** The bundles: the command line and the two worker threads' entry points, which it starts by file name. */
const ENTRIES = { cli: 'src/cli.ts', worker: 'src/export/worker.ts', 'load-worker': 'src/articles/load-worker.ts' };

/** The newest modification time among the sources, the lock file and these scripts (what a bundle is made from). */
function newestSource() {
  let newest = statSync(join(root, 'package-lock.json'), { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(root, 'src'));
  for (const script of [import.meta.url, new URL('bundle-options.mjs', import.meta.url)]) newest = Math.max(newest, statSync(fileURLToPath(script)).mtimeMs);
  return newest;
}

/** Bundles every entry, each written to a temporary name and renamed, so a start never imports half a file. */
async function bundle(newest) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: Object.entries(ENTRIES).map(([out, src]) => ({ in: join(root, src), out })),
    outdir: out,
    ...BUNDLE_OPTIONS,
    sourcemap: 'linked',
    write: false,
  });
  mkdirSync(out, { recursive: true });
  // The maps after the code, the stamp last: a start that sees the stamp sees every file.
  const files = [...result.outputFiles].sort((a, b) => Number(a.path.endsWith('.map')) - Number(b.path.endsWith('.map')));
  for (const file of files) {
    mkdirSync(dirname(file.path), { recursive: true });
    const temp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temp, file.contents);
    renameSync(temp, file.path);
  }
  const stamp = join(out, 'BUILT');
  // The stamp holds the newest source time seen before the build, so that a file saved during it
  // makes the next start build again.
  writeFileSync(`${stamp}.${process.pid}.tmp`, `${newest}\n`);
  renameSync(`${stamp}.${process.pid}.tmp`, stamp);
}

let built = -1;
try {
  built = Number(readFileSync(join(out, 'BUILT'), 'utf8'));
} catch {
  // Not built yet.
}
const newest = newestSource();
if (!(built >= newest)) await bundle(newest);
await import(pathToFileURL(join(out, 'cli.js')).href);
