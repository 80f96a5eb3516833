/**
 * Hashtags: what counts as one, and the one normalisation used both when parsing and when looking up.
 */
import { detach } from './strings.ts';
import type { Tag } from './types.ts';

// Letters of any script (with their combining marks), digits and underscores; at least one letter,
// so `#1` or `#2024` is no tag. Trailing punctuation is not matched: `#Geopolitics.` -> Geopolitics.
const HASHTAG = /#([\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*)/gu;
const WHOLE_TAG = /^[\p{L}\p{M}\p{N}_]*\p{L}[\p{L}\p{M}\p{N}_]*$/u;

// Latin letters that carry no combining mark after NFD but that Mastodon's ASCII folding still maps.
const LATIN_SPECIAL: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/**
 * Normalises a hashtag the way Mastodon does: NFKC, lower case, Latin diacritics folded; other scripts
 * are kept as written.
 * Results are remembered, since tags repeat across articles; names from requests go through
 * `normalizeRequestedTag`, the same normalisation without the memory.
 * @example normalizeTag('España') // 'espana'; normalizeTag('Ελλάδα') // 'ελλάδα'
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
  const lower = tag.normalize('NFKC').toLowerCase();
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

/** Adds tags to a list, skipping those whose normalised key is already there; keeps the first label. */
export function mergeTags(into: Tag[], labels: Iterable<string>): Tag[] {
  for (const label of labels) {
    const tag = internTag(label);
    if (tag.key && !into.some((t) => t.key === tag.key)) into.push(tag);
  }
  return into;
}
