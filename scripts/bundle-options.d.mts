/** Types of bundle-options.mjs, for the TypeScript tests that import it. */
export declare const BUNDLE_OPTIONS: import('esbuild').BuildOptions;
