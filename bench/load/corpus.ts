import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { trackChild } from './cleanup.ts';

/** What the request mix needs to know about the generated corpus. */
export interface CorpusInfo {
  /** Article ids (file names without extension). */
  ids: string[];
  /** Distinct hashtags as written in the files (mixed case, accents kept). */
  tags: string[];
  /** One entry per (article, tag) pair: picking from it favours popular tags as readers do. */
  tagOccurrences: string[];
}

/**
 * Runs the shared generator (`../shared/corpus/gen-articles.mjs` from the repo root) into `outDir`.
 * @example await generateCorpus('/repo', '/tmp/x/articles', 2000, 1)
 */
export async function generateCorpus(repoRoot: string, outDir: string, count: number, seed: number): Promise<void> {
  const script = path.resolve(repoRoot, '../shared/corpus/gen-articles.mjs');
  const child = trackChild(
    spawn(process.execPath, [script, '--out', outDir, '--count', String(count), '--seed', String(seed)], {
      stdio: ['ignore', 'inherit', 'inherit'],
    }),
  );
  const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
  if (code !== 0) throw new Error(`gen-articles.mjs failed (exit ${code ?? signal})`);
}

/** Reads the generated files and collects their ids and the hashtags on their last line. */
export async function scanCorpus(dir: string): Promise<CorpusInfo> {
  const names = (await readdir(dir)).filter((n) => /\.(txt|md)$/.test(n)).sort();
  const ids: string[] = [];
  const tagOccurrences: string[] = [];
  for (const name of names) {
    ids.push(name.replace(/\.(txt|md)$/, ''));
    const lines = (await readFile(path.join(dir, name), 'utf8')).trimEnd().split('\n');
    for (const word of lines.at(-1)!.split(/\s+/)) if (word.startsWith('#') && word.length > 1) tagOccurrences.push(word.slice(1));
  }
  return { ids, tags: [...new Set(tagOccurrences)], tagOccurrences };
}
