/**
 * Media files: images and audio that articles show, kept in the `media/` folder of the articles folder
 * (not scanned for articles: subfolders never are) and named in front matter (`image: media/a.png`) or
 * linked from Markdown. Only these types are served, by extension; SVG is not among them: an SVG file
 * can carry script, and a media folder is for files the server passes on unread.
 */
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';

/** The folder, inside the articles folder, that media files live in and are served from (`/media/…`). */
export const MEDIA_DIR = 'media';

/** Media type by lower-case extension: the only files served from `/media/`. */
export const MEDIA_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  ogg: 'audio/ogg',
  // RFC 7845 §9: Ogg Opus files are audio/ogg (audio/opus names RTP payloads).
  opus: 'audio/ogg',
};

/** The media type of a path or URL path by its extension, if it is one that is served. */
export function mediaTypeOf(path: string): string | undefined {
  const dot = path.lastIndexOf('.');
  if (dot < 0 || path.indexOf('/', dot) >= 0) return undefined;
  return Object.hasOwn(MEDIA_TYPES, path.slice(dot + 1).toLowerCase()) ? MEDIA_TYPES[path.slice(dot + 1).toLowerCase()] : undefined;
}

/**
 * Whether `path` (relative to the media folder, `/`-separated, decoded) is a safe name: no empty, `.`
 * or `..` segment, no backslash or NUL, and a served extension.
 */
export function isMediaName(path: string): boolean {
  if (path === '' || /[\\\0]/u.test(path)) return false;
  if (path.split('/').some((s) => s === '' || s === '.' || s === '..')) return false;
  return mediaTypeOf(path) !== undefined;
}

/**
 * Every file the server would serve from the media folder of `articlesDir`, as `/`-separated paths
 * inside it (sorted), for the static export: served types only, regular files only (a symbolic link
 * is followed only when it stays inside the folder). None when there is no media folder.
 */
export function listMediaFiles(articlesDir: string): string[] {
  const folder = join(articlesDir, MEDIA_DIR);
  let root: string;
  try {
    root = realpathSync(folder);
  } catch {
    return [];
  }
  const found: string[] = [];
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const name = `${prefix}${entry.name}`;
      if (entry.name.startsWith('.')) continue;
      let real: string;
      try {
        real = realpathSync(join(dir, entry.name));
      } catch {
        continue;
      }
      const rel = relative(root, real);
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const stat = statSync(real);
      if (stat.isDirectory() && !entry.isSymbolicLink()) walk(join(dir, entry.name), `${name}/`);
      else if (stat.isFile() && isMediaName(name)) found.push(name);
    }
  };
  walk(folder, '');
  return found.sort();
}
