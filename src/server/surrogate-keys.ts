/**
 * Surrogate keys: the names a shared cache (Varnish's xkey, Fastly, Cloudflare, RFC 9875 Cache-Groups)
 * files each response under, so that a change can drop exactly the responses whose bytes it changed.
 * A response depends on exactly one scope of the index (the scope the response cache keeps it under,
 * see cache.ts), so it carries that scope's key, plus `all` (every response: one purge empties the
 * cache, e.g. after a deploy that changes the templates) and `archive` on RFC 5005 archive documents.
 *
 * | scope           | key                          | responses                                              |
 * |-----------------|------------------------------|--------------------------------------------------------|
 * | `site`          | `site`                       | site feeds, home pages, site archives, sitemaps         |
 * | `tags`          | `tags`                       | the tag list page and the OPML                           |
 * | `tag:<key>`     | `t-<key>` or `th-<hash>`     | one tag's feeds, pages and archives                      |
 * | `article:<id>`  | `a-<id>` or `ah-<hash>`      | one article's page                                       |
 * | `fixed`         | `fixed`                      | robots.txt                                               |
 *
 * Header values are ASCII (RFC 9110 §5.5), and keys are separated by spaces (Surrogate-Key), commas
 * (Cache-Tag) or quoted in a structured list (Cache-Groups, RFC 8941 strings), so a key is readable
 * only when it is made of `[a-z0-9._-]` and at most 64 characters; any other tag or id (`#日本`,
 * `c++`) is named by a hash of its normalised key: 16 base64url characters of its SHA-256 (96 bits,
 * no collision in practice). The `h` after the prefix keeps the two forms apart.
 */
import { createHash } from 'node:crypto';
import type { CacheTagHeader } from '../config.ts';
import type { Prepared } from './prepared.ts';

/** The key every cacheable response carries. */
export const ALL_KEY = 'all';
/** The extra key of archive documents. */
export const ARCHIVE_KEY = 'archive';


const READABLE = /^[a-z0-9._-]{1,64}$/u;
const PREFIXES: Record<string, string> = { tag: 't', article: 'a' };

/** The surrogate key of an index scope; see the module comment. */
export function scopeKey(scope: string): string {
  const colon = scope.indexOf(':');
  if (colon < 0) return READABLE.test(scope) ? scope : `h-${hash(scope)}`;
  const name = scope.slice(0, colon);
  const value = scope.slice(colon + 1);
  const prefix = PREFIXES[name] ?? name;
  return READABLE.test(value) ? `${prefix}-${value}` : `${prefix}h-${hash(value)}`;
}

function hash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64url').slice(0, 16);
}

/** The keys of a response kept under `scopes`: the first names it, the others are what it depends on too. */
export function responseKeys(scopes: string | readonly string[], archive = false): string[] {
  const keys = [ALL_KEY, ...(typeof scopes === 'string' ? [scopes] : scopes).map(scopeKey)];
  return archive ? [...keys, ARCHIVE_KEY] : keys;
}

/** The keys to purge for the scopes a change touched: exactly the keys of the responses it changed. */
export function purgeKeys(scopes: Iterable<string>): string[] {
  return [...new Set([...scopes].map(scopeKey))];
}

/**
 * The key headers of a prepared response (none when no cache keeps it, e.g. a static export): always
 * `Surrogate-Key`, and `Cache-Tag` and `Cache-Groups` when asked for. A response has at most three
 * short keys, so each header stays far under the 16 KB that Cloudflare and Fastly accept.
 */
export function surrogateHeaders(extra: readonly CacheTagHeader[]): (prepared: Prepared) => Record<string, string> | undefined {
  return (prepared) => {
    if (prepared.scopes === undefined) return undefined;
    const keys = responseKeys(prepared.scopes, prepared.archive);
    const headers: Record<string, string> = { 'Surrogate-Key': keys.join(' ') };
    if (extra.includes('cache-tag')) headers['Cache-Tag'] = keys.join(',');
    // RFC 9875 §2: a List of Strings; keys hold no `"` or `\`, so none needs escaping.
    if (extra.includes('cache-groups')) headers['Cache-Groups'] = keys.map((k) => `"${k}"`).join(', ');
    return headers;
  };
}
