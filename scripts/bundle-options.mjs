/**
 * How `npm start` bundles `src/` (scripts/start.mjs), in one place, so that the test of the bundled
 * loader threads (tests/e2e/start-bundle.test.ts) builds with exactly these settings.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // node_modules is read as usual, native better-sqlite3 included.
  packages: 'external',
  logLevel: 'warning',
};
