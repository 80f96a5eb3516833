/** The site's HTML pages. Everything that comes from an article is escaped, except its rendered body. */
import { html, raw } from 'hono/html';
import { summaryOf, type ArticleMeta, type Tag } from '../articles/types.ts';
import type { AuthorSummary, TagSummary } from '../articles/article-index.ts';
import { authorSlug } from '../articles/authors.ts';
import { imageUrl, type SiteInfo } from '../feeds/build.ts';
import type { FeedFormat } from '../feeds/types.ts';
import { feedLinks, renderPage } from './layout.ts';

function date(d: Date) {
  return html`<time datetime="${d.toISOString()}">${d.toISOString().slice(0, 10)}</time>`;
}

function tagList(site: SiteInfo, tags: readonly Tag[]) {
  // A space after each link: without one the list is a single unbreakable word that overflows the page.
  return html`<span class="tags">${tags.map((t) => html`<a href="${site.urls.tag(t.key)}">#${t.label}</a> `)}</span>`;
}

function articleList(site: SiteInfo, articles: readonly ArticleMeta[]) {
  if (articles.length === 0) return html`<p>No articles yet.</p>`;
  return html`<ul class="items">
${articles.map(
  (a) => html`<li><a href="${site.urls.article(a.id)}"><strong>${a.title}</strong></a><br>
<span class="meta">${date(a.date)} ${tagList(site, a.tags)}</span><br>${summaryOf(a)}</li>
`,
)}</ul>`;
}

/** Where a page sits in a paged list: page `page` (from 1, the newest) of `pages`. */
export interface PageInfo {
  page: number;
  pages: number;
}

/** The neighbours of a page, for `<link rel="prev|next">` and the visible links. */
function neighbours(site: SiteInfo, at: PageInfo, tagKey?: string): { prev?: string; next?: string } {
  return {
    ...(at.page > 1 ? { prev: site.urls.page(at.page - 1, tagKey) } : {}),
    ...(at.page < at.pages ? { next: site.urls.page(at.page + 1, tagKey) } : {}),
  };
}

function pager(links: { prev?: string; next?: string }) {
  if (!links.prev && !links.next) return '';
  return html`\n<nav class="pager">${links.prev ? html`<a rel="prev" href="${links.prev}">← Newer</a>` : ''}${links.prev && links.next ? ' · ' : ''}${links.next ? html`<a rel="next" href="${links.next}">Older →</a>` : ''}</nav>`;
}

const pageSuffix = (at: PageInfo) => (at.page > 1 ? ` · page ${at.page}` : '');

/**
 * A page of the home page's list, newest first: page 1 is `/`, then `/page/2`, … with links to the
 * next (older) and previous (newer) pages, and autodiscovery of the site feeds.
 */
export function homePage(site: SiteInfo, articles: readonly ArticleMeta[], at: PageInfo = { page: 1, pages: 1 }): string {
  const links = neighbours(site, at);
  return renderPage(
    site,
    { title: `${site.title}${pageSuffix(at)}`, canonical: site.urls.page(at.page), feeds: { title: site.title }, ...links },
    html`<h1>${site.title}</h1>
<p>${site.description}</p>
<p>Subscribe: ${feedLinks(site)}</p>
${articleList(site, articles)}${pager(links)}`,
  );
}

/** The author after an article's date, linking the author's page (none for a name without a slug). */
function byline(site: SiteInfo, author: string | undefined) {
  if (author === undefined) return '';
  const slug = authorSlug(author);
  return slug === '' ? html` · ${author}` : html` · <a rel="author" href="${site.urls.author(slug)}">${author}</a>`;
}

/** One article. `bodyHtml` is the article's rendered body (already escaped text, or Markdown HTML). */
export function articlePage(site: SiteInfo, article: ArticleMeta, bodyHtml: string): string {
  const image = article.image && imageUrl(site, article.image);
  const isPicture = article.image?.type.startsWith('image/') === true;
  return renderPage(
    site,
    {
      title: `${article.title} · ${site.title}`,
      canonical: site.urls.article(article.id),
      feeds: { title: site.title },
      openGraph: { title: article.title, description: summaryOf(article), ...(image && isPicture ? { image, imageAlt: article.image!.alt } : {}) },
    },
    html`<article>
<h1>${article.title}</h1>
<p class="meta">${date(article.date)}${byline(site, article.author)}</p>
${image ? (isPicture ? html`<figure><img src="${image}" alt="${article.image!.alt}"></figure>\n` : html`<figure><audio controls src="${image}"></audio>${article.image!.alt ? html`<figcaption>${article.image!.alt}</figcaption>` : ''}</figure>\n`) : ''}${raw(site.urls.absoluteLinks(bodyHtml))}
<p>${tagList(site, article.tags)}</p>
</article>`,
  );
}

/** Every tag with its article count. */
export function tagsPage(site: SiteInfo, tags: readonly TagSummary[]): string {
  return renderPage(
    site,
    { title: `Tags · ${site.title}`, canonical: site.urls.tags() },
    html`<h1>Tags</h1>
<p>${tags.length} tags. Every tag has its own feeds; <a href="${site.urls.opml()}">tags.opml</a> lists them all for import into a reader.</p>
<ul>
${tags.map((t) => html`<li><a href="${site.urls.tag(t.key)}">#${t.label}</a> (${t.count})</li>\n`)}</ul>`,
  );
}

/** A page of one tag's list (`/tags/{tag}`, then `/tags/{tag}/page/2`, …), with autodiscovery of its feeds. */
export function tagPage(site: SiteInfo, tag: Tag, count: number, articles: readonly ArticleMeta[], at: PageInfo = { page: 1, pages: 1 }): string {
  const links = neighbours(site, at, tag.key);
  return renderPage(
    site,
    {
      title: `#${tag.label}${pageSuffix(at)} · ${site.title}`,
      canonical: site.urls.page(at.page, tag.key),
      feeds: { title: `${site.title}: #${tag.label}`, tagKey: tag.key },
      ...links,
    },
    html`<h1>#${tag.label}</h1>
<p>${count} ${count === 1 ? 'article' : 'articles'}. Subscribe: ${feedLinks(site, tag.key)}</p>
${articleList(site, articles)}${pager(links)}`,
  );
}

/** What a list page other than the home and tag pages shows (a tag combination, an author). */
export interface ListPage {
  /** The page's heading, and the start of its title. */
  heading: string;
  /** A sentence under the heading (text, escaped). */
  lead: string;
  canonical: string;
  /** The feeds announced for autodiscovery, and their title. */
  feedTitle: string;
  feeds: Record<FeedFormat, string>;
}

/** A list of articles, newest first, with autodiscovery of its three feeds (a combination's or an author's page). */
export function listPage(site: SiteInfo, page: ListPage, articles: readonly ArticleMeta[]): string {
  return renderPage(
    site,
    { title: `${page.heading} · ${site.title}`, canonical: page.canonical, feeds: { title: page.feedTitle, urls: page.feeds } },
    html`<h1>${page.heading}</h1>
<p>${page.lead} Subscribe: ${feedLinks(site, undefined, page.feeds)}</p>
${articleList(site, articles)}`,
  );
}

/** Every author with their article count. */
export function authorsPage(site: SiteInfo, authors: readonly AuthorSummary[]): string {
  return renderPage(
    site,
    { title: `Authors · ${site.title}`, canonical: site.urls.authors() },
    html`<h1>Authors</h1>
<p>${authors.length} ${authors.length === 1 ? 'author' : 'authors'}, each with their own feeds.</p>
<ul>
${authors.map((a) => html`<li><a href="${site.urls.author(a.slug)}">${a.name}</a> (${a.count})</li>\n`)}</ul>`,
  );
}
