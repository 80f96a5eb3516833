/**
 * Authors as URLs: the front-matter `author` of an article names its author, and the author's page and
 * feeds live at `/authors/{slug}`. The slug is readable: the name normalised as tags are (NFKC, case
 * folding, Latin diacritics folded; other scripts kept), then every run of characters that is neither
 * letter nor digit one `-`, trimmed of `-`. Two names with one slug ("Ana Pérez", "ana perez") are one
 * author.
 */
import { normalizeRequestedTag } from './tags.ts';

/**
 * The slug of an author's name; empty when the name has no letter or digit (then the article has no
 * author page, as an article without an author).
 * @example authorSlug('Ana Pérez') // 'ana-perez'; authorSlug('José  O\'Neil') // 'jose-o-neil'
 */
export function authorSlug(name: string): string {
  return normalizeRequestedTag(name)
    .replace(/[^\p{L}\p{N}\p{M}]+/gu, '-')
    .replace(/^-+|-+$/gu, '');
}
