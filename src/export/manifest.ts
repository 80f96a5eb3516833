/**
 * The export's manifest: the list of files the last export produced, kept in the output folder. Files
 * of routes that no longer exist are found by comparing it with what this export produced, so only
 * files an export wrote are ever removed; anything else in the folder is left alone.
 */
import { readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { writeIfChanged } from './output-writer.ts';

/** Name of the manifest file in the output folder (a dotfile: static hosts are told not to serve it). */
export const MANIFEST_NAME = '.tagfeeds-export.json';

interface Manifest {
  generator: 'tagfeeds';
  files: string[];
}

/** The files the previous export produced (relative, `/` separators); empty when there was none. */
export async function readManifest(outDir: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(outDir, MANIFEST_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const parsed = JSON.parse(text) as Partial<Manifest>;
  if (parsed.generator !== 'tagfeeds' || !Array.isArray(parsed.files)) throw new Error(`${MANIFEST_NAME} in ${outDir} is not an export manifest`);
  return parsed.files.filter((f): f is string => typeof f === 'string' && isInside(f));
}

/**
 * Records the files an export produced (sorted, so the manifest changes only when the set does).
 * Rejects with an error naming the manifest file when it cannot be written.
 */
export async function writeManifest(outDir: string, files: Iterable<string>): Promise<void> {
  const manifest: Manifest = { generator: 'tagfeeds', files: [...new Set(files)].sort() };
  const file = join(outDir, MANIFEST_NAME);
  try {
    writeIfChanged(file, Buffer.from(`${JSON.stringify(manifest, null, 1)}\n`));
  } catch (error) {
    throw new Error(`cannot write the export manifest ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Removes the files of `previous` that are not in `current`, then the folders that this left empty.
 * Returns how many files were removed.
 */
export async function removeStale(outDir: string, previous: readonly string[], current: ReadonlySet<string>): Promise<number> {
  const folders = new Set<string>();
  let removed = 0;
  for (const name of previous) {
    if (current.has(name)) continue;
    const file = join(outDir, ...name.split('/'));
    await rm(file, { force: true });
    removed++;
    for (let dir = dirname(file); dir.length > outDir.length && dir.startsWith(outDir + sep); dir = dirname(dir)) folders.add(dir);
  }
  // Deepest first, so a parent is tried after its children; a folder still holding files stays.
  for (const dir of [...folders].sort((a, b) => b.length - a.length)) {
    try {
      await rmdir(dir);
    } catch {
      // Not empty (or already gone): keep it.
    }
  }
  return removed;
}

/** Whether a manifest entry names a file inside the output folder (a tampered manifest removes nothing else). */
function isInside(name: string): boolean {
  if (name === '' || isAbsolute(name) || name.includes('\\') || name.includes('\0')) return false;
  const clean = normalize(name);
  return clean === name && !clean.split('/').some((s) => s === '..' || s === '.' || s === '');
}
