/**
 * Article files -> articles. Pure: the caller reads the file and passes its bytes and modification time.
 *
 * Format (see README): optional YAML front matter; line 1 the title (Markdown: a leading `# ` heading);
 * then the body, one paragraph per line; the last non-empty line, when every word on it starts with `#`,
 * is the tag line. Hashtags inside the body do not count as tags: only the tag line and front-matter
 * `tags` do, so prose such as "our #1 priority" or "C#" never creates a tag.
 */
import matter from 'gray-matter';
import { renderMarkdown } from './markdown.ts';
import { extractHashtags, isTagLine, isTagName, mergeTags } from './tags.ts';
import { ArticleParseError, type Article, type ArticleFormat, type ParseResult, type SourceStamp } from './types.ts';

/** What the parser needs to know about the file besides its bytes. */
export interface ArticleFileInfo {
  id: string;
  file: string;
  format: ArticleFormat;
  source: SourceStamp;
}

/** Longest summary taken from the first paragraph, in characters, before it is shortened. */
export const SUMMARY_LENGTH = 280;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Parses the bytes of an article file; never throws. */
export function parseArticle(bytes: Uint8Array, info: ArticleFileInfo): ParseResult {
  try {
    return { ok: true, article: parseOrThrow(bytes, info) };
  } catch (error) {
    if (error instanceof ArticleParseError) return { ok: false, error };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: new ArticleParseError(info.file, 'bad-front-matter', message) };
  }
}

function fail(info: ArticleFileInfo, reason: ArticleParseError['reason'], message: string, line?: number): never {
  throw new ArticleParseError(info.file, reason, message, line);
}

function decode(bytes: Uint8Array, info: ArticleFileInfo): string {
  if (bytes.length === 0) fail(info, 'empty', 'the file is empty');
  if (bytes.includes(0)) fail(info, 'binary', 'the file holds NUL bytes: a binary file, not text');
  try {
    return utf8.decode(bytes);
  } catch {
    return fail(info, 'not-utf8', 'the file is not valid UTF-8');
  }
}

interface FrontMatter {
  title?: string;
  date?: Date;
  updated?: Date;
  author?: string;
  summary?: string;
  tags: string[];
  draft: boolean;
}

function readFrontMatter(text: string, info: ArticleFileInfo): { fm: FrontMatter; body: string; bodyLine: number } {
  const empty: FrontMatter = { tags: [], draft: false };
  if (!/^---[ \t]*\n/.test(text)) return { fm: empty, body: text, bodyLine: 1 };
  if (!/\n---[ \t]*(\n|$)/.test(text.slice(3))) {
    fail(info, 'bad-front-matter', 'front matter opened with --- is never closed', 1);
  }
  let parsed: matter.GrayMatterFile<string>;
  try {
    // Options are passed so that gray-matter does not keep every file in its module-level cache.
    parsed = matter(text, { excerpt: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    fail(info, 'bad-front-matter', `front matter is not valid YAML: ${reason}`);
  }
  const data: Record<string, unknown> = parsed.data ?? {};
  const fmLines = text.length - parsed.content.length;
  const bodyLine = text.slice(0, fmLines).split('\n').length;
  const fm: FrontMatter = {
    title: optionalString(data, 'title', info),
    date: optionalDate(data, 'date', info),
    updated: optionalDate(data, 'updated', info),
    author: optionalString(data, 'author', info),
    summary: optionalString(data, 'summary', info),
    tags: readTagList(data.tags, info),
    draft: data.draft === true,
  };
  if (data.draft !== undefined && typeof data.draft !== 'boolean') {
    fail(info, 'bad-front-matter', '`draft` must be true or false');
  }
  return { fm, body: parsed.content, bodyLine };
}

function optionalString(data: Record<string, unknown>, key: string, info: ArticleFileInfo): string | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' || typeof value === 'number') return String(value).trim() || undefined;
  return fail(info, 'bad-front-matter', `\`${key}\` must be a string`);
}

function optionalDate(data: Record<string, unknown>, key: string, info: ArticleFileInfo): Date | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  const date = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    fail(info, 'bad-front-matter', `\`${key}\` is not a date (use RFC 3339, e.g. 2024-05-01T09:30:00Z)`);
  }
  return date;
}

function readTagList(value: unknown, info: ArticleFileInfo): string[] {
  if (value === undefined || value === null) return [];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[\s,]+/u) : undefined;
  if (!items) fail(info, 'bad-front-matter', '`tags` must be a list or a string');
  const tags: string[] = [];
  for (const item of items) {
    const name = String(item).trim().replace(/^#/u, '');
    if (name === '') continue;
    if (!isTagName(name)) fail(info, 'bad-front-matter', `tag ${JSON.stringify(String(item))} is not a valid hashtag`);
    tags.push(name);
  }
  return tags;
}

function parseOrThrow(bytes: Uint8Array, info: ArticleFileInfo): Article {
  // A UTF-8 byte-order mark is dropped by the decoder; CRLF and lone CR become LF.
  const text = decode(bytes, info).replace(/\r\n?/gu, '\n');
  const { fm, body, bodyLine } = readFrontMatter(text, info);
  const lines = body.split('\n');

  // The tag line: the last non-empty line, when it is made only of hashtags.
  let last = lines.length - 1;
  while (last >= 0 && lines[last]!.trim() === '') last--;
  let hashtags: string[] = [];
  if (last >= 0 && isTagLine(lines[last]!)) {
    hashtags = extractHashtags(lines[last]!);
    lines.length = last;
  }

  let title = fm.title;
  let bodyLines = lines;
  if (title === undefined) {
    const first = lines.findIndex((l) => l.trim() !== '');
    if (first >= 0) {
      const line = lines[first]!.trim();
      title = info.format === 'markdown' ? line.replace(/^#\s+/u, '').replace(/\s+#+$/u, '') : line;
      bodyLines = lines.slice(first + 1);
    }
  }
  if (!title) {
    const why = hashtags.length > 0 ? 'the file holds only a tag line' : 'the file has no title line';
    fail(info, 'no-title', `no title: ${why}`, bodyLine);
  }

  const tags = mergeTags(mergeTags([], hashtags), fm.tags);
  const paragraphs = bodyLines.map((l) => l.trim()).filter((l) => l !== '');
  const contentHtml =
    info.format === 'markdown'
      ? renderMarkdown(bodyLines.join('\n'))
      : paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  const firstParagraph = info.format === 'markdown' ? firstMarkdownParagraph(contentHtml) : (paragraphs[0] ?? '');

  const mtime = new Date(info.source.mtimeMs);
  const date = fm.date ?? mtime;
  const modified = fm.updated ?? mtime;
  return {
    id: info.id,
    file: info.file,
    format: info.format,
    title,
    date,
    updated: modified > date ? modified : date,
    author: fm.author,
    summary: fm.summary ?? shorten(firstParagraph, SUMMARY_LENGTH),
    tags,
    draft: fm.draft,
    source: info.source,
    contentHtml,
  };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}

/** Shortens text to at most `max` characters at a word boundary, adding an ellipsis when cut. */
export function shorten(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  const space = cut.search(/\s\S*$/u);
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.–—-]+$/u, '')}…`;
}

function firstMarkdownParagraph(html: string): string {
  const match = /<p>([\s\S]*?)<\/p>/u.exec(html);
  if (!match) return '';
  return match[1]!
    .replace(/<[^>]*>/gu, '')
    .replace(/&(#\d+|#x[\da-f]+|amp|lt|gt|quot|apos);/giu, (entity, code: string) => decodeEntity(entity, code))
    .replace(/\s+/gu, ' ')
    .trim();
}

function decodeEntity(entity: string, code: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
  if (code.startsWith('#x') || code.startsWith('#X')) return String.fromCodePoint(parseInt(code.slice(2), 16));
  if (code.startsWith('#')) return String.fromCodePoint(parseInt(code.slice(1), 10));
  return named[code.toLowerCase()] ?? entity;
}
