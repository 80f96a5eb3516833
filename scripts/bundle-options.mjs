/**
 * How `npm start` bundles `src/` (scripts/start.mjs), in one place, so that the test of the bundled
 * loader threads (tests/e2e/start-bundle.test.ts) builds with exactly these settings.
 *
 * The packages are bundled too, but for the two that cannot be: better-sqlite3 (a native addon, found
 * by its own path) and esbuild (which starts its own binary, and is only called when running the
 * TypeScript). Loaded one by one from node_modules, the packages cost every start resolving, reading and
 * compiling their files one at a time: bundled, `npm run export` took 0.54 s of CPU to reach its
 * first line of work here against 0.67 s (a re-export after one change is a third start;
 * bench/RESULTS.md).
 *
 * The CommonJS packages inside the bundle still call `require` for node's own modules, so the bundle
 * defines one; it loads node's modules only. A package's require of another package is then the
 * optional kind that a bundler cannot see (`var r = require; r('esprima')`, as js-yaml does for its
 * unsafe `!!js/function` type, which the safe loading of front matter never uses): it fails as for a
 * package that is not installed, which each such package handles, rather than reading node_modules
 * behind the bundle's back (esprima alone was 0.05 s of each start).
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['better-sqlite3'],
  banner: {
    js: [
      "import { createRequire as __bundleCreateRequire, isBuiltin as __bundleIsBuiltin } from 'node:module';",
      'const __bundleRequire = __bundleCreateRequire(import.meta.url);',
      'const require = (id) => {',
      '  if (__bundleIsBuiltin(id)) return __bundleRequire(id);',
      "  throw Object.assign(new Error(\"Cannot find module '\" + id + \"' (the bundle loads node's own modules only)\"), { code: 'MODULE_NOT_FOUND' });",
      '};',
    ].join('\n'),
  },
  plugins: [lazyEsbuild()],
  logLevel: 'warning',
};

/**
 * esbuild in the bundle: each of its functions loads the package when first called, not at start.
 * Only the TypeScript entry calls it (src/articles/load.ts bundles its loader threads' code with it; the
 * bundle starts load-worker.js instead), yet importing it cost each start of the bundle 0.18 s of CPU
 * here (node reads a CommonJS package imported from ESM for its export names: 97 KB of it), more than
 * all the bundled packages together. The names are read from the installed esbuild when bundling.
 */
function lazyEsbuild() {
  return {
    name: 'lazy-esbuild',
    setup(build) {
      build.onResolve({ filter: /^esbuild$/ }, () => ({ path: 'esbuild', namespace: 'lazy-esbuild' }));
      build.onLoad({ filter: /.*/, namespace: 'lazy-esbuild' }, async () => {
        const esbuild = await import('esbuild');
        const names = Object.keys(esbuild).filter((name) => name !== 'default' && typeof esbuild[name] === 'function');
        const contents = [
          "import { createRequire } from 'node:module';",
          'let esbuild;',
          "const load = () => (esbuild ??= createRequire(import.meta.url)('esbuild'));",
          ...names.map((name) => `export function ${name}(...args) { return load().${name}(...args); }`),
        ].join('\n');
        return { contents, loader: 'js', resolveDir: process.cwd() };
      });
    },
  };
}
