/**
 * The in-memory index of articles: by id, newest first for the site, and by tag with each tag's articles
 * newest first, so a tag feed costs work in proportion to the items it shows. It also decides what is
 * public: drafts never are, and an article dated in the future becomes public when `releaseDue` is
 * called at or after its time — the release scheduler's job (release-scheduler.ts), in one place:
 * reading the index never changes it.
 *
 * Articles with an author are also listed by author (its slug, authors.ts), newest first, like tags.
 *
 * Every change reports the scopes it touched (`site`, `tags`, `tag:<key>`, `authors`, `author:<slug>`,
 * `article:<id>`) to listeners,
 * which is how cached feeds and pages know to rebuild: only what a change touches is rebuilt.
 */
import { ArticleParseError, type ArticleFormat, type ArticleMeta, type Tag } from './types.ts';
import { authorSlug } from './authors.ts';

/** Scope names that listeners receive. */
export const SITE_SCOPE = 'site';
export const TAGS_SCOPE = 'tags';
export const tagScope = (key: string) => `tag:${key}`;
export const articleScope = (id: string) => `article:${id}`;
/** The list of authors: touched whenever any public article changes, as `tags` is. */
export const AUTHORS_SCOPE = 'authors';
export const authorScope = (slug: string) => `author:${slug}`;

/** An author as listed on /authors and in the OPML: the slug, the name as first written, the count. */
export interface AuthorSummary {
  slug: string;
  /** The name as the author's oldest article writes it: newer articles never change it. */
  name: string;
  count: number;
  latest: ArticleMeta;
}

/** A tag as listed on /tags and in the OPML. */
export interface TagSummary extends Tag {
  count: number;
  latest: ArticleMeta;
}

/** Newest first; equal dates ordered by id, descending. */
export function compareArticles(a: ArticleMeta, b: ArticleMeta): number {
  return b.date.getTime() - a.date.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

// When two files share an id (`a.md` and `a.txt`), Markdown wins, then the smaller file name.
function preferFile(a: Entry, b: Entry): number {
  if (a.format !== b.format) return a.format === 'markdown' ? -1 : 1;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/**
 * Rows of the article cache's snapshot (src/state/article-cache.ts) that an index holds without making
 * their metadata objects: what the index sorts and files articles by, read from the rows' columns, and
 * the whole metadata made on first use. Why: a warm start of 100,000 articles spent about 1 s making
 * some eight long-lived objects per article (the metadata, its Dates, stamp, tag list and strings) and
 * collecting around them, where a feed shows twenty (bench/RESULTS.md, "Warm restart at 100k after the
 * lazy index").
 */
export interface MetaRows {
  /** Publication time of a row, ms since the epoch. */
  date(row: number): number;
  draft(row: number): boolean;
  author(row: number): string | undefined;
  tagCount(row: number): number;
  /** The row's k-th tag, the one object of that tag the rows share. */
  tag(row: number, k: number): Tag;
  /** The row's whole metadata, made now; its id, file and format are the file name's. */
  meta(row: number, id: string, file: string, format: ArticleFormat): ArticleMeta;
}

/**
 * What the index holds of an article: the fields it sorts and files by, and the metadata itself, given
 * (a file parsed) or made from its row on first use (`rows`). One object per article.
 */
class Entry {
  constructor(
    readonly id: string,
    readonly file: string,
    readonly format: ArticleFormat,
    /** `date` in ms. */
    readonly time: number,
    readonly draft: boolean,
    readonly author: string | undefined,
    public meta: ArticleMeta | undefined,
    readonly rows: MetaRows | undefined,
    readonly row: number,
  ) {}

  static of(meta: ArticleMeta): Entry {
    return new Entry(meta.id, meta.file, meta.format, meta.date.getTime(), meta.draft, meta.author, meta, undefined, -1);
  }
}

/** An article of the cache's snapshot, its metadata not made yet (`lazyArticle`); bulkLoad takes it. */
export type LazyArticle = Entry;

/** An article of `rows`, for `bulkLoad`: its object is made when the index first gives it out. */
export function lazyArticle(rows: MetaRows, row: number, id: string, file: string, format: ArticleFormat): LazyArticle {
  return new Entry(id, file, format, rows.date(row), rows.draft(row), rows.author(row), undefined, rows, row);
}

/** Whether a load's article is one of the cache's, not made yet. */
export function isLazyArticle(article: ArticleMeta | LazyArticle): article is LazyArticle {
  return article instanceof Entry;
}

/** The metadata of an entry, made from its row the first time (then kept: one object per article). */
function metaOf(entry: Entry): ArticleMeta {
  return (entry.meta ??= entry.rows!.meta(entry.row, entry.id, entry.file, entry.format));
}

/** The metadata of a lazy article, made now if not yet (for callers of loadArticles outside an index). */
export const materialize: (article: LazyArticle) => ArticleMeta = metaOf;

function tagCount(entry: Entry): number {
  return entry.meta ? entry.meta.tags.length : entry.rows!.tagCount(entry.row);
}

function tagAt(entry: Entry, k: number): Tag {
  return entry.meta ? entry.meta.tags[k]! : entry.rows!.tag(entry.row, k);
}

/** Newest first; equal dates ordered by id, descending (compareArticles, for entries). */
function compareEntries(a: Entry, b: Entry): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

const bySchedule = (a: Entry, b: Entry) => a.time - b.time;

/**
 * Part of one of the index's lists, read in place: `at` and iteration give each article's metadata
 * (made on first use), so that walking the first few of a tag's 6,000 articles makes no more than those.
 * Arrays of ArticleMeta are ArticleLists too.
 */
export interface ArticleList extends Iterable<ArticleMeta> {
  readonly length: number;
  at(index: number): ArticleMeta | undefined;
}

class EntryList implements ArticleList {
  constructor(readonly entries: readonly Entry[]) {}
  get length(): number {
    return this.entries.length;
  }
  at(index: number): ArticleMeta | undefined {
    const entry = this.entries[index];
    return entry && metaOf(entry);
  }
  *[Symbol.iterator](): Iterator<ArticleMeta> {
    for (const entry of this.entries) yield metaOf(entry);
  }
}

type Listener = (scopes: ReadonlySet<string>) => void;

/** The article index; see the module comment. */
export class ArticleIndex {
  readonly #now: () => number;
  readonly #byFile = new Map<string, Entry>();
  /** The files of ids that two files or more share, preferred first. */
  readonly #candidates = new Map<string, Entry[]>();
  readonly #winners = new Map<string, Entry>();
  #timeline: Entry[] = [];
  readonly #byTag = new Map<string, Entry[]>();
  readonly #byAuthor = new Map<string, Entry[]>();
  /** Winners that are not drafts and are dated in the future, soonest first. */
  #scheduled: Entry[] = [];
  readonly #listeners: Listener[] = [];
  #generation = 0;
  /** What `tags()` gave at a generation. */
  #tagList: { generation: number; tags: readonly TagSummary[] } | undefined;

  constructor(options: { now?: () => number } = {}) {
    this.#now = options.now ?? Date.now;
  }

  /** Number of public articles. */
  get size(): number {
    return this.#timeline.length;
  }

  /** Number of public tags. */
  get tagCount(): number {
    return this.#byTag.size;
  }

  /** Increases with every change; a render that saw another generation must not be cached. */
  get generation(): number {
    return this.#generation;
  }

  /** Calls `listener` with the scopes each change touches. */
  onChange(listener: Listener): void {
    this.#listeners.push(listener);
  }

  /**
   * Fills an empty index with many articles at once (sorting once instead of inserting one by one):
   * articles parsed, and articles of the cache whose metadata is made on first use (`lazyArticle`).
   * Returns a warning for every file that lost to another file with the same id.
   */
  bulkLoad(articles: Iterable<ArticleMeta>, lazy: Iterable<LazyArticle> = []): ArticleParseError[] {
    const add = (entry: Entry) => {
      this.#byFile.set(entry.file, entry);
      const current = this.#winners.get(entry.id);
      if (current === undefined) {
        this.#winners.set(entry.id, entry);
        return;
      }
      const list = this.#candidates.get(entry.id) ?? [current];
      list.push(entry);
      list.sort(preferFile);
      this.#candidates.set(entry.id, list);
      this.#winners.set(entry.id, list[0]!);
    };
    for (const meta of articles) add(Entry.of(meta));
    for (const entry of lazy) add(entry);
    const warnings: ArticleParseError[] = [];
    for (const list of this.#candidates.values()) {
      for (const loser of list.slice(1)) warnings.push(duplicateWarning(loser, list[0]!));
    }
    const now = this.#now();
    for (const winner of this.#winners.values()) {
      if (winner.draft) continue;
      if (winner.time > now) this.#scheduled.push(winner);
      else this.#timeline.push(winner);
    }
    // One sort of the whole timeline; each tag's list is then filled in timeline order, so it is
    // newest first without sorting it (sorting every tag's list was most of the index's build time).
    this.#timeline = sortNewestFirst(this.#timeline);
    for (const entry of this.#timeline) {
      for (let k = 0, n = tagCount(entry); k < n; k++) {
        const key = tagAt(entry, k).key;
        const tagged = this.#byTag.get(key);
        if (tagged) tagged.push(entry);
        else this.#byTag.set(key, [entry]);
      }
      const slug = slugOf(entry);
      if (slug === undefined) continue;
      const written = this.#byAuthor.get(slug);
      if (written) written.push(entry);
      else this.#byAuthor.set(slug, [entry]);
    }
    this.#scheduled.sort(bySchedule);
    this.#generation++;
    return warnings;
  }

  /**
   * Adds or replaces the article parsed from `meta.file`. Returns a warning when the file shares its id
   * with another file: about this file when it loses, about the file it displaces when it wins (as a
   * load warns about every loser, whichever file came first).
   */
  upsert(meta: ArticleMeta): ArticleParseError | undefined {
    const entry = Entry.of(meta);
    const previous = this.#byFile.get(entry.file);
    const displaced = this.#winners.get(entry.id);
    const list = this.#filesOf(entry.id).filter((m) => m.file !== entry.file);
    list.push(entry);
    list.sort(preferFile);
    this.#setFiles(entry.id, list);
    this.#byFile.set(entry.file, entry);
    if (previous && previous.id !== entry.id) this.#dropCandidate(previous);
    this.#setWinner(entry.id, list[0]);
    if (list[0] !== entry) return duplicateWarning(entry, list[0]!);
    return displaced && displaced.file !== entry.file ? duplicateWarning(displaced, entry) : undefined;
  }

  /** Removes the article parsed from `file`, if any (another file with its id may take its place). */
  removeFile(file: string): void {
    const previous = this.#byFile.get(file);
    if (!previous) return;
    this.#byFile.delete(file);
    this.#dropCandidate(previous);
  }

  /** Every article parsed from a file, public or not (drafts, scheduled and duplicates included). */
  *files(): IterableIterator<ArticleMeta> {
    for (const entry of this.#byFile.values()) yield metaOf(entry);
  }

  /** The article last parsed from `file`, public or not. */
  fileArticle(file: string): ArticleMeta | undefined {
    const entry = this.#byFile.get(file);
    return entry && metaOf(entry);
  }

  /** A public article by id. */
  get(id: string): ArticleMeta | undefined {
    const entry = this.#winners.get(id);
    return entry && this.#isPublished(entry) ? metaOf(entry) : undefined;
  }

  /** The latest public articles, newest first. */
  latest(limit: number): ArticleMeta[] {
    return metasOf(this.#timeline, 0, limit);
  }

  /** The latest public articles carrying a tag (by normalised key), or undefined for no such tag. */
  tagged(key: string, limit: number): { tag: Tag; count: number; articles: ArticleMeta[] } | undefined {
    const list = this.#byTag.get(key);
    if (!list) return undefined;
    return { tag: labelOf(key, list[0]!), count: list.length, articles: metasOf(list, 0, limit) };
  }

  /** The latest public articles of an author (by slug), with the author's name; undefined for no such author. */
  authored(slug: string, limit: number): { name: string; count: number; articles: ArticleMeta[] } | undefined {
    const list = this.#byAuthor.get(slug);
    if (!list) return undefined;
    return { name: list.at(-1)!.author!, count: list.length, articles: metasOf(list, 0, limit) };
  }

  /** Every author with public articles and their count, by name (code unit order), then slug. */
  authors(): AuthorSummary[] {
    const out: AuthorSummary[] = [];
    for (const [slug, list] of this.#byAuthor) out.push({ slug, name: list.at(-1)!.author!, count: list.length, latest: metaOf(list[0]!) });
    return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
  }

  /**
   * A tag's whole list of public articles, newest first, read in place (tag-sets.ts walks it only as
   * far as it needs); undefined for a tag with no public article.
   */
  tagList(key: string): { tag: Tag; articles: ArticleList } | undefined {
    const list = this.#byTag.get(key);
    return list && { tag: labelOf(key, list[0]!), articles: new EntryList(list) };
  }

  /**
   * Part of the site's (no tag key) or a tag's articles by position, without scanning or sorting: the
   * lists are kept newest first, so any range of them is one slice. Positions count from the newest
   * (`from: 'newest'`, 0 is the newest article) or from the oldest (`'oldest'`, 0 is the oldest, as
   * archive documents are numbered); either way `articles` is newest first. `total` is the number of
   * public articles in the scope. Undefined for a tag with no public article.
   * @example index.range(undefined, 0, 50, 'oldest') // the 50 oldest articles of the site, newest first
   */
  range(tagKey: string | undefined, start: number, end: number, from: 'newest' | 'oldest' = 'newest'): { tag?: Tag; total: number; articles: ArticleMeta[] } | undefined {
    const list = tagKey === undefined ? this.#timeline : this.#byTag.get(tagKey);
    if (!list) return undefined;
    const total = list.length;
    const lo = Math.max(0, from === 'newest' ? start : total - end);
    const hi = Math.min(total, from === 'newest' ? end : total - start);
    const articles = hi > lo ? metasOf(list, lo, hi) : [];
    return { tag: tagKey === undefined ? undefined : labelOf(tagKey, list[hi > lo ? lo : 0]!), total, articles };
  }

  /**
   * Every public tag with its article count, most used first, then by key. Kept until the next change:
   * an export asks for it several times (its route list, the sitemap, /tags, the OPML), and at 10k
   * articles each list cost ~20 ms of a 1.5 s re-export.
   */
  tags(): readonly TagSummary[] {
    if (this.#tagList?.generation === this.#generation) return this.#tagList.tags;
    const out: TagSummary[] = [];
    for (const [key, list] of this.#byTag) out.push({ ...labelOf(key, list[0]!), count: list.length, latest: metaOf(list[0]!) });
    out.sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.#tagList = { generation: this.#generation, tags: out };
    return out;
  }

  /** When the next scheduled article becomes public (ms since epoch), if any. */
  nextReleaseAt(): number | undefined {
    return this.#scheduled[0]?.time;
  }

  /** Publishes every scheduled article whose date has come. Cheap when none has. */
  releaseDue(): void {
    const now = this.#now();
    if (this.#scheduled.length === 0 || this.#scheduled[0]!.time > now) return;
    const scopes = new Set<string>();
    while (this.#scheduled.length > 0 && this.#scheduled[0]!.time <= now) {
      this.#publish(this.#scheduled.shift()!, scopes);
    }
    this.#emit(scopes);
  }

  /** Whether an article is on the timeline (not a draft, and released). */
  #isPublished(entry: Entry): boolean {
    return !entry.draft && !this.#scheduled.includes(entry);
  }

  #dropCandidate(entry: Entry): void {
    const list = this.#filesOf(entry.id).filter((m) => m.file !== entry.file);
    this.#setFiles(entry.id, list);
    this.#setWinner(entry.id, list[0]);
  }

  /** Every file parsed for an id, preferred first (only ids of two files or more are in `#candidates`). */
  #filesOf(id: string): Entry[] {
    const winner = this.#winners.get(id);
    return this.#candidates.get(id) ?? (winner ? [winner] : []);
  }

  #setFiles(id: string, list: Entry[]): void {
    if (list.length > 1) this.#candidates.set(id, list);
    else this.#candidates.delete(id);
  }

  #setWinner(id: string, next: Entry | undefined): void {
    const current = this.#winners.get(id);
    if (current === next) return;
    const scopes = new Set<string>();
    if (current) this.#withdraw(current, scopes);
    if (next) {
      this.#winners.set(id, next);
      if (next.draft) {
        // A draft is nowhere.
      } else if (next.time > this.#now()) {
        insertSorted(this.#scheduled, next, bySchedule);
      } else {
        this.#publish(next, scopes);
      }
    } else {
      this.#winners.delete(id);
    }
    scopes.add(articleScope(id));
    this.#emit(scopes);
  }

  #publish(entry: Entry, scopes: Set<string>): void {
    insertSorted(this.#timeline, entry, compareEntries);
    for (let k = 0, n = tagCount(entry); k < n; k++) {
      const key = tagAt(entry, k).key;
      const list = this.#byTag.get(key);
      if (list) insertSorted(list, entry, compareEntries);
      else this.#byTag.set(key, [entry]);
      scopes.add(tagScope(key));
    }
    const slug = slugOf(entry);
    if (slug !== undefined) {
      const list = this.#byAuthor.get(slug);
      if (list) insertSorted(list, entry, compareEntries);
      else this.#byAuthor.set(slug, [entry]);
      scopes.add(authorScope(slug));
    }
    scopes.add(SITE_SCOPE).add(TAGS_SCOPE).add(AUTHORS_SCOPE).add(articleScope(entry.id));
  }

  #withdraw(entry: Entry, scopes: Set<string>): void {
    this.#scheduled = this.#scheduled.filter((m) => m !== entry);
    if (!removeSorted(this.#timeline, entry, compareEntries)) return;
    for (let k = 0, n = tagCount(entry); k < n; k++) {
      const key = tagAt(entry, k).key;
      const list = this.#byTag.get(key);
      if (list && removeSorted(list, entry, compareEntries) && list.length === 0) this.#byTag.delete(key);
      scopes.add(tagScope(key));
    }
    const slug = slugOf(entry);
    if (slug !== undefined) {
      const list = this.#byAuthor.get(slug);
      if (list && removeSorted(list, entry, compareEntries) && list.length === 0) this.#byAuthor.delete(slug);
      scopes.add(authorScope(slug));
    }
    scopes.add(SITE_SCOPE).add(TAGS_SCOPE).add(AUTHORS_SCOPE).add(articleScope(entry.id));
  }

  #emit(scopes: Set<string>): void {
    if (scopes.size === 0) return;
    this.#generation++;
    for (const listener of this.#listeners) listener(scopes);
  }
}

/** The metadata of `list[from..to)`, made where not yet. */
function metasOf(list: readonly Entry[], from: number, to: number): ArticleMeta[] {
  const end = Math.min(to, list.length);
  const out = new Array<ArticleMeta>(Math.max(0, end - from));
  for (let i = from; i < end; i++) out[i - from] = metaOf(list[i]!);
  return out;
}

/**
 * Sorts many entries as `compareEntries` does, comparing numbers held in a typed array (twice as fast
 * on 100,000 articles as comparing Dates).
 */
function sortNewestFirst(entries: Entry[]): Entry[] {
  const times = new Float64Array(entries.length);
  for (let i = 0; i < entries.length; i++) times[i] = entries[i]!.time;
  const order = Array.from({ length: entries.length }, (_, i) => i);
  order.sort((a, b) => times[b]! - times[a]! || (entries[a]!.id < entries[b]!.id ? 1 : entries[a]!.id > entries[b]!.id ? -1 : 0));
  return order.map((i) => entries[i]!);
}

/** Slugs by name: a corpus has few authors and many articles. Bounded all the same. */
const slugs = new Map<string, string>();

/** The slug of an article's author; undefined without one (it is the site's author, with no page). */
function slugOf(entry: Entry): string | undefined {
  if (entry.author === undefined) return undefined;
  let slug = slugs.get(entry.author);
  if (slug === undefined) {
    slug = authorSlug(entry.author);
    if (slugs.size >= 10_000) slugs.clear();
    slugs.set(entry.author, slug);
  }
  return slug === '' ? undefined : slug;
}

function labelOf(key: string, newest: Entry): Tag {
  for (let k = 0, n = tagCount(newest); k < n; k++) {
    const tag = tagAt(newest, k);
    if (tag.key === key) return tag;
  }
  return { key, label: key };
}

function duplicateWarning(loser: Entry, winner: Entry): ArticleParseError {
  return new ArticleParseError(
    loser.file,
    'duplicate-id',
    `another file has the same id "${loser.id}": ${winner.file} is served, this one is ignored`,
  );
}

function insertSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(list[mid]!, item) <= 0) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, item);
}

function removeSorted<T>(list: T[], item: T, compare: (a: T, b: T) => number): boolean {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(list[mid]!, item) < 0) lo = mid + 1;
    else hi = mid;
  }
  for (let i = lo; i < list.length && compare(list[i]!, item) === 0; i++) {
    if (list[i] === item) {
      list.splice(i, 1);
      return true;
    }
  }
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
  return at >= 0;
}
