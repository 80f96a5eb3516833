/**
 * How an RSS item's plain-text title and summary are written so that readers show them as written.
 * RSS 2.0 cannot say "this is plain text", so each element is written the way readers were measured
 * to read it (scripts/measure-rss-titles.ts; README, "How titles reach readers"):
 *
 * - `<title>` is read as text by feedparser, rss-parser and newsboat: it is XML-escaped once, with
 *   hexadecimal character references (`&#x26;`, `&#x3C;`, `&#x3E;`) as the RSS Profile advises for
 *   plain text (https://www.rssboard.org/rss-profile#data-types-characterdata); the W3C validator's
 *   "should not contain HTML" check then leaves `AT&#38;T` or `&amp;` alone, as it does not for CDATA.
 * - `<description>` is read as HTML by all three: it is written as HTML whose text is the summary
 *   (HTML-escaped, then XML-escaped), so `<b>` shows as `<b>` rather than turning text bold.
 *
 * Both take text already free of the characters XML cannot carry (xml-safe.ts).
 */

/** An RSS `<title>`'s content for a plain-text title. */
export function rssTitleXml(text: string): string {
  return text.replace(/[&<>]/gu, (c) => (c === '&' ? '&#x26;' : c === '<' ? '&#x3C;' : '&#x3E;'));
}

/** An RSS `<description>`'s content for a plain-text summary: the XML text of HTML whose text it is. */
export function rssDescriptionXml(text: string): string {
  return text.replace(/[&<>]/gu, (c) => (c === '&' ? '&amp;amp;' : c === '<' ? '&amp;lt;' : '&amp;gt;'));
}
