// The naive reference server for the benchmark: it loads every article at start
// and rebuilds the requested feed with `feed` on EVERY request, by filtering all
// articles. Usage: node --import tsx bench/naive/server.ts [ARTICLES_DIR] [PORT]
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { Feed } from 'feed';
import { Hono } from 'hono';

/** An article as the naive server keeps it. */
interface Article { id: string; title: string; paragraphs: string[]; tags: string[]; date: Date }

const dir = process.argv[2] ?? process.env.ARTICLES_DIR ?? 'articles';
const port = Number(process.argv[3] ?? process.env.PORT ?? 3001);
const base = `http://127.0.0.1:${port}`;
const LIMIT = 20;
const norm = (t: string): string => t.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function parse(file: string): Article | undefined {
  let lines = readFileSync(path.join(dir, file), 'utf8').split('\n').map((l) => l.trim());
  if (lines[0] === '---') lines = lines.slice(lines.indexOf('---', 1) + 1); // front matter: skipped
  lines = lines.filter(Boolean);
  const last = lines.at(-1) ?? '';
  const tags = last.startsWith('#') ? last.split(/\s+/).filter((w) => w.startsWith('#')).map((w) => norm(w.slice(1))) : [];
  const paragraphs = lines.slice(1, tags.length > 0 ? -1 : undefined);
  if (!lines[0] || paragraphs.length === 0) return undefined;
  return { id: file.replace(/\.(txt|md)$/, ''), title: lines[0], paragraphs, tags, date: statSync(path.join(dir, file)).mtime };
}

const articles = readdirSync(dir).filter((f) => /\.(txt|md)$/.test(f) && !f.startsWith('.'))
  .map(parse).filter((a): a is Article => a !== undefined)
  .sort((a, b) => b.date.getTime() - a.date.getTime());

const formats: Record<string, [string, (f: Feed) => string]> = {
  'rss.xml': ['application/rss+xml; charset=utf-8', (f) => f.rss2()],
  'atom.xml': ['application/atom+xml; charset=utf-8', (f) => f.atom1()],
  'feed.json': ['application/feed+json; charset=utf-8', (f) => f.json1()],
};

function render(list: Article[], title: string, prefix: string, file: string): Response {
  const [type, serialize] = formats[file]!;
  const feed = new Feed({ title, id: `${base}${prefix}/`, link: `${base}${prefix}/`, updated: list[0]?.date,
    feedLinks: { rss: `${base}${prefix}/rss.xml`, atom: `${base}${prefix}/atom.xml`, json: `${base}${prefix}/feed.json` } });
  for (const a of list.slice(0, LIMIT)) {
    const link = `${base}/articles/${a.id}`;
    feed.addItem({ title: a.title, id: link, link, date: a.date, description: a.paragraphs[0],
      content: a.paragraphs.map((p) => `<p>${escapeText(p)}</p>`).join('\n'), category: a.tags.map((name) => ({ name })) });
  }
  return new Response(serialize(feed), { headers: { 'content-type': type } });
}

const app = new Hono();
for (const file of Object.keys(formats)) {
  app.get(`/${file}`, () => render(articles, 'Naive feed', '', file));
  app.get(`/tags/:tag/${file}`, (c) => {
    const tag = norm(c.req.param('tag'));
    const list = articles.filter((a) => a.tags.includes(tag));
    return list.length === 0 ? c.text('Unknown tag', 404) : render(list, `#${tag}`, `/tags/${tag}`, file);
  });
}

console.log(`Loaded ${articles.length} articles from ${dir}`);
serve({ fetch: app.fetch, hostname: '127.0.0.1', port }, (info) => console.log(`Listening on http://127.0.0.1:${info.port}`));
