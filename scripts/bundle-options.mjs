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
  external: ['better-sqlite3', 'esbuild'],
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
  logLevel: 'warning',
};
