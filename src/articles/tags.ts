/**
 * Hashtags: what counts as one, and the one normalisation used both when parsing and when looking up.
 */
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
 * @example normalizeTag('España') // 'espana'; normalizeTag('Ελλάδα') // 'ελλάδα'
 */
export function normalizeTag(tag: string): string {
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

/**
 * Whether a line is a tag line: every whitespace-separated word starts with `#` and at least one of
 * them is a hashtag.
 */
export function isTagLine(line: string): boolean {
  const words = line.trim().split(/\s+/u);
  return words.length > 0 && words.every((w) => w.startsWith('#')) && extractHashtags(line).length > 0;
}

/** Adds tags to a list, skipping those whose normalised key is already there; keeps the first label. */
export function mergeTags(into: Tag[], labels: Iterable<string>): Tag[] {
  const seen = new Set(into.map((t) => t.key));
  for (const label of labels) {
    const key = normalizeTag(label);
    if (key && !seen.has(key)) {
      seen.add(key);
      into.push({ key, label: label.normalize('NFKC') });
    }
  }
  return into;
}
