/** A hashtag: `key` is the normalised form used for lookup and URLs, `label` keeps the author's casing. */
export interface Tag {
  key: string;
  label: string;
}

/** Which renderer turns an article's body into HTML. */
export type ArticleFormat = 'text' | 'markdown';

/**
 * The image (or audio) an article shows: front-matter `image`, with `image_alt`. A local file is named by
 * its path inside the media folder (`photo.jpg` for `media/photo.jpg`), its length read from the file
 * when the article is read; a remote one by its absolute http(s) URL, length 0 (unknown).
 */
export interface ArticleImage {
  /** Path inside the media folder, for a local file. */
  local?: string;
  /** Absolute http(s) URL, for a remote file. */
  url?: string;
  /** Media type, from the extension. */
  type: string;
  /** Bytes of a local file; 0 for a remote one (as the RSS Advisory Board allows for unknown lengths). */
  length: number;
  alt: string;
}

/** Size and modification time of the file an article was parsed from, to tell whether it changed since. */
export interface SourceStamp {
  size: number;
  mtimeMs: number;
}

/**
 * What the index keeps of an article: everything a feed or page needs except the body, which is read
 * from its file when a feed that shows it is rendered (bodies of 100,000 articles would not fit the
 * memory budget).
 */
export interface ArticleMeta {
  /** The file name without its extension: stable, used in the article's URL and feed id. */
  id: string;
  /** Absolute path of the file. */
  file: string;
  format: ArticleFormat;
  title: string;
  /** Publication date: front-matter `date`, else the file's modification time. */
  date: Date;
  /** Latest modification: front-matter `updated`, else the file's modification time; never before `date`. */
  updated: Date;
  author?: string;
  image?: ArticleImage;
  /**
   * Plain-text summary, without the ellipsis of a cut one (`summaryCut`): read it through `summaryOf`.
   * Why apart: one `…` (U+2026) makes V8 store the whole string in two bytes a character, and at
   * 100,000 articles the summaries of Latin-1 text then took 58 MiB of the index instead of 29
   * (bench/RESULTS.md, "Archive crawl memory after the fast path").
   */
  summary: string;
  /** Whether the summary was cut from a longer first paragraph, so that an ellipsis follows it. */
  summaryCut?: boolean;
  tags: Tag[];
  draft: boolean;
  source: SourceStamp;
}

/** A parsed article: its metadata and its body rendered to HTML. */
export interface Article extends ArticleMeta {
  contentHtml: string;
}

/** An article's summary as shown: with an ellipsis after it when it was cut. */
export function summaryOf(meta: Pick<ArticleMeta, 'summary' | 'summaryCut'>): string {
  return meta.summaryCut === true ? `${meta.summary}…` : meta.summary;
}

/** The metadata of an article, without its body. */
export function toMeta(article: Article): ArticleMeta {
  const { contentHtml: _body, ...meta } = article;
  return meta;
}

/** Why an article file was rejected. */
export type ArticleErrorReason =
  | 'empty'
  | 'binary'
  | 'not-utf8'
  | 'no-title'
  | 'too-large'
  | 'unreadable'
  | 'outside-link'
  | 'not-a-file'
  | 'bad-front-matter'
  | 'bad-markdown'
  | 'duplicate-id'
  | 'missing-image'
  | 'bad-file-name';

/** An article file that cannot be served, with the file and a reason code and message. */
export class ArticleParseError extends Error {
  override name = 'ArticleParseError';
  constructor(
    readonly file: string,
    readonly reason: ArticleErrorReason,
    message: string,
    readonly line?: number,
  ) {
    super(message);
  }
}

/** The outcome of parsing one file. */
export type ParseResult = { ok: true; article: Article } | { ok: false; error: ArticleParseError };

/** The outcome of parsing what the index keeps of one file. */
export type MetaResult = { ok: true; article: ArticleMeta } | { ok: false; error: ArticleParseError };
