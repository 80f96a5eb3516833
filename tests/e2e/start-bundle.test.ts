/**
 * `npm start` runs a bundle of src/ (scripts/start.mjs): it must serve exactly what the TypeScript
 * serves, build only when the sources are newer than the bundle, and share the article cache with the
 * TypeScript entry (the same parser fingerprint), so switching between `npm run dev` and `npm start`
 * costs no re-read.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { BUNDLE_OPTIONS } from '../../scripts/bundle-options.mjs';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES, removeTempDir } from '../support/factory.ts';
import { startServer } from '../support/live-server.ts';

const root = mkdtempSync(join(tmpdir(), 'tagfeeds-bundle-'));
const dist = fileURLToPath(new URL('../../build/', import.meta.url));
const state = join(root, 'state');
afterAll(() => removeTempDir(root));

const PATHS = ['/rss.xml', '/atom.xml', '/feed.json', '/tags', '/tags.opml', '/'];

async function snapshot(entry: 'tsx' | 'start') {
  const server = await startServer(['--articles-dir', FIXTURES.valid, '--base-url', 'http://feeds.example'], { STATE_DIR: state }, { entry });
  try {
    const bodies: string[] = [];
    for (const path of PATHS) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(200);
      bodies.push(await response.text());
    }
    return { bodies, loaded: /Loaded [^\n]*/u.exec(server.stdout())?.[0] ?? '' };
  } finally {
    await server.stop();
  }
}

describe('npm start (the bundle)', () => {
  it('serves the same bytes as the TypeScript, builds once, and reuses the cache the TypeScript wrote', async () => {
    const source = await snapshot('tsx');
    expect(source.loaded).not.toMatch(/unchanged since the last run/u);
    const bundled = await snapshot('start');
    expect(bundled.bodies).toEqual(source.bodies);
    // The rows the TypeScript entry wrote were taken as they are: same parser fingerprint.
    expect(bundled.loaded).toMatch(/, 0 read again, the rest unchanged since the last run\)/u);
    // Built (now or before) from sources no newer than what it records.
    const built = statSync(join(dist, 'BUILT')).mtimeMs;
    expect(Number(readFileSync(join(dist, 'BUILT'), 'utf8'))).toBeGreaterThanOrEqual(statSync(join(dist, '../src/cli.ts')).mtimeMs);
    for (const file of ['cli.js', 'worker.js', 'load-worker.js']) expect(statSync(join(dist, file)).size).toBeGreaterThan(0);
    // A second start with no source changed uses the bundle as it is.
    const again = await snapshot('start');
    expect(again.bodies).toEqual(source.bodies);
    expect(statSync(join(dist, 'BUILT')).mtimeMs).toBe(built);
  }, 60_000);
});

describe('the bundle', () => {
  it('imports no package but better-sqlite3: every other one is inside it, or loaded when called (esbuild)', async () => {
    const result = await build({
      entryPoints: ['cli.ts', 'export/worker.ts', 'articles/load-worker.ts'].map((f) => fileURLToPath(new URL(`../../src/${f}`, import.meta.url))),
      outdir: join(root, 'bundle-imports'),
      ...BUNDLE_OPTIONS,
      write: false,
      metafile: true,
    });
    const imported = new Set(Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path)));
    expect([...imported].filter((p) => !isBuiltin(p)).sort()).toEqual(['better-sqlite3']);
  }, 60_000);

  it('loads esbuild when one of its functions is called', async () => {
    // Beside the bundle, as build/cli.js is: esbuild is found from there.
    const out = fileURLToPath(new URL(`../../build/test-esbuild-${process.pid}/`, import.meta.url));
    try {
      await build({
        stdin: { contents: "import { transformSync } from 'esbuild'; export const code = transformSync('let a = 1', { minify: true }).code;", resolveDir: out, loader: 'js' },
        outfile: join(out, 'entry.js'),
        ...BUNDLE_OPTIONS,
      });
      const bundled = (await import(pathToFileURL(join(out, 'entry.js')).href)) as { code: string };
      expect(bundled.code).toBe('let a=1;\n');
    } finally {
      await removeTempDir(out);
    }
  }, 60_000);
});

describe('the bundled loader threads', () => {
  it('start from load-worker.js beside the bundle and load what this thread loads, parsing or only reading', async () => {
    // scripts/start.mjs bundles load.ts into cli.js and load-worker.ts beside it; do the same with
    // load.ts as the entry, so that its loader threads (used on machines of 3 cores or more) are tried.
    const out = fileURLToPath(new URL(`../../build/test-${process.pid}/`, import.meta.url));
    try {
      await build({
        entryPoints: [
          { in: fileURLToPath(new URL('../../src/articles/load.ts', import.meta.url)), out: 'load' },
          { in: fileURLToPath(new URL('../../src/articles/load-worker.ts', import.meta.url)), out: 'load-worker' },
        ],
        outdir: out,
        ...BUNDLE_OPTIONS,
      });
      const bundled = (await import(pathToFileURL(join(out, 'load.js')).href)) as typeof import('../../src/articles/load.ts');
      const threaded = await bundled.loadArticles(FIXTURES.valid, 1024 * 1024, { workers: 2 });
      const here = await bundled.loadArticles(FIXTURES.valid, 1024 * 1024, { workers: 0, readThread: false });
      const read = await bundled.loadArticles(FIXTURES.valid, 1024 * 1024, { workers: 0, readThread: true, readChunkBytes: 1024 });
      expect(threaded.threads).toBe(2);
      expect(read.readThread).toBe(true);
      expect(read.articles).toEqual(here.articles);
      const byFile = (r: typeof here) => [...r.articles].sort((a, b) => (a.file < b.file ? -1 : 1));
      expect(byFile(threaded)).toEqual(byFile(here));
      expect(here.articles.length).toBeGreaterThan(3);
    } finally {
      await removeTempDir(out);
    }
  }, 60_000);
});
