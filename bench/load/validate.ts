import { XMLValidator } from 'fast-xml-parser';
import type { BodyFormat } from './requests.ts';

const ROOTS: Partial<Record<BodyFormat, string>> = { rss: 'rss', atom: 'feed', opml: 'opml' };
const CONTENT_TYPES: Partial<Record<BodyFormat, string>> = {
  rss: 'application/rss+xml',
  atom: 'application/atom+xml',
  json: 'application/feed+json',
};
const utf8 = new TextDecoder('utf-8', { fatal: true });
// XML 1.0 section 2.2 (Char): no C0 controls other than tab, LF, CR, and no U+FFFE/U+FFFF (strict UTF-8
// decoding already rules out surrogates).
const FORBIDDEN_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// XML 1.0 section 4.6: without a DTD only these five named entities exist (fast-xml-parser does not check this).
const UNDEFINED_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9A-Fa-f]+);)[^\s;]{0,20};?/;

/** Body formats whose 200 responses are parsed (feeds and OPML). */
export function isCheckedFormat(format: BodyFormat): boolean {
  return format === 'rss' || format === 'atom' || format === 'json' || format === 'opml';
}

/** Returns the media type a format must be served with, or undefined where the contract names none. */
export function expectedContentType(format: BodyFormat): string | undefined {
  return CONTENT_TYPES[format];
}

function checkXml(text: string, root: string): string | undefined {
  const result = XMLValidator.validate(text);
  if (result !== true) return `XML not well-formed: ${result.err.code} ${result.err.msg} (line ${result.err.line}, col ${result.err.col})`;
  // The first `<` followed by a name character opens the root element (PIs are `<?`, comments and DOCTYPE `<!`).
  const found = /<([A-Za-z_][\w:.-]*)/.exec(text)?.[1];
  if (found !== root) return `root element is <${found}>, expected <${root}>`;
  const bad = FORBIDDEN_CHAR.exec(text);
  if (bad) return `character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} at offset ${bad.index} is not allowed in XML 1.0`;
  const outsideCdata = text.replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '');
  // XML 1.0 section 2.4: `]]>` may not occur in character data (fast-xml-parser lets it through).
  const terminator = outsideCdata.indexOf(']]>');
  if (terminator >= 0) return `"]]>" outside a CDATA section, near ${JSON.stringify(outsideCdata.slice(Math.max(0, terminator - 40), terminator + 3))}`;
  const entity = UNDEFINED_ENTITY.exec(outsideCdata);
  if (entity) return `undefined entity reference ${JSON.stringify(entity[0])}`;
  return undefined;
}

function checkJsonFeed(text: string): string | undefined {
  let feed: unknown;
  try {
    feed = JSON.parse(text);
  } catch (error) {
    return `JSON.parse failed: ${(error as Error).message}`;
  }
  const { version, items } = (feed ?? {}) as { version?: unknown; items?: unknown };
  if (typeof version !== 'string' || !version.startsWith('https://jsonfeed.org/version/1')) return `bad JSON Feed version ${JSON.stringify(version)}`;
  if (!Array.isArray(items)) return 'JSON Feed has no items array';
  const noId = items.findIndex((item: { id?: unknown }) => typeof item?.id !== 'string');
  if (noId >= 0) return `JSON Feed item ${noId} has no string id`;
  return undefined;
}

/**
 * Parses a 200 body of a checked format; returns why it fails, or undefined if it parses.
 * RSS, Atom and OPML: strict UTF-8, well-formed per fast-xml-parser's XMLValidator, the expected root element,
 * only XML 1.0 characters and predefined entities. JSON Feed: JSON.parse, a 1.x version URL, an items array with ids.
 * @example checkBody('json', Buffer.from('{}')) // 'bad JSON Feed version undefined'
 */
export function checkBody(format: BodyFormat, body: Buffer): string | undefined {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return 'body is not valid UTF-8';
  }
  if (format === 'json') return checkJsonFeed(text);
  const root = ROOTS[format];
  return root ? checkXml(text, root) : undefined;
}

const MEMO_MAX = 20_000;

/**
 * `checkBody` with a memo keyed by format and body hash: the server serves the same cached bytes many times,
 * and identical bytes parse the same way, so each distinct body is parsed once and every response is still judged.
 */
export class BodyChecker {
  private readonly memo = new Map<string, string | undefined>();
  /** Distinct bodies actually parsed. */
  distinct = 0;

  /** Returns why the body fails to parse, or undefined; `sha1` is the hex hash of `body`. */
  check(format: BodyFormat, body: Buffer, sha1: string): string | undefined {
    const key = `${format}:${sha1}`;
    if (this.memo.has(key)) return this.memo.get(key);
    this.distinct++;
    const failure = checkBody(format, body);
    if (this.memo.size < MEMO_MAX) this.memo.set(key, failure);
    return failure;
  }
}
