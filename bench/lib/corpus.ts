import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawnTracked, stopChild } from './child.ts';
import { corporaDir, generatorPath } from './paths.ts';

/** A corpus size as asked for on the command line, e.g. `10k` = 10,000 articles. */
export interface CorpusSize {
  label: string;
  count: number;
}

/** A generated corpus folder, complete and ready to serve. */
export interface Corpus extends CorpusSize {
  dir: string;
}

/** Generator options; a changed list (or generator file) invalidates cached corpora. */
const GENERATOR_ARGS = ['--seed', '1', '--tags', '5000', '--frontmatter-ratio', '0.2'];
const GENERATE_TIMEOUT_MS = 15 * 60_000;

/** Names used by the new-article probe; leftovers of an interrupted run are removed before reuse. */
export const PROBE_FILE_PREFIX = 'bench-fresh-';

/** Parses `1k`, `10k`, `100k` or a plain number of articles. */
export function parseSize(text: string): CorpusSize {
  const match = /^(\d+)(k?)$/i.exec(text.trim());
  if (!match) throw new Error(`bad corpus size "${text}" (use e.g. 1k, 10k, 100k or 2500)`);
  const count = Number(match[1]) * (match[2] ? 1000 : 1);
  if (count < 1 || count > 1_000_000) throw new Error(`corpus size out of range: ${text}`);
  return { label: count % 1000 === 0 ? `${count / 1000}k` : String(count), count };
}

/** The cache marker stored next to a corpus folder once it is complete. */
export interface CorpusMarker {
  count: number;
  generatorArgs: string[];
  generatorSha256: string;
  /** Tags picked from this corpus (see tags.ts), cached because reading 100k files takes a while. */
  tags?: unknown;
}

function markerPath(count: number): string {
  return path.join(corporaDir, `articles-${count}.json`);
}

/** Reads a corpus's marker file, or undefined if missing or unreadable. */
export function readMarker(count: number): CorpusMarker | undefined {
  try {
    return JSON.parse(readFileSync(markerPath(count), 'utf8')) as CorpusMarker;
  } catch {
    return undefined;
  }
}

/** Writes (replaces) a corpus's marker file. */
export async function writeMarker(marker: CorpusMarker): Promise<void> {
  await writeFile(markerPath(marker.count), `${JSON.stringify(marker, null, 2)}\n`);
}

function generatorHash(): string {
  return createHash('sha256').update(readFileSync(generatorPath)).digest('hex');
}

function isArticleFile(name: string): boolean {
  return !name.startsWith('.') && !name.startsWith(PROBE_FILE_PREFIX) && /\.(txt|md)$/.test(name);
}

/** Lists the article files of a corpus folder (sorted), ignoring dotfiles and probe leftovers. */
export function listArticleFiles(dir: string): string[] {
  return readdirSync(dir).filter(isArticleFile).sort();
}

async function removeProbeLeftovers(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    if (name.startsWith(PROBE_FILE_PREFIX) || name.startsWith(`.${PROBE_FILE_PREFIX}`)) {
      await rm(path.join(dir, name), { force: true });
    }
  }
}

async function generate(size: CorpusSize, outDir: string): Promise<void> {
  const args = [generatorPath, '--out', outDir, '--count', String(size.count), ...GENERATOR_ARGS];
  const child = spawnTracked('corpus generator', process.execPath, args);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), GENERATE_TIMEOUT_MS);
  });
  const code = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (code === 'timeout') await stopChild(child, 1000);
  if (code !== 0) throw new Error(`corpus generator failed (${code}):\n${child.output()}`);
}

/**
 * Returns the corpus of `size` articles under bench/.corpora/, generating it with
 * the shared generator unless a complete copy (marker matches, file count matches) exists.
 */
export async function ensureCorpus(size: CorpusSize, log: (line: string) => void): Promise<Corpus> {
  if (!existsSync(generatorPath)) throw new Error(`corpus generator not found at ${generatorPath}`);
  const dir = path.join(corporaDir, `articles-${size.count}`);
  const hash = generatorHash();
  const marker = readMarker(size.count);
  if (existsSync(dir)) await removeProbeLeftovers(dir);
  const reusable = marker !== undefined && marker.count === size.count && marker.generatorSha256 === hash
    && JSON.stringify(marker.generatorArgs) === JSON.stringify(GENERATOR_ARGS)
    && existsSync(dir) && listArticleFiles(dir).length === size.count;
  if (reusable) {
    log(`corpus ${size.label}: reusing ${dir}`);
    return { ...size, dir };
  }
  const partial = `${dir}.partial`;
  await mkdir(corporaDir, { recursive: true });
  await rm(markerPath(size.count), { force: true });
  await rm(dir, { recursive: true, force: true });
  await rm(partial, { recursive: true, force: true });
  log(`corpus ${size.label}: generating ${size.count} articles ...`);
  const started = performance.now();
  await generate(size, partial);
  const files = listArticleFiles(partial).length;
  if (files !== size.count) throw new Error(`generator wrote ${files} files, expected ${size.count}`);
  await rename(partial, dir);
  await writeMarker({ count: size.count, generatorArgs: GENERATOR_ARGS, generatorSha256: hash });
  log(`corpus ${size.label}: generated in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { ...size, dir };
}
