/**
 * The export's fingerprint: a digest of what every exported file depends on alike, which the per-route
 * inputs (route-inputs.ts) leave out: the configuration, the code that renders (this program's sources
 * and its locked dependencies, `feed` among them) and the media files. When it differs from the one the
 * manifest recorded, the export renders every route again.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listMediaFiles, MEDIA_DIR } from '../articles/media.ts';
import type { Config } from '../config.ts';

/**
 * The package root: the nearest folder above this module with a package.json. This module may run from
 * `src/export/` (tsx) or from a bundle of `src/` in another folder (`build/`), so no fixed `..` fits both.
 */
function packageDir(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return dirname(fileURLToPath(import.meta.url));
  }
}
const PACKAGE_DIR = packageDir();
/** The sources every build of the program is made from; when absent (an installed copy), this module's own file. */
const SOURCE_DIR = join(PACKAGE_DIR, 'src');

let codeDigest: string | undefined;

/**
 * A digest of the program's sources and its lock file, so that a new version (or a local edit) of the
 * renderer counts as a change. Read once per process: ~100 files.
 */
function codeVersion(): string {
  if (codeDigest !== undefined) return codeDigest;
  const hash = createHash('sha1');
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) hash.update(`${path.slice(SOURCE_DIR.length)}\n`).update(readFileSync(path));
    }
  };
  if (existsSync(SOURCE_DIR)) walk(SOURCE_DIR);
  else hash.update(readFileSync(fileURLToPath(import.meta.url)));
  for (const name of ['package.json', 'package-lock.json']) {
    try {
      hash.update(readFileSync(join(PACKAGE_DIR, name)));
    } catch {
      // An installed copy may come without its lock file; the sources still tell versions apart.
    }
  }
  return (codeDigest = hash.digest('base64url'));
}

/** The fingerprint of an export with this configuration; see the module comment. */
export function exportFingerprint(config: Config): string {
  const media = listMediaFiles(config.articlesDir).map((name) => {
    const info = statSync(join(config.articlesDir, MEDIA_DIR, name));
    return [name, info.size, info.mtimeMs];
  });
  return createHash('sha1').update(JSON.stringify([codeVersion(), config, media])).digest('base64url');
}
