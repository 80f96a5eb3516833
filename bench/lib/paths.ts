import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (the folder holding package.json). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The shared corpus generator, `../shared/corpus/gen-articles.mjs` relative to the repo root. */
export const generatorPath = path.resolve(repoRoot, '../shared/corpus/gen-articles.mjs');

/** Cache folder for generated corpora (gitignored). */
export const corporaDir = path.join(repoRoot, 'bench', '.corpora');
