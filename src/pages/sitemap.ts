/**
 * The sitemap (https://www.sitemaps.org/protocol.html) and robots.txt (RFC 9309) that let crawlers
 * reach every page: a `<urlset>` of at most 50,000 URLs, or a sitemap index of child sitemaps when
 * there are more, and a robots.txt that allows everything and names the sitemap.
 */
import { escapeXml } from '../feeds/xml-safe.ts';

/** Most URLs one sitemap file may list (sitemaps.org). */
export const SITEMAP_MAX_URLS = 50_000;

/** One URL of a sitemap, or one child sitemap of an index, with its last modification. */
export interface SitemapEntry {
  loc: string;
  lastmod: Date;
}

const NAMESPACE = 'http://www.sitemaps.org/schemas/sitemap/0.9';

// W3C Datetime (https://www.w3.org/TR/NOTE-datetime), to the second, in UTC as HTTP dates are.
const w3cDatetime = (d: Date) => `${d.toISOString().slice(0, 19)}Z`;

/** A `<urlset>` of pages. Locations are absolute URLs, entity-escaped as the protocol requires. */
export function renderSitemap(entries: readonly SitemapEntry[]): string {
  const urls = entries.map((e) => `  <url><loc>${escapeXml(e.loc)}</loc><lastmod>${w3cDatetime(e.lastmod)}</lastmod></url>\n`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="${NAMESPACE}">\n${urls.join('')}</urlset>\n`;
}

/** A `<sitemapindex>` of child sitemaps. */
export function renderSitemapIndex(entries: readonly SitemapEntry[]): string {
  const maps = entries.map((e) => `  <sitemap><loc>${escapeXml(e.loc)}</loc><lastmod>${w3cDatetime(e.lastmod)}</lastmod></sitemap>\n`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="${NAMESPACE}">\n${maps.join('')}</sitemapindex>\n`;
}

/** robots.txt: every path allowed, and the sitemap's absolute URL (the `Sitemap:` line must be absolute). */
export function renderRobots(sitemapUrl: string): string {
  return `User-agent: *\nAllow: /\n\nSitemap: ${sitemapUrl}\n`;
}
