/**
 * How routes become file names: the extension of each media type the app answers with, and the
 * percent-decoding of path segments, so that the file for `/tags/%E6%97%A5%E6%9C%AC/rss.xml` is
 * `tags/日本/rss.xml`, the name a static host looks up after decoding the request path.
 */
import { sep } from 'node:path';

/**
 * File extension for each media type; a route that already ends in its extension keeps its name, any
 * other gets the extension appended (`/tags` -> `tags.html`, `/` -> `index.html`).
 */
export const EXTENSION_MAP: Record<string, string> = {
  'text/html': 'html',
  'application/rss+xml': 'xml',
  'application/atom+xml': 'xml',
  'application/feed+json': 'json',
  'text/x-opml': 'opml',
  'application/xml': 'xml',
  'text/plain': 'txt',
};

/**
 * The file system path of a file that `toSSG` names with percent-encoded segments under `outDir`.
 * Throws when a decoded segment could leave its folder.
 */
export function decodeOutputPath(outDir: string, encoded: string): string {
  const prefix = outDir.endsWith('/') ? outDir : `${outDir}/`;
  if (!encoded.startsWith(prefix)) throw new Error(`export path ${encoded} is outside ${outDir}`);
  const segments = encoded
    .slice(prefix.length)
    .split('/')
    .map((segment) => {
      const decoded = decodeURIComponent(segment);
      if (decoded === '' || decoded === '.' || decoded === '..' || decoded.includes('/') || decoded.includes(sep) || decoded.includes('\0')) {
        throw new Error(`export path ${encoded} has an unsafe segment`);
      }
      return decoded;
    });
  return prefix + segments.join('/');
}
