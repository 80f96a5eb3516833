/**
 * Writing the export's files: each one goes to a temporary name in its folder and is renamed into
 * place (rename(2) is atomic within a file system, so a host serving the folder sees the old file or
 * the new one, never half of one), and a file whose bytes have not changed is not written at all, so
 * its modification time, and any cache keyed on it, stays as it was.
 *
 * The calls are synchronous on purpose: a file is written the moment it is rendered, so rendered
 * bodies never queue up in memory behind the thread pool, and small writes cost less without the hop.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import type { FileSystemModule } from 'hono/ssg';
import { decodeOutputPath } from './routes.ts';

/** What the writer has done so far. */
export interface WriteCounts {
  /** Files produced by this export (written or unchanged). */
  files: number;
  written: number;
  unchanged: number;
}

/** Writes files under one folder; see the module comment. */
export class OutputWriter {
  readonly outDir: string;
  readonly #produced = new Set<string>();
  readonly #collisions: string[] = [];
  readonly #folders = new Set<string>();
  readonly #onFile: (counts: WriteCounts) => void;
  #written = 0;
  #unchanged = 0;

  /** `outDir` must be absolute; `onFile` is called after each file. */
  constructor(outDir: string, onFile: (counts: WriteCounts) => void = () => {}) {
    this.outDir = outDir;
    this.#onFile = onFile;
  }

  /** The counts so far. */
  get counts(): WriteCounts {
    return { files: this.#produced.size, written: this.#written, unchanged: this.#unchanged };
  }

  /** Every file produced, relative to the output folder, with `/` separators. */
  get produced(): ReadonlySet<string> {
    return this.#produced;
  }

  /** Files that two routes both mapped to (the later one won). */
  get collisions(): readonly string[] {
    return this.#collisions;
  }

  /** The file system module handed to hono's `toSSG`: paths arrive percent-encoded, under `outDir`. */
  fileSystem(): FileSystemModule {
    return {
      mkdir: async (path) => {
        this.#mkdir(path === this.outDir ? path : decodeOutputPath(this.outDir, path));
      },
      writeFile: async (path, data) => {
        this.#write(decodeOutputPath(this.outDir, path), data);
      },
    };
  }

  /** Writes one file given by its path relative to the output folder (`/` separators). */
  write(relativePath: string, data: string | Uint8Array): void {
    const file = join(this.outDir, ...relativePath.split('/'));
    this.#mkdir(dirname(file));
    this.#write(file, data);
  }

  #mkdir(folder: string): void {
    if (this.#folders.has(folder)) return;
    mkdirSync(folder, { recursive: true });
    this.#folders.add(folder);
  }

  #write(file: string, data: string | Uint8Array): void {
    const name = relative(this.outDir, file).split(sep).join('/');
    if (this.#produced.has(name)) this.#collisions.push(name);
    this.#produced.add(name);
    if (writeIfChanged(file, typeof data === 'string' ? Buffer.from(data, 'utf8') : data)) this.#written++;
    else this.#unchanged++;
    this.#onFile(this.counts);
  }
}

let temporaries = 0;

/**
 * Writes `bytes` to `file` through a temporary file in the same folder and a rename, unless the file
 * already holds exactly these bytes. Returns whether it wrote.
 */
export function writeIfChanged(file: string, bytes: Uint8Array): boolean {
  if (hasContent(file, bytes)) return false;
  // A dotfile: static hosts are told not to serve dotfiles, and it never looks like a route.
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}-${++temporaries}.tmp`);
  try {
    writeFileSync(temp, bytes);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return true;
}

/** Whether `file` exists and holds exactly `bytes` (the size is compared before anything is read). */
function hasContent(file: string, bytes: Uint8Array): boolean {
  const info = statSync(file, { throwIfNoEntry: false });
  if (!info?.isFile() || info.size !== bytes.byteLength) return false;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(readFileSync(file));
}
