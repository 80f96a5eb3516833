/**
 * Text fixes that keep the feeds' XML well-formed: characters that XML 1.0 forbids
 * (https://www.w3.org/TR/xml/#charsets) are removed first, and text is escaped.
 */

// C0 controls other than tab, LF and CR; U+FFFE and U+FFFF; surrogates that are not part of a pair.
const FORBIDDEN = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/gu;

/**
 * Removes the characters XML 1.0 cannot carry, and turns CR and CRLF into LF as every XML reader does
 * (https://www.w3.org/TR/xml/#sec-line-ends); also applied to JSON, so all formats say the same.
 */
export function stripForbidden(text: string): string {
  // Most text has none of these: one quick scan, without the look-around of the full pattern, skips
  // the two replacements (they were 1.7 s of a 10k export's 45 s of CPU).
  if (!SUSPECT.test(text)) return text;
  return text.replace(FORBIDDEN, '').replace(/\r\n?/gu, '\n');
}

// Any character the full pattern could remove or change, surrogate pairs included (checked fully then).
const SUSPECT = /[\u0000-\u0008\u000B\u000C\u000D\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/;

/** Escapes text for XML character data. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
}
