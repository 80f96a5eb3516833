/**
 * Media files: images and audio that articles show, kept in the `media/` folder of the articles folder
 * (not scanned for articles: subfolders never are) and named in front matter (`image: media/a.png`) or
 * linked from Markdown. Only these types are served, by extension; SVG is not among them: an SVG file
 * can carry script, and a media folder is for files the server passes on unread.
 */

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
