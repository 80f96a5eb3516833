/**
 * Article files -> articles. Pure: the caller reads the file and passes its bytes and modification time.
 *
 * Format (see README): optional YAML front matter; line 1 the title (Markdown: a leading `# ` heading);
 * lines end with LF or CRLF;
 * then the body, one paragraph per line; the last non-empty line, when every word on it starts with `#`,
 * is the tag line. Hashtags inside the body do not count as tags: only the tag line and front-matter
 * `tags` do, so prose such as "our #1 priority" or "C#" never creates a tag.
 */
import matter from 'gray-matter';
import { isUtf8 } from 'node:buffer';
import { readDate } from './dates.ts';
import { isMediaName, MEDIA_DIR, MEDIA_TYPES, mediaTypeOf } from './media.ts';
import { firstParagraphOf, firstParagraphText, lexMarkdown, MarkdownError, renderMarkdown, titleText, type MarkdownTokens } from './markdown.ts';
import { Lines } from './lines.ts';
import { detach } from './strings.ts';
import { isTagName, mergeTags, tagLineTags } from './tags.ts';
import { ArticleParseError, type Article, type ArticleFormat, type ArticleImage, type ArticleMeta, type MetaResult, type ParseResult, type SourceStamp } from './types.ts';
import { parseYaml } from './yaml.ts';

/** What the parser needs to know about the file besides its bytes. */
export interface ArticleFileInfo {
  id: string;
  file: string;
  format: ArticleFormat;
  source: SourceStamp;
}

/** Longest summary taken from the first paragraph, in characters, before it is shortened. */
export const SUMMARY_LENGTH = 280;


/** Parses the bytes of an article file; never throws. */
export function parseArticle(bytes: Uint8Array, info: ArticleFileInfo): ParseResult {
  return parseWith(bytes, info, true) as ParseResult;
}

/**
 * Parses what the index keeps of an article file, without rendering its body (what loading 100,000
 * files at start needs); never throws.
 */
export function parseArticleMeta(bytes: Uint8Array, info: ArticleFileInfo): MetaResult {
  return parseWith(bytes, info, false);
}

function parseWith(bytes: Uint8Array, info: ArticleFileInfo, withBody: boolean): ParseResult | MetaResult {
  try {
    return { ok: true, article: parseOrThrow(bytes, info, withBody) };
  } catch (error) {
    if (error instanceof ArticleParseError) return { ok: false, error };
    if (error instanceof MarkdownError) return { ok: false, error: new ArticleParseError(info.file, 'bad-markdown', error.message) };
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: new ArticleParseError(info.file, 'bad-front-matter', message) };
  }
}

function fail(info: ArticleFileInfo, reason: ArticleParseError['reason'], message: string, line?: number): never {
  throw new ArticleParseError(info.file, reason, message, line);
}

function checkBytes(bytes: Uint8Array, info: ArticleFileInfo): Buffer {
  if (bytes.length === 0) fail(info, 'empty', 'the file is empty');
  if (bytes.includes(0)) fail(info, 'binary', 'the file holds NUL bytes: a binary file, not text');
  if (!isUtf8(bytes)) fail(info, 'not-utf8', 'the file is not valid UTF-8');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

interface FrontMatter {
  title?: string;
  date?: Date;
  updated?: Date;
  author?: string;
  summary?: string;
  image?: ArticleImage;
  tags: string[];
  draft: boolean;
}

const NO_FRONT_MATTER: FrontMatter = { tags: [], draft: false };

/** Reads the front matter (`---` … `---` at the top) and returns it with the index of the first body line. */
function readFrontMatter(lines: Lines, info: ArticleFileInfo): { fm: FrontMatter; bodyStart: number } {
  if (lines.length === 0 || lines.text(0).trimEnd() !== '---') return { fm: NO_FRONT_MATTER, bodyStart: 0 };
  let close = 1;
  while (close < lines.length && lines.text(close).trimEnd() !== '---') close++;
  if (close >= lines.length) fail(info, 'bad-front-matter', 'front matter opened with --- is never closed', 1);
  let data: Record<string, unknown>;
  try {
    // Options are passed so that gray-matter does not keep every file in its module-level cache.
    // Timestamps stay text, so that `optionalDate` sees what was written (see yaml.ts).
    data = matter(`${lines.join(0, close + 1)}\n`, { excerpt: false, engines: { yaml: parseYaml } }).data ?? {};
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    fail(info, 'bad-front-matter', `front matter is not valid YAML: ${reason}`);
  }
  if (data.draft !== undefined && typeof data.draft !== 'boolean') {
    fail(info, 'bad-front-matter', '`draft` must be true or false');
  }
  const fm: FrontMatter = {
    title: optionalString(data, 'title', info),
    date: optionalDate(data, 'date', info),
    updated: optionalDate(data, 'updated', info),
    author: optionalString(data, 'author', info),
    summary: optionalString(data, 'summary', info),
    image: readImage(optionalString(data, 'image', info), optionalString(data, 'image_alt', info), info),
    tags: readTagList(data.tags, info),
    draft: data.draft === true,
  };
  return { fm, bodyStart: close + 1 };
}

/**
 * Front-matter `image`: an absolute http(s) URL, or a path inside the articles folder's `media/`
 * (`media/photo.jpg`); either way of a served media type (media.ts). A local file's length is read,
 * and its existence checked, when the file is read (files.ts): this parser sees bytes only.
 */
function readImage(value: string | undefined, alt: string | undefined, info: ArticleFileInfo): ArticleImage | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^https?:\/\//iu.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return fail(info, 'bad-front-matter', `\`image\` ${JSON.stringify(text)} is not a valid URL`);
    }
    const type = mediaTypeOf(url.pathname);
    if (!type) fail(info, 'bad-front-matter', `\`image\` must end in one of .${Object.keys(MEDIA_TYPES).join(', .')}`);
    return { url: url.href, type, length: 0, alt: detach(alt ?? '') };
  }
  const local = text.startsWith('./') ? text.slice(2) : text;
  const inside = local.startsWith(`${MEDIA_DIR}/`) ? local.slice(MEDIA_DIR.length + 1) : undefined;
  if (inside === undefined || !isMediaName(inside)) {
    fail(info, 'bad-front-matter', `\`image\` must be a file in ${MEDIA_DIR}/ (.${Object.keys(MEDIA_TYPES).join(', .')}) or an http(s) URL`);
  }
  return { local: detach(inside), type: mediaTypeOf(inside)!, length: 0, alt: detach(alt ?? '') };
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
  // Strings only: with timestamps kept as text (yaml.ts), a number or a list is no date.
  const reading = typeof value === 'string' ? readDate(value) : undefined;
  if (reading?.ok) return reading.date;
  if (reading?.problem) {
    fail(info, 'bad-front-matter', `\`${key}\` ${(value as string).trim()} is not a calendar date: ${reading.problem}`);
  }
  return fail(info, 'bad-front-matter', `\`${key}\` is not a date (use RFC 3339, e.g. 2024-05-01T09:30:00Z)`);
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

function parseOrThrow(bytes: Uint8Array, info: ArticleFileInfo, withBody: boolean): Article | ArticleMeta {
  const buffer = checkBytes(bytes, info);
  // A UTF-8 byte-order mark is not part of the text.
  const bom = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const lines = new Lines(buffer, bom);
  const { fm, bodyStart } = readFrontMatter(lines, info);

  // The tag line: the last non-empty line, when it is made only of hashtags.
  let end = lines.length;
  while (end > bodyStart && lines.isBlank(end - 1)) end--;
  const hashtags = end > bodyStart ? tagLineTags(lines.text(end - 1)) : undefined;
  if (hashtags) end--;

  // The title: front matter, else the first non-empty line (Markdown: without its `#`).
  let title = fm.title;
  let first = bodyStart;
  if (title === undefined) {
    while (first < end && lines.isBlank(first)) first++;
    if (first < end) {
      const line = lines.text(first).trim();
      title = info.format === 'markdown' ? titleText(line) : line;
      first++;
      // A setext heading (`Title` over a line of `=` or `-`): the underline is the title's, not the body's.
      if (info.format === 'markdown' && first < end && /^ {0,3}(?:=+|-+)[ \t]*$/u.test(lines.text(first))) first++;
    }
  }
  // A title made only of control characters would reach readers empty: it is no title.
  if (!title || title.replace(/[\u0000-\u001f\u007f-\u009f\uFFFE\uFFFF]/gu, '').trim() === '') {
    const why = hashtags ? 'the file holds only a tag line' : 'the file has no title line';
    fail(info, 'no-title', `no title: ${why}`, bodyStart + 1);
  }

  const tags = mergeTags(mergeTags([], hashtags ?? []), fm.tags);
  // Markdown is lexed once when the body is wanted, its summary and HTML both read from the tokens;
  // for metadata alone, only what the summary needs is lexed, and nothing is rendered.
  const source = info.format === 'markdown' ? lines.join(first, end) : undefined;
  const markdown: MarkdownTokens | undefined = source !== undefined && withBody ? lexMarkdown(source) : undefined;
  let firstParagraph = '';
  if (markdown !== undefined) firstParagraph = firstParagraphText(markdown);
  else if (source !== undefined) firstParagraph = firstParagraphOf(source);
  else {
    let p = first;
    while (p < end && lines.isBlank(p)) p++;
    if (p < end) firstParagraph = lines.text(p).trim();
  }

  const summary = fm.summary === undefined ? shortenText(firstParagraph, SUMMARY_LENGTH) : { text: fm.summary, cut: false };
  const mtime = new Date(info.source.mtimeMs);
  const date = fm.date ?? mtime;
  const modified = fm.updated ?? mtime;
  // Strings are detached from the file's text so that the index does not keep every whole file alive.
  const meta: ArticleMeta = {
    id: info.id,
    file: info.file,
    format: info.format,
    title: detach(title),
    date,
    // biome-ignore lint/complexity/useMathMinMax: these are Dates, and Math.max would give a number
    updated: modified > date ? modified : date,
    author: fm.author === undefined ? undefined : detach(fm.author),
    image: fm.image,
    summary: detach(summary.text),
    summaryCut: summary.cut,
    // Trimmed to its length: grown by push, the array kept room for 17 tags (8 MiB at 100,000 articles).
    tags: tags.slice(),
    draft: fm.draft,
    source: info.source,
  };
  if (!withBody) return meta;
  let contentHtml = markdown && renderMarkdown(markdown);
  if (contentHtml === undefined) {
    const paragraphs: string[] = [];
    for (let i = first; i < end; i++) if (!lines.isBlank(i)) paragraphs.push(`<p>${escapeHtml(lines.text(i).trim())}</p>`);
    contentHtml = paragraphs.join('\n');
  }
  return { ...meta, contentHtml };
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/gu, (c) => `&#${c.charCodeAt(0)};`);
}

// Punctuation and spaces dropped before the ellipsis of a shortened summary.
const TRAILING = ' \t,;:.–—-';

/**
 * Shortens text to at most `max` characters at a word boundary: the text kept, and whether it was cut
 * (then an ellipsis belongs after it; `summaryOf` adds it).
 */
export function shortenText(text: string, max: number): { text: string; cut: boolean } {
  if (text.length <= max) return { text, cut: false };
  // Cut on a code point boundary: never between the two halves of a surrogate pair.
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  const cut = text.slice(0, end);
  const space = Math.max(cut.lastIndexOf(' '), cut.lastIndexOf('\t'));
  let kept = space > max / 2 ? space : cut.length;
  while (kept > 0 && TRAILING.includes(cut[kept - 1]!)) kept--;
  return { text: cut.slice(0, kept), cut: true };
}
