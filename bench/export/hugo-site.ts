/**
 * The same corpus as a Hugo site, for comparing build times: one content folder with a file per article
 * (front matter title, date and tags; the paragraphs as Markdown), and two sites over it:
 *
 * - like for like (the main reference): `../shared/hugo-like`'s configuration and layouts, which build
 *   what our export builds: the home page and every tag as RSS with full content, Atom and JSON Feed
 *   (50 items each), and an HTML page per article, per tag and for the tag list;
 * - RSS only (the earlier reference, kept beside it): the `tags` taxonomy with Hugo's own RSS feed per
 *   tag (summaries, at most 50 items) and minimal layouts for an HTML page per article and per tag.
 */
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadArticles } from '../../src/articles/load.ts';

/** Items per feed, in both builds. */
export const FEED_LIMIT = 50;

const CONFIG = `baseURL = "http://feeds.example/"
title = "Bench"
languageCode = "en"
disableKinds = ["sitemap", "robotsTXT", "404"]
rssLimit = ${FEED_LIMIT}
[taxonomies]
tag = "tags"
[outputs]
home = ["HTML", "RSS"]
section = ["HTML", "RSS"]
taxonomy = ["HTML", "RSS"]
term = ["HTML", "RSS"]
page = ["HTML"]
`;

const SINGLE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }}</p>{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">#{{ . }}</a> {{ end }}</p></article></body></html>
`;

const LIST = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title>
{{ with .OutputFormats.Get "rss" }}<link rel="alternate" type="application/rss+xml" href="{{ .Permalink }}">{{ end }}</head>
<body><h1>{{ .Title }}</h1><ul>{{ range first ${FEED_LIMIT} .Pages }}<li><a href="{{ .Permalink }}">{{ .Title }}</a> {{ .Summary }}</li>{{ end }}</ul></body></html>
`;

/** Writes the RSS-only site's configuration and layouts into `siteDir` (content: `--contentDir`). */
export async function writeRssOnlySite(siteDir: string): Promise<void> {
  await mkdir(join(siteDir, 'layouts', '_default'), { recursive: true });
  await writeFile(join(siteDir, 'hugo.toml'), CONFIG);
  await writeFile(join(siteDir, 'layouts', '_default', 'single.html'), SINGLE);
  await writeFile(join(siteDir, 'layouts', '_default', 'list.html'), LIST);
}

/** Copies the like-for-like site's configuration and layouts (`../shared/hugo-like`) into `siteDir`. */
export async function writeLikeForLikeSite(hugoLikeDir: string, siteDir: string): Promise<void> {
  await mkdir(siteDir, { recursive: true });
  await cp(join(hugoLikeDir, 'hugo.toml'), join(siteDir, 'hugo.toml'));
  await cp(join(hugoLikeDir, 'layouts'), join(siteDir, 'layouts'), { recursive: true });
}

/** Writes the content folder (`articles/` under `contentDir`) for the articles in `articlesDir`; returns the number of pages. */
export async function writeHugoContent(articlesDir: string, contentDir: string): Promise<number> {
  const { articles } = await loadArticles(articlesDir, 1024 * 1024);
  const content = join(contentDir, 'articles');
  await mkdir(content, { recursive: true });
  for (const article of articles) {
    if (article.draft) continue;
    const text = (await readFile(article.file, 'utf8')).replace(/^---\n[\s\S]*?\n---\n/u, '');
    const lines = text.split('\n');
    while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
    // The first line is the title and the last the tag line; both are in the front matter instead.
    const body = lines.slice(1, -1).filter((l) => l.trim() !== '').join('\n\n');
    const front = { title: article.title, date: article.date.toISOString(), tags: article.tags.map((t) => t.label) };
    await writeFile(join(content, `${article.id}.md`), `${JSON.stringify(front, null, 1)}\n\n${body}\n`);
  }
  return articles.length;
}
