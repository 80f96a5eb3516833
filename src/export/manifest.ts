/**
 * The export's manifest, kept in the output folder: every file the last export produced, each with the
 * digest of its route's inputs (route-inputs.ts; empty for files that are not routes, such as `_headers`
 * and the media), and the export's fingerprint (fingerprint.ts). The next export renders only the routes
 * whose inputs changed when the fingerprint is the same, and removes the files of routes that no longer
 * exist; only files an export wrote are ever removed, anything else in the folder is left alone.
 */
import { readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { writeIfChanged } from './output-writer.ts';

/** Name of the manifest file in the output folder (a dotfile: static hosts are told not to serve it). */
export const MANIFEST_NAME = '.tagfeeds-export.json';

/** What an export recorded: its fingerprint ('' when the next export must render everything) and its files. */
export interface ManifestData {
  fingerprint: string;
  /** File (relative, `/` separators) -> digest of its route's inputs ('' for none). */
  files: Map<string, string>;
  /**
   * Groups of routes listed together (a tag's feeds, archives and pages: route-inputs.ts) -> the digest
   * of what they all are made from, and file -> its group: an export may copy an unchanged group's
   * files and digests from here rather than list its routes again.
   */
  groups?: Map<string, string>;
  fileGroups?: Map<string, string>;
}

/** The previous export's manifest; `problem` says why it could not be used (then the fingerprint is empty). */
export interface PreviousExport extends ManifestData {
  problem?: string;
}

/**
 * Version 3 holds the files as one flat array, name, digest, group ('' for none) after name (sorted by
 * name), and the groups as name, digest: at 10k articles a JSON object of ~32k keys took ~0.3 s of a
 * re-export to read and ~0.2 s to write, a flat array of strings a fraction of that (bench/RESULTS.md).
 * Version 2 (a `files` object) is still read.
 */
interface ManifestFile {
  generator: 'tagfeeds';
  version: 3;
  fingerprint: string;
  files: string[];
  groups: string[];
}

/**
 * The previous export's manifest. None (no file) is an empty one; an unreadable, corrupted or older one
 * is empty too, with the reason in `problem`, so the export falls back to a full one. An older manifest
 * (a list of files) still tells which files may be removed.
 */
export async function readManifest(outDir: string): Promise<PreviousExport> {
  const file = join(outDir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { fingerprint: '', files: new Map() };
    return { fingerprint: '', files: new Map(), problem: `cannot read ${file}: ${(error as Error).message}` };
  }
  let parsed: { generator?: unknown; version?: unknown; fingerprint?: unknown; files?: unknown; groups?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch (error) {
    return { fingerprint: '', files: new Map(), problem: `${file} is not valid JSON (${(error as Error).message})` };
  }
  if (parsed?.generator !== 'tagfeeds') return { fingerprint: '', files: new Map(), problem: `${file} is not an export manifest` };
  const files = new Map<string, string>();
  if (parsed.version === 3 && typeof parsed.fingerprint === 'string' && Array.isArray(parsed.files) && Array.isArray(parsed.groups)) {
    const list: unknown[] = parsed.files;
    const listed: unknown[] = parsed.groups;
    const groups = new Map<string, string>();
    const fileGroups = new Map<string, string>();
    for (let i = 0; i + 1 < listed.length; i += 2) {
      const name = listed[i];
      const digest = listed[i + 1];
      if (typeof name === 'string' && typeof digest === 'string') groups.set(name, digest);
    }
    for (let i = 0; i + 2 < list.length; i += 3) {
      const name = list[i];
      const inputs = list[i + 1];
      const group = list[i + 2];
      if (typeof name !== 'string' || !isInside(name)) continue;
      files.set(name, typeof inputs === 'string' ? inputs : '');
      if (typeof group === 'string' && group !== '') fileGroups.set(name, group);
    }
    return { fingerprint: parsed.fingerprint, files, groups, fileGroups };
  }
  // The older list of names is version 1; a version 3 without its arrays is no list of names.
  if (Array.isArray(parsed.files) && parsed.version === undefined) {
    const files = new Map(parsed.files.filter((f): f is string => typeof f === 'string' && isInside(f)).map((f) => [f, '']));
    return { fingerprint: '', files, problem: `${file} is from an older version (no route inputs)` };
  }
  if (parsed.version !== 2 || typeof parsed.fingerprint !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) {
    return { fingerprint: '', files: new Map(), problem: `${file} is not an export manifest of this version` };
  }
  for (const [name, inputs] of Object.entries(parsed.files)) if (isInside(name)) files.set(name, typeof inputs === 'string' ? inputs : '');
  return { fingerprint: parsed.fingerprint, files };
}

/**
 * Records an export (files sorted, so the manifest changes only when they do). Rejects with an error
 * naming the manifest file when it cannot be written.
 */
export async function writeManifest(outDir: string, data: ManifestData): Promise<void> {
  const files = [...data.files.keys()].sort().flatMap((name) => [name, data.files.get(name)!, data.fileGroups?.get(name) ?? '']);
  const groups = [...(data.groups ?? new Map<string, string>())].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).flat();
  const manifest: ManifestFile = { generator: 'tagfeeds', version: 3, fingerprint: data.fingerprint, files, groups };
  const file = join(outDir, MANIFEST_NAME);
  try {
    writeIfChanged(file, Buffer.from(`${JSON.stringify(manifest)}\n`));
  } catch (error) {
    throw new Error(`cannot write the export manifest ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Removes the files of `previous` that are not in `current`, then the folders that this left empty.
 * Returns how many files were removed.
 */
export async function removeStale(outDir: string, previous: Iterable<string>, current: ReadonlySet<string>): Promise<number> {
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
  // The usual name passes one regular expression (32k names of a 10k export: normalize() took ~0.09 s).
  if (PLAIN_NAME.test(name)) return true;
  if (name === '' || isAbsolute(name) || name.includes('\\') || name.includes('\0')) return false;
  const clean = normalize(name);
  return clean === name && !clean.split('/').some((s) => s === '..' || s === '.' || s === '');
}

/** Non-empty segments joined by `/`, none of them `.` or `..`, with no `\\` or NUL: what isInside accepts. */
const PLAIN_NAME = /^(?!\.\.?(?:\/|$))[^/\\\0]+(?:\/(?!\.\.?(?:\/|$))[^/\\\0]+)*$/u;
