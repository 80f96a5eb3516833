import type { Random } from './random.ts';
import { SHARED_TAGS, WRITER_TAGS } from './writer-protocol.ts';

// Text that a feed must escape (or wrap in CDATA) correctly: markup, entities, a CDATA terminator, quotes,
// astral-plane emoji, right-to-left script and Markdown.
const TITLES = [
  'Q&A: <b>Markets</b> "rally" as \'talks\' resume',
  'Prices ]]> expectations & forecasts',
  'Rocket 🚀 launch delayed – שלום & Ελλάδα',
  'Markdown *emphasis* and `code` in a title',
  'Plain update on the grid upgrade',
];
const PARAGRAPHS = [
  'Officials said the <script>alert("x")</script> tag must never reach a reader unescaped & intact.',
  'A CDATA end marker ]]> sits in the middle of this sentence, followed by &amp; and &nbsp; literals.',
  'See [the report](https://example.com/report?a=1&b=2) and **bold** text, plus a list:\n\n- one\n- two',
  'Emoji 👩‍👩‍👧 and combining marks (e\u0301) and a zero-width joiner keep the byte counts interesting.',
  // Form feed and backspace, as pasted from old documents: XML 1.0 cannot carry them, so the server must drop them.
  'Pasted text with a form feed\u000C and a backspace\u0008 in it.',
  'Plain prose about budgets, ports, harvests and the currency, repeated to give the item some length. '.repeat(8),
];
const BAD_TEXTS: Array<(r: Random) => string> = [
  () => '',
  () => '   \n\n\t\n',
  () => '---\ntitle: [unclosed\ndate: : :\n---\nBroken front matter\n\nBody.\n#LoadWriterAlpha\n',
  () => '---\ndate: not-a-date\n---\n',
  // Larger than the default --max-file-size (1 MiB): the server must skip it.
  (r) => `Oversized article ${r.int(1e6)}\n\n${'x'.repeat(1_100_000)}\n#LoadWriterBeta\n`,
];

function pickTags(r: Random): string[] {
  const tags = new Set<string>();
  const own = 1 + r.int(3);
  while (tags.size < own) tags.add(r.pick(WRITER_TAGS));
  if (r() < 0.7) tags.add(r.pick(SHARED_TAGS));
  return [...tags];
}

/**
 * Builds a valid article for write number `seq`: optional front matter with a current date, a title and
 * paragraphs full of characters that feeds must escape, and a last line of hashtags.
 */
export function makeArticleText(r: Random, seq: number): string {
  const lines: string[] = [];
  if (r() < 0.7) {
    lines.push('---', `date: ${new Date().toISOString()}`, 'author: Load Writer');
    if (r() < 0.2) lines.push(`updated: ${new Date().toISOString()}`);
    if (r() < 0.2) lines.push(`summary: "Summary & <notes> for write ${seq}"`);
    if (r() < 0.05) lines.push('draft: true');
    lines.push('---');
  }
  lines.push(`${r.pick(TITLES)} (write ${seq})`, '');
  const count = 2 + r.int(3);
  for (let i = 0; i < count; i++) lines.push(r.pick(PARAGRAPHS), '');
  lines.push(pickTags(r).map((t) => `#${t}`).join(' '));
  return `${lines.join('\n')}\n`;
}

/** Builds a file the server must skip: empty, blank, broken front matter, no title, or over the size limit (rarely). */
export function makeBadText(r: Random): string {
  // The oversized variant (last) is drawn 1 time in 20 to keep the disk writes small.
  const index = r() < 0.05 ? BAD_TEXTS.length - 1 : r.int(BAD_TEXTS.length - 1);
  return BAD_TEXTS[index]!(r);
}
