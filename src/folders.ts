/**
 * Making a folder and the folders above it (`mkdir -p`), as the export's output and the state folder
 * need.
 *
 * Why by hand: node's own `mkdir(path, { recursive: true })` (libuv's) never returns for a path under
 * a folder where mkdir(2) answers ENOENT although the parent exists, such as anywhere in /proc or /sys:
 * `--out /proc/site` or `STATE_DIR=/proc/x` made the export and the server hang without a word. Here each
 * missing folder is made in turn from the nearest one that exists, so that such a path fails at once
 * with the system's reason, naming the folder that could not be made.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The folders of `dir` to make, outermost first: those from the nearest existing ancestor down. */
function missing(dir: string): string[] {
  const chain: string[] = [];
  let at = resolve(dir);
  while (!exists(at)) {
    chain.unshift(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  return chain;
}

/** Whether `path` exists; a path through a file (ENOTDIR) does not, and its making fails below. */
function exists(path: string): boolean {
  try {
    return statSync(path, { throwIfNoEntry: false }) !== undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
    throw error;
  }
}

function made(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'EEXIST';
}

/**
 * Makes `dir` and any folder above it that is missing. Throws the system's error for the first one
 * that cannot be made (its path in the message), or ENOTDIR when `dir` or an ancestor is a file.
 */
export function makeFolder(dir: string): void {
  for (const folder of missing(dir)) {
    try {
      mkdirSync(folder);
    } catch (error) {
      if (!made(error)) throw error;
    }
  }
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR' });
}
