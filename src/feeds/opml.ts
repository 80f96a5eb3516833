/** The OPML 2.0 list of every tag's feed (http://opml.org/spec2.opml), for importing into a reader. */
import type { AuthorSummary, TagSummary } from '../articles/article-index.ts';
import type { SiteInfo } from './build.ts';
import { escapeXml, stripForbidden } from './xml-safe.ts';

const attr = (text: string) => escapeXml(stripForbidden(text)).replaceAll('"', '&quot;');

/** Renders the OPML: the site feed first, then one outline per tag, then one per author, each's RSS feed as `xmlUrl`. */
export function renderOpml(site: SiteInfo, tags: readonly TagSummary[], updated: Date, authors: readonly AuthorSummary[] = []): string {
  const outline = (text: string, xmlUrl: string, htmlUrl: string) =>
    `    <outline type="rss" text="${attr(text)}" title="${attr(text)}" xmlUrl="${attr(xmlUrl)}" htmlUrl="${attr(htmlUrl)}"/>`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${attr(site.title)}: tag feeds</title>`,
    `    <dateModified>${updated.toUTCString()}</dateModified>`,
    `    <docs>http://opml.org/spec2.opml</docs>`,
    '  </head>',
    '  <body>',
    outline(site.title, site.urls.feed('rss'), site.urls.home()),
    `    <outline text="Tags" title="Tags">`,
    ...tags.map((t) => `  ${outline(`${site.title}: #${t.label}`, site.urls.feed('rss', t.key), site.urls.tag(t.key))}`),
    '    </outline>',
    ...(authors.length === 0
      ? []
      : [
          `    <outline text="Authors" title="Authors">`,
          ...authors.map((a) => `  ${outline(`${site.title}: ${a.name}`, site.urls.authorFeed('rss', a.slug), site.urls.author(a.slug))}`),
          '    </outline>',
        ]),
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}
