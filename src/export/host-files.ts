/**
 * The `_headers` file that static hosts such as Netlify and Cloudflare Pages read from the site's root:
 * the live server's security headers on every file, its Cache-Control (the longer ARCHIVE_MAX_AGE one on
 * archive documents), the feed media types, and CORS on the feeds and the OPML. No header is set by two
 * rules that match the same path, because those hosts join such values with commas.
 */
import { FEED_CONTENT_TYPES } from '../feeds/render.ts';
import { FEED_FORMATS } from '../feeds/types.ts';
import { cacheControl, type CachePolicy } from '../server/http.ts';
import { FEED_FILES } from '../urls.ts';

/** Name of the file in the output folder. */
export const HEADERS_FILE = '_headers';

/** The media type the server gives the OPML (see server/responses.ts). */
export const OPML_CONTENT_TYPE = 'text/x-opml; charset=utf-8';

/** Every path pattern that serves a feed or the OPML, with its media type. */
export const CORS_PATHS: readonly (readonly [path: string, contentType: string])[] = [
  ...FEED_FORMATS.flatMap((f) => [
    [`/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
    [`/tags/:tag/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
    [`/authors/:author/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
    // Archive documents (RFC 5005); their Cache-Control is in ARCHIVE_PATHS.
    [`/archive/:n/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
    [`/tags/:tag/archive/:n/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
  ]),
  ['/tags.opml', OPML_CONTENT_TYPE],
];

/**
 * The paths of archive documents, which get the archive Cache-Control. A `:placeholder` matches one path
 * segment on these hosts, so none of these patterns matches a path of CACHED_PATHS.
 */
export const ARCHIVE_PATHS: readonly string[] = ['/archive/:n/:file', '/tags/:tag/archive/:n/:file'];

/**
 * Every other path the export writes, which gets the Cache-Control of feeds and pages. It cannot be `/*`:
 * that would match the archives too, and the hosts would join both values into one header.
 */
export const CACHED_PATHS: readonly string[] = [
  '/',
  '/:file',
  '/page/:n',
  '/articles/:id',
  '/sitemaps/:file',
  '/tags/:tag',
  '/tags/:tag/:file',
  '/tags/:tag/page/:n',
  '/authors/:author',
  '/authors/:author/:file',
  '/media/*',
];

// `content-security-policy` -> `Content-Security-Policy`, as hosts' documentation writes them.
const headerName = (name: string) => name.replace(/(^|-)([a-z])/gu, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

/**
 * The `_headers` text for the cache policies of feeds and pages and of archive documents (as the server's
 * `cacheControl` headers) and the server's security headers (`SecurityHeaders.ready`).
 * @example renderHeadersFile({ maxAge: 300, sMaxAge: 300, staleWhileRevalidate: 60 }, { maxAge: 86400, sMaxAge: 86400, staleWhileRevalidate: 60 }, await new SecurityHeaders().ready)
 */
export function renderHeadersFile(policy: CachePolicy, archivePolicy: CachePolicy, security: Record<string, string>): string {
  const everyFile = Object.entries(security)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `  ${headerName(name)}: ${value}`);
  const cors = CORS_PATHS.flatMap(([path, type]) => [
    path,
    `  Content-Type: ${type}`,
    '  Access-Control-Allow-Origin: *',
    '  Access-Control-Expose-Headers: ETag',
    '',
  ]);
  const caching = (paths: readonly string[], value: string) => paths.flatMap((path) => [path, `  Cache-Control: ${value}`, '']);
  return [
    '# Response headers for static hosts that read a _headers file (Netlify, Cloudflare Pages).',
    '# Written by `npm run export` from the server configuration; see deploy/README.md.',
    '/*',
    ...everyFile,
    '',
    ...caching(CACHED_PATHS, cacheControl(policy)),
    ...caching(ARCHIVE_PATHS, cacheControl(archivePolicy)),
    ...cors,
  ].join('\n');
}
