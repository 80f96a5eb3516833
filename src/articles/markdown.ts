/**
 * Markdown bodies, read with marked (CommonMark + GFM). A body wanted whole is lexed once, and its
 * summary and HTML both come from those tokens; for the index, only the blocks and the first
 * paragraph's inline Markdown are lexed, and nothing is rendered.
 */
import { Lexer, Marked, type Token, type Tokens, type TokensList } from 'marked';
import { createContext, Script, type Context } from 'node:vm';

const marked = new Marked({ gfm: true, async: false });

/**
 * Markdown marked cannot read in reasonable time or at all: it is a bad file (`bad-markdown`), never a
 * stalled server. marked's inline lexing is quadratic in the delimiters of a paragraph (`_a` repeated
 * 40,000 times, 80 KB, took 6.6 s here; 600 KB more than 90 s), and it recurses once per level of block
 * quote or list (5,000 `> ` overflow the stack).
 */
export class MarkdownError extends Error {
  override name = 'MarkdownError';
}

/**
 * Sources from this many characters are read under MARKDOWN_BUDGET_MS. Below it marked's worst case
 * measured here stays small (`_a` × 4,000: 60–160 ms), and an article not budgeted costs nothing more;
 * a budgeted read costs ~0.13 ms more (a watchdog thread), next to the ~1 ms of reading 8 KB.
 */
export const BUDGET_FROM_CHARS = 8 * 1024;

/** The most time one read of a large Markdown source (lexing it, rendering it, its title) may take. */
export const MARKDOWN_BUDGET_MS = 1000;

/**
 * Why by hand: marked is synchronous and cannot be interrupted from JavaScript, and a worker thread per
 * read would copy every body across threads. node:vm's `timeout` interrupts whatever runs inside its
 * call (this realm's functions too: V8 terminates the execution, not the context) and throws
 * ERR_SCRIPT_EXECUTION_TIMEOUT, after which this thread runs on; marked keeps no state across reads
 * (each one makes its own Lexer), so a read cut short leaves nothing half-done behind.
 */
let budget: { context: Context; script: Script; busy: boolean } | undefined;

function guarded<T>(chars: number, read: () => T): T {
  try {
    if (chars < BUDGET_FROM_CHARS || budget?.busy) return read();
    budget ??= { context: createContext({ read: undefined }), script: new Script('read()'), busy: false };
    budget.context.read = read;
    budget.busy = true;
    try {
      return budget.script.runInContext(budget.context, { timeout: MARKDOWN_BUDGET_MS }) as T;
    } finally {
      budget.busy = false;
      budget.context.read = undefined;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new MarkdownError(`its Markdown (${chars} characters) took longer than ${MARKDOWN_BUDGET_MS / 1000} s to read, the limit: a paragraph of thousands of \`_\`, \`*\` or brackets makes it slow`);
    }
    if (error instanceof RangeError) throw new MarkdownError(`its Markdown nests too deeply to be read (block quotes or lists thousands of levels deep): ${error.message}`);
    throw error;
  }
}

/** A Markdown body as marked's tokens. */
export type MarkdownTokens = TokensList;

/** Lexes a Markdown body; the result feeds both `renderMarkdown` and `firstParagraphText`. */
export function lexMarkdown(source: string): MarkdownTokens {
  return guarded(source.length, () => marked.lexer(source));
}

/**
 * Renders lexed Markdown to HTML, with relative link and image targets made root-relative
 * (`rootRelativeTarget`). Root-relative, not absolute: this layer knows nothing of the site's base
 * URL, and bodies are cached and shared by every feed and page; feeds and pages make `/…` targets
 * absolute as they are built (SiteUrls.absoluteLinks), since a feed reader resolves relative URLs
 * against the feed's or the item's URL, or not at all.
 */
export function renderMarkdown(tokens: MarkdownTokens): string {
  let chars = 0;
  for (const token of tokens) chars += token.raw.length;
  return guarded(chars, () => {
    marked.walkTokens(tokens, (token) => {
      if (token.type === 'link' || token.type === 'image') token.href = rootRelativeTarget(token.href);
    });
    return marked.parser(tokens);
  });
}

/**
 * Where a relative Markdown target points on the site: `media/a.png` is the media file `/media/a.png`,
 * anything else relative is an article id (`other-article`, or `other-article.md` as the file is
 * named) under `/articles/`. Absolute URLs, `/…`, `#…` and `?…` stay as written.
 * @example rootRelativeTarget('media/a.png') // '/media/a.png'; rootRelativeTarget('./b.md#x') // '/articles/b#x'
 */
export function rootRelativeTarget(href: string): string {
  if (href === '' || /^(?:[a-z][a-z\d+.-]*:|[/#?])/iu.test(href)) return href;
  const path = href.startsWith('./') ? href.slice(2) : href;
  if (path.startsWith('media/')) return `/${path}`;
  const cut = path.search(/[?#]/u);
  const [id, rest] = cut < 0 ? [path, ''] : [path.slice(0, cut), path.slice(cut)];
  return `/articles/${id.replace(/\.(?:md|txt)$/u, '')}${rest}`;
}

/**
 * The plain text of the first paragraph, in document order (one inside a block quote or a loose list
 * counts; a `<p>` written as raw HTML does not): markup gives its text, raw HTML tags give nothing, an
 * image gives its alt text (what stands for it in text), a line break a space; entities are decoded.
 * Runs of white space become one space.
 * @example firstParagraphText(lexMarkdown('**Fish** &amp; <b>chips</b>')) // 'Fish & chips'
 */
export function firstParagraphText(tokens: MarkdownTokens): string {
  // Not timed (walking tokens is linear), but a walk thousands of levels deep is a MarkdownError too.
  return guarded(0, () => {
    const paragraph = findParagraph(tokens);
    return paragraph ? paragraphText(paragraph) : '';
  });
}

/**
 * `firstParagraphText(lexMarkdown(source))`, at a third of the cost: inline Markdown is most of
 * marked's lexing, and only the first paragraph's is needed. The blocks are lexed whole all the same,
 * since a link reference defined at the end changes how the first paragraph reads.
 */
export function firstParagraphOf(source: string): string {
  // A large source is lexed whole, within the budget: a paragraph past the first that marked cannot
  // read in time must make the file a bad file now, not stall every request for its body later.
  if (source.length >= BUDGET_FROM_CHARS) return firstParagraphText(lexMarkdown(source));
  return guarded(source.length, () => firstParagraphHere(source));
}

function firstParagraphHere(source: string): string {
  // What Lexer#lex does, with its inline pass run for one paragraph instead of every block.
  const lexer = new Lexer(marked.defaults);
  const tokens = lexer.blockTokens(source.replace(/\r\n?/gu, '\n'), lexer.tokens);
  const paragraph = findParagraph(tokens);
  if (!paragraph) return '';
  const queued = lexer.inlineQueue.find((entry) => entry.tokens === paragraph.tokens);
  // A marked that no longer queues inline work this way: lex it all.
  if (!queued) return firstParagraphText(lexMarkdown(source));
  lexer.state.inRawBlock = false;
  lexer.inlineTokens(queued.src, queued.tokens);
  return paragraphText(paragraph);
}

/**
 * A Markdown title line as plain text, as summaries are made: an ATX heading's `#`s (any level) and
 * closing `#`s left out, inline markup giving its text (`# The *best* \`code\`` is `The best code`).
 * @example titleText('## Fish &amp; *chips*') // 'Fish & chips'
 */
export function titleText(line: string): string {
  const heading = line.replace(/^#{1,6}(?:\s+|$)/u, '').replace(/\s+#+$/u, '');
  return guarded(heading.length, () => inlineText(Lexer.lexInline(heading, marked.defaults))).replace(/\s+/gu, ' ').trim();
}

function paragraphText(paragraph: Tokens.Paragraph): string {
  return inlineText(paragraph.tokens).replace(/\s+/gu, ' ').trim();
}

function findParagraph(tokens: readonly Token[]): Tokens.Paragraph | undefined {
  for (const token of tokens) {
    if (token.type === 'paragraph') return token as Tokens.Paragraph;
    const children = token.type === 'list' ? (token.items as Token[]) : token.type === 'blockquote' || token.type === 'list_item' ? token.tokens : undefined;
    const found = children && findParagraph(children);
    if (found) return found;
  }
  return undefined;
}

function inlineText(tokens: readonly Token[]): string {
  let text = '';
  for (const token of tokens) {
    switch (token.type) {
      // A raw tag gives nothing (un<b>til</b> is one word), but a <br> breaks the line as a br does.
      case 'html':
        if (/^<br\s*\/?>$/iu.test(token.text)) text += ' ';
        break;
      case 'br':
        text += ' ';
        break;
      // Code and backslash escapes hold their characters as written: nothing in them is an entity.
      case 'codespan':
      case 'escape':
        text += token.text;
        break;
      default:
        // strong, em, del, link, image (its alt text) and text carrying tokens: the text of their parts.
        if ('tokens' in token && token.tokens) text += inlineText(token.tokens);
        else if ('text' in token && typeof token.text === 'string') text += decodeEntities(token.text);
    }
  }
  return text;
}

// marked leaves named character references in text for the browser to decode (and decodes numeric
// ones itself, writing a bare & as &amp; when it does). The HTML5 list has over 2,000 names and no
// runtime dependency of ours carries it: these are the ones prose uses; others stay as written, which
// is also what a browser shows for a name it does not know.
const NAMED: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  shy: '\u00ad',
  copy: '©',
  reg: '®',
  trade: '™',
  deg: '°',
  middot: '·',
  bull: '•',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  times: '×',
  divide: '÷',
  plusmn: '±',
  minus: '−',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
};

/** Decodes character references, each once (`&amp;lt;` is `&lt;`). */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(?:#(\d{1,7})|#[xX]([\da-fA-F]{1,6})|([A-Za-z][A-Za-z\d]*));/gu, (whole, dec?: string, hex?: string, name?: string) => {
    if (name !== undefined) return NAMED[name] ?? whole;
    const code = dec !== undefined ? Number.parseInt(dec, 10) : Number.parseInt(hex!, 16);
    // As HTML (and marked) do: no NUL, no surrogate, nothing past U+10FFFF.
    return code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff) ? '\uFFFD' : String.fromCodePoint(code);
  });
}
