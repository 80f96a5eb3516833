/** The frame of every HTML page: small, plain, readable, no script, feed autodiscovery links. */
import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { FEED_FORMATS, type FeedFormat } from '../feeds/types.ts';
import type { SiteInfo } from '../feeds/build.ts';

/** Media types used in `<link rel="alternate">`, without parameters as autodiscovery expects. */
const LINK_TYPES: Record<FeedFormat, string> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};
const FORMAT_NAMES: Record<FeedFormat, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

/** What a page puts in its `<head>`. */
export interface PageHead {
  title: string;
  canonical: string;
  /** The feeds of this page, announced for autodiscovery. */
  feeds?: { title: string; tagKey?: string; urls?: Record<FeedFormat, string> };
  /** Open Graph properties (https://ogp.me), for link previews: `og:title`, `og:description`, `og:image`. */
  openGraph?: { title: string; description: string; image?: string; imageAlt?: string };
  /** The pages before and after this one in a paged list (HTML `rel="prev"`/`rel="next"`). */
  prev?: string;
  next?: string;
}

const STYLE = raw(`<style>
body{max-width:44rem;margin:2rem auto;padding:0 1rem;font:1.05rem/1.6 system-ui,sans-serif;color:#222;background:#fff}
a{color:#0645ad}header,footer{color:#555;font-size:.95rem}h1{line-height:1.25}img{max-width:100%;height:auto}
ul.items{list-style:none;padding:0}ul.items li{margin:0 0 1.4rem}
.meta{color:#666;font-size:.9rem}.tags a{margin-right:.5rem}
</style>`);

/** The links to a feed in its three formats: the site's, a tag's, or the given URLs (a combination's, an author's). */
export function feedLinks(site: SiteInfo, tagKey?: string, urls?: Record<FeedFormat, string>): HtmlEscapedString | Promise<HtmlEscapedString> {
  return html`${FEED_FORMATS.map(
    (f, i) => html`${i > 0 ? ' · ' : ''}<a href="${urls?.[f] ?? site.urls.feed(f, tagKey)}" type="${LINK_TYPES[f]}">${FORMAT_NAMES[f]}</a>`,
  )}`;
}

function openGraph(url: string, og: NonNullable<PageHead['openGraph']>) {
  return html`<meta property="og:type" content="article">
<meta property="og:url" content="${url}">
<meta property="og:title" content="${og.title}">
<meta property="og:description" content="${og.description}">
${og.image ? html`<meta property="og:image" content="${og.image}">\n` : ''}${og.image && og.imageAlt ? html`<meta property="og:image:alt" content="${og.imageAlt}">\n` : ''}`;
}

/** Renders a whole page around `body`. */
export function renderPage(site: SiteInfo, head: PageHead, body: HtmlEscapedString | Promise<HtmlEscapedString>): string {
  const alternates = head.feeds
    ? FEED_FORMATS.map(
        (f) =>
          html`<link rel="alternate" type="${LINK_TYPES[f]}" title="${head.feeds!.title} (${FORMAT_NAMES[f]})" href="${head.feeds!.urls?.[f] ?? site.urls.feed(f, head.feeds!.tagKey)}">\n`,
      )
    : [];
  const page = html`<!doctype html>
<html lang="${site.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${head.title}</title>
<link rel="canonical" href="${head.canonical}">
${head.openGraph ? openGraph(head.canonical, head.openGraph) : ''}${head.prev ? html`<link rel="prev" href="${head.prev}">\n` : ''}${head.next ? html`<link rel="next" href="${head.next}">\n` : ''}<link rel="icon" href="data:,">
${alternates}${STYLE}
</head>
<body>
<header><a href="${site.urls.home()}">${site.title}</a> · <a href="${site.urls.tags()}">Tags</a> · <a href="${site.urls.authors()}">Authors</a> · <a href="${site.urls.opml()}">OPML</a></header>
<main>
${body}
</main>
<footer>Feeds: ${feedLinks(site)}</footer>
</body>
</html>
`;
  return String(page);
}
