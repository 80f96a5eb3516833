/**
 * An article's metadata made from what the article cache stores of it (a row, or a row of the
 * snapshot), in one place so that both make the same objects as the parser does.
 */
import type { ArticleFormat, ArticleMeta, Tag } from '../articles/types.ts';

/** The fields of ArticleMeta that have columns, or come from the file name and stamp. */
export type Columned = 'id' | 'file' | 'format' | 'source' | 'title' | 'date' | 'updated' | 'author' | 'image' | 'summary' | 'summaryCut' | 'tags' | 'draft';

/** Any other field the parser writes, stored as JSON. */
export type ExtraFields = Partial<Omit<ArticleMeta, Columned>>;

export interface StoredFields {
  id: string;
  file: string;
  format: ArticleFormat;
  size: number;
  mtimeMs: number;
  title: string;
  date: number;
  updated: number;
  author: string | undefined;
  summary: string;
  summaryCut: boolean;
  tags: Tag[];
  draft: boolean;
  extra: ExtraFields | undefined;
}

/** One string per author name across the rows (a corpus has few authors and many articles); bounded. */
const names = new Map<string, string>();

function sharedName(name: string): string {
  const known = names.get(name);
  if (known !== undefined) return known;
  if (names.size >= 10_000) names.clear();
  names.set(name, name);
  return name;
}

/**
 * The metadata, its fields in the order the parser writes them (parse.ts), so that both make objects of
 * one shape. No image: an article with one is never cached. As the parser does, an article not updated
 * after its date has one Date for both (four in five rows), and a name is one string however many
 * articles carry it: 100,000 objects fewer for a warm restart to make and the collector to move.
 */
export function storedMeta(f: StoredFields): ArticleMeta {
  const published = new Date(f.date);
  const meta: ArticleMeta = {
    id: f.id,
    file: f.file,
    format: f.format,
    title: f.title,
    date: published,
    updated: f.updated === f.date ? published : new Date(f.updated),
    author: f.author === undefined ? undefined : sharedName(f.author),
    image: undefined,
    summary: f.summary,
    summaryCut: f.summaryCut,
    tags: f.tags,
    draft: f.draft,
    source: { size: f.size, mtimeMs: f.mtimeMs },
  };
  return f.extra === undefined ? meta : { ...meta, ...f.extra };
}

/** The fields of `meta` beyond the columns, as stored: '' when none is set. */
export function extraOf(meta: ArticleMeta): string {
  const { id: _id, file: _file, format: _format, source: _source, title: _title, date: _date, updated: _updated, author: _author, image: _image, summary: _summary, summaryCut: _cut, tags: _tags, draft: _draft, ...more } = meta;
  // Fields left undefined are no extra: '{}' in every row cost a JSON.parse and a second object per
  // row at every warm start.
  return Object.values(more).every((value) => value === undefined) ? '' : JSON.stringify(more);
}
