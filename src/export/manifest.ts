/**
 * The export's manifest, kept in the output folder: every file the last export produced, each with the
 * digest of its route's inputs (route-inputs.ts; empty for files that are not routes, such as `_headers`
 * and the media), the files of each group of routes apart with the group's digest, and the export's
 * fingerprint (fingerprint.ts). The next export renders only the routes
 * whose inputs changed when the fingerprint is the same, and removes the files of routes that no longer
 * exist; only files an export wrote are ever removed, anything else in the folder is left alone.
 */
import { readFile, rm, rmdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, sep } from 'node:path';
import { writeIfChanged } from './output-writer.ts';

/** Name of the manifest file in the output folder (a dotfile: static hosts are told not to serve it). */
export const MANIFEST_NAME = '.tagfeeds-export.json';

/**
 * A group of routes (route-inputs.ts) as the manifest keeps it: the group's digest and its files, each
 * name followed by its route's digest, in one string separated by NUL (no file name can hold one). An
 * export copies the string of a group it did not list again as it is, so a re-export after one change
 * makes no string per file of the ~4,500 tags it left alone (see ManifestFile).
 */
export interface GroupRecord {
  digest: string;
  files: string;
}

/** What an export recorded: its fingerprint ('' when the next export must render everything) and its files. */
export interface ManifestData {
  fingerprint: string;
  /** Files in no group (relative, `/` separators) -> digest of its route's inputs ('' for none). */
  files: Map<string, string>;
  /** Groups of routes listed together (a tag's feeds, archives and pages) -> their digest and files. */
  groups?: Map<string, GroupRecord>;
}

/** The previous export's manifest; `problem` says why it could not be used (then the fingerprint is empty). */
export interface PreviousExport extends ManifestData {
  problem?: string;
}

const SEPARATOR = '\0';

/** A group's files as GroupRecord keeps them; `entries` are file name and digest pairs. */
export function joinGroupFiles(entries: Iterable<readonly [string, string]>): string {
  const parts: string[] = [];
  for (const [name, digest] of entries) parts.push(name, digest);
  return parts.join(SEPARATOR);
}

/** The files of a GroupRecord, name -> digest; names that point outside the output folder are left out. */
export function splitGroupFiles(files: string): Map<string, string> {
  const parts = files === '' ? [] : files.split(SEPARATOR);
  const split = new Map<string, string>();
  for (let i = 0; i + 1 < parts.length; i += 2) if (isInside(parts[i]!)) split.set(parts[i]!, parts[i + 1]!);
  return split;
}

/** How many files a GroupRecord holds. */
export function countGroupFiles(files: string): number {
  let separators = 0;
  for (let at = files.indexOf(SEPARATOR); at !== -1; at = files.indexOf(SEPARATOR, at + 1)) separators++;
  return files === '' ? 0 : (separators + 1) / 2;
}

/**
 * Version 4 holds the files in no group as one flat array, name then digest (sorted by name), and the
 * groups as name, digest, files (GroupRecord's string; sorted by name). At 10k articles version 3 (every
 * file in the array, with its group) took ~0.13 s of a re-export to read and ~0.16 s to write, most of it
 * making and sorting ~96k strings; 2/3 of the files are in groups. Versions 2 and 3 are still read, their
 * files as files in no group.
 */
interface ManifestFile {
  generator: 'tagfeeds';
  version: 4;
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
    // Decoded at once: read with an encoding, the text comes in chunks joined into a string that
    // JSON.parse must flatten first, which cost more than the decoding (2.2 MB at 10k articles).
    text = (await readFile(file)).toString('utf8');
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
  const { version, fingerprint } = parsed;
  if ((version === 4 || version === 3) && typeof fingerprint === 'string' && Array.isArray(parsed.files) && Array.isArray(parsed.groups)) {
    const list: unknown[] = parsed.files;
    // Version 3: name, digest, group for every file (the groups' digests apart); read as files in no group.
    const step = version === 4 ? 2 : 3;
    for (let i = 0; i + step - 1 < list.length; i += step) {
      const name = list[i];
      const inputs = list[i + 1];
      if (typeof name === 'string' && isInside(name)) files.set(name, typeof inputs === 'string' ? inputs : '');
    }
    if (version === 3) return { fingerprint, files };
    const listed: unknown[] = parsed.groups;
    const groups = new Map<string, GroupRecord>();
    for (let i = 0; i + 2 < listed.length; i += 3) {
      const [name, digest, members] = [listed[i], listed[i + 1], listed[i + 2]];
      if (typeof name === 'string' && typeof digest === 'string' && typeof members === 'string') groups.set(name, { digest, files: members });
    }
    return { fingerprint, files, groups };
  }
  // The older list of names is version 1; a version 3 or 4 without its arrays is no list of names.
  if (Array.isArray(parsed.files) && version === undefined) {
    const files = new Map(parsed.files.filter((f): f is string => typeof f === 'string' && isInside(f)).map((f) => [f, '']));
    return { fingerprint: '', files, problem: `${file} is from an older version (no route inputs)` };
  }
  if (version !== 2 || typeof fingerprint !== 'string' || typeof parsed.files !== 'object' || parsed.files === null) {
    return { fingerprint: '', files: new Map(), problem: `${file} is not an export manifest of this version` };
  }
  for (const [name, inputs] of Object.entries(parsed.files)) if (isInside(name)) files.set(name, typeof inputs === 'string' ? inputs : '');
  return { fingerprint, files };
}

/**
 * Records an export (files and groups sorted, so the manifest changes only when they do). Rejects with
 * an error naming the manifest file when it cannot be written.
 */
export async function writeManifest(outDir: string, data: ManifestData): Promise<void> {
  const files = [...data.files.keys()].sort().flatMap((name) => [name, data.files.get(name)!]);
  const groups = [...(data.groups ?? new Map<string, GroupRecord>())].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).flatMap(([name, g]) => [name, g.digest, g.files]);
  const manifest: ManifestFile = { generator: 'tagfeeds', version: 4, fingerprint: data.fingerprint, files, groups };
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
export async function removeStale(outDir: string, previous: Iterable<string>, current: { has(name: string): boolean }): Promise<number> {
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
