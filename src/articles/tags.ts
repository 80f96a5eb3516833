/**
 * Hashtags: what counts as one, and the one normalisation used both when parsing and when looking up.
 *
 * The key follows Mastodon's HashtagNormalizer (app/lib/hashtag_normalizer.rb: NFKC, Ruby's downcase,
 * then the ASCIIFolding table of Latin-1 and Latin Extended-A letters), so that spellings Mastodon
 * takes for one tag are one tag here. It merges a few more, on purpose:
 * - case is folded, not lowered: Ruby's downcase has no final-sigma rule (ΣΟΦΟΣ -> σοφοσ) while
 *   JavaScript's has (ΣΟΦΟΣ -> σοφος), and a typed ς stays ς in both; folded, every sigma is σ. Also
 *   ß and ẞ fold to ss (Mastodon keeps ß), an iota subscript to ι, Cherokee to its capitals;
 * - every Latin letter loses its combining marks, not only those in Mastodon's table (ǎ, ệ), and
 *   İ gives i: lowered it is i + U+0307, whose dot Mastodon keeps (a mark is [[:alnum:]] to Ruby);
 * - æ, œ and þ become ae, oe and th.
 */
import { detach } from './strings.ts';
import type { Tag } from './types.ts';

// Letters of any script (with their combining marks), digits and underscores; at least one letter,
// so `#1` or `#2024` is no tag. Trailing punctuation is not matched: `#Geopolitics.` -> Geopolitics.
const HASHTAG = /#([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)/gu;
const WHOLE_TAG = /^[\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*$/u;

// Latin letters that carry no combining mark after NFD, folded all the same: ħ ŧ ŋ ĸ ı đ ð ł ø as
// Mastodon's ASCIIFolding table does; ß (the case folding of ß and ẞ is "ss"), æ, œ and þ beyond it.
const LATIN_SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ħ: 'h',
  ĸ: 'k',
  ł: 'l',
  ŋ: 'n',
  ŧ: 't',
  þ: 'th',
  ı: 'i',
};

// Where full case folding (Unicode CaseFolding.txt, status C and F) differs from toLowerCase once NFKC
// has been applied, outside Latin (whose one case, ß, the Latin folding handles). NFKC already takes
// care of the rest: µ ſ ϐ ϑ ϕ ϖ ϰ ϱ ϵ ẛ ι and the ligatures (ﬁ ﬅ և…) are compatibility characters,
// and the other F foldings (ΐ ΰ ǰ ẖ…) are canonically equivalent to their lower case. Checked against
// Python's str.casefold over every code point. JavaScript has no full case folding of its own.
const FOLD_SPECIAL: Record<string, string> = {
  // toLowerCase writes a word-final capital sigma as ς (Unicode's Final_Sigma rule); folded it is σ,
  // so that ΣΟΦΟΣ, σοφος and σοφοσ are one tag.
  ς: 'σ',
  // The iota subscript (alone after NFD: ᾳ is α + U+0345) folds to an iota; ᾼ upper-cases to ΑΙ.
  '\u0345': 'ι',
  // Cyrillic letter variants of Old Church Slavonic, lower case already; they fold to the plain letter.
  '\u1c80': 'в',
  '\u1c81': 'д',
  '\u1c82': 'о',
  '\u1c83': 'с',
  '\u1c84': 'т',
  '\u1c85': 'т',
  '\u1c86': 'ъ',
  '\u1c87': 'ѣ',
  '\u1c88': 'ꙋ',
};
// biome-ignore lint/suspicious/noMisleadingCharacterClass: each entry is one code point (the u flag), a combining one included on purpose
const NEEDS_FOLD = /[ς\u0345\u1c80-\u1c88\u13f8-\u13fd\uab70-\uabbf\u1f80-\u1faf\u1fb2-\u1fb4\u1fb7\u1fc2-\u1fc4\u1fc7\u1ff2-\u1ff4\u1ff7]/u;

/** Full case folding of text already in NFKC and lower case (see FOLD_SPECIAL). */
function foldCase(lower: string): string {
  if (!NEEDS_FOLD.test(lower)) return lower;
  return lower
    .normalize('NFD')
    // biome-ignore lint/suspicious/noMisleadingCharacterClass: U+0345 stands alone here, after NFD
    .replace(/[ς\u0345\u1c80-\u1c88]/gu, (c) => FOLD_SPECIAL[c]!)
    // Cherokee folds to its capitals (encoded first), the one script that folds upward.
    .replace(/[\u13f8-\u13fd]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 8))
    .replace(/[\uab70-\uabbf]/gu, (c) => String.fromCharCode(c.charCodeAt(0) - 0xab70 + 0x13a0));
}

/**
 * Normalises a hashtag much as Mastodon does (see the module comment): NFKC, full Unicode case folding,
 * Latin diacritics folded; other scripts are kept as written, case-folded.
 * Results are remembered, since tags repeat across articles; names from requests go through
 * `normalizeRequestedTag`, the same normalisation without the memory.
 * @example normalizeTag('España') // 'espana'; normalizeTag('Ελλάδα') // 'ελλάδα'; normalizeTag('ΣΟΦΟΣ') // 'σοφοσ'
 */
export function normalizeTag(tag: string): string {
  let key = normalized.get(tag);
  if (key === undefined) {
    key = normalizeUncached(tag);
    // Tags repeat across articles: the vocabulary is small next to the corpus. Bounded all the same.
    if (normalized.size >= MAX_REMEMBERED) normalized.clear();
    normalized.set(detach(tag), key);
  }
  return key;
}

/** `normalizeTag` for a name from a request: nothing is remembered, so a crawl of made-up tags costs no memory. */
export function normalizeRequestedTag(tag: string): string {
  return normalized.get(tag) ?? normalizeUncached(tag);
}

const MAX_REMEMBERED = 100_000;
const normalized = new Map<string, string>();

const ASCII = /^[\x20-\x7e]*$/;

function normalizeUncached(tag: string): string {
  // Plain ASCII, the common case, is only lower-cased: NFKC and the Latin folding change nothing in it.
  if (ASCII.test(tag)) return tag.toLowerCase();
  const lower = foldCase(tag.normalize('NFKC').toLowerCase());
  return lower
    .replace(/\p{Script=Latin}\p{M}*/gu, (letter) => {
      const bare = letter.normalize('NFD').replace(/\p{M}/gu, '');
      return LATIN_SPECIAL[bare] ?? bare;
    })
    .normalize('NFC');
}

/** Whether `word` (without its `#`) is a valid tag name. */
export function isTagName(word: string): boolean {
  return WHOLE_TAG.test(word.normalize('NFKC'));
}

/** The hashtags in a line of text, in order, without their `#`. */
export function extractHashtags(line: string): string[] {
  return Array.from(line.matchAll(HASHTAG), (m) => m[1]!);
}

const ASCII_WORD = /^[A-Za-z0-9_]*$/;

/**
 * The hashtags of a tag line, or undefined when the line is not one: a tag line is a line where every
 * whitespace-separated word starts with `#` and at least one of them is a hashtag.
 */
export function tagLineTags(line: string): string[] | undefined {
  const words = line.trim().split(/\s+/u);
  const tags: string[] = [];
  for (const word of words) {
    if (!word.startsWith('#')) return undefined;
    const name = word.slice(1);
    // Fast path for the common plain ASCII hashtag; anything else goes through the full pattern.
    if (ASCII_WORD.test(name)) {
      if (/[A-Za-z]/.test(name)) tags.push(name);
    } else {
      tags.push(...extractHashtags(word));
    }
  }
  return tags.length > 0 ? tags : undefined;
}

/** Whether a line is a tag line (see `tagLineTags`). */
export function isTagLine(line: string): boolean {
  return tagLineTags(line) !== undefined;
}

// One shared Tag object per label, so that 100,000 articles do not each hold copies of the same tags.
const interned = new Map<string, Tag>();

function internTag(label: string): Tag {
  let tag = interned.get(label);
  if (tag === undefined) {
    tag = { key: detach(normalizeTag(label)), label: detach(label.normalize('NFKC')) };
    // Requests name tags by their key: remember that a key normalises to itself, so that looking up a
    // known tag costs a map lookup, not the Unicode work (a third of a cached feed's time, measured).
    if (normalizeUncached(tag.key) === tag.key) normalized.set(tag.key, tag.key);
    if (interned.size >= MAX_REMEMBERED) interned.clear();
    interned.set(tag.label === label ? tag.label : detach(label), tag);
  }
  return tag;
}

/** The shared Tag objects for tags parsed elsewhere (in a loader thread). */
export function internTags(tags: readonly Tag[]): Tag[] {
  return tags.map((t) => internTag(t.label));
}

/**
 * The shared Tag objects for labels that were merged once already (a stored row's): no duplicates are
 * looked for, and the array is exactly as long as the list (mergeTags' pushes leave room for 17).
 */
export function tagsOfMerged(labels: readonly string[]): Tag[] {
  return labels.map(internTag);
}

/** Adds tags to a list, skipping those whose normalised key is already there; keeps the first label. */
export function mergeTags(into: Tag[], labels: Iterable<string>): Tag[] {
  for (const label of labels) {
    const tag = internTag(label);
    if (tag.key && !into.some((t) => t.key === tag.key)) into.push(tag);
  }
  return into;
}
