/**
 * The `_headers` file that static hosts such as Netlify and Cloudflare Pages read from the site's root:
 * the live server's Cache-Control and security headers on every file, the feed media types, and CORS on
 * the feeds and the OPML. No header is set by two rules that match the same path, because those hosts
 * join such values with commas.
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
    // Archive documents (RFC 5005). They keep the Cache-Control of `/*`: these hosts would join a
    // second Cache-Control value to it with a comma, and cannot exclude paths from `/*`.
    [`/archive/:n/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
    [`/tags/:tag/archive/:n/${FEED_FILES[f]}`, FEED_CONTENT_TYPES[f]] as const,
  ]),
  ['/tags.opml', OPML_CONTENT_TYPE],
];

// `content-security-policy` -> `Content-Security-Policy`, as hosts' documentation writes them.
const headerName = (name: string) => name.replace(/(^|-)([a-z])/gu, (_m, dash: string, letter: string) => dash + letter.toUpperCase());

/**
 * The `_headers` text for a cache policy and the server's security headers (`SecurityHeaders.ready`).
 * @example renderHeadersFile({ maxAge: 300, sMaxAge: 300, staleWhileRevalidate: 60 }, await new SecurityHeaders().ready)
 */
export function renderHeadersFile(policy: CachePolicy, security: Record<string, string>): string {
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
  return [
    '# Response headers for static hosts that read a _headers file (Netlify, Cloudflare Pages).',
    '# Written by `npm run export` from the server configuration; see deploy/README.md.',
    '/*',
    `  Cache-Control: ${cacheControl(policy)}`,
    ...everyFile,
    '',
    ...cors,
  ].join('\n');
}
