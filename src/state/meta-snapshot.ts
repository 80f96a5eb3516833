/**
 * The article cache's snapshot: every row of a folder in one blob of columns (numbers in typed arrays,
 * strings as UTF-8 byte ranges), read at start in one piece and held as it is, so that the index takes
 * its 100,000 articles without making an object per field (MetaRows, article-index.ts): an article's
 * metadata is made from its row when a feed or page first shows it.
 *
 * Why a blob beside the rows: stepping through 100,000 rows with SQLite and making their metadata took
 * 1.2–1.4 s of a 2.6 s warm start, and the objects another 0.8 s of garbage collection, whatever the
 * storage (bench/RESULTS.md, "Warm restart at 100k after the mapped read"); reading this blob and its
 * columns takes a few tens of milliseconds. The rows stay: they are written a file at a time as files
 * change, and those newer than the snapshot are read beside it (article-cache.ts).
 *
 * A blob that does not decode (another layout, a damaged file) is refused whole with its reason; the
 * caller then reads the rows.
 */
import type { ArticleFormat, ArticleMeta, Tag } from '../articles/types.ts';
import type { MetaRows } from '../articles/article-index.ts';
import { tagsOfMerged } from '../articles/tags.ts';
import { storedMeta, type ExtraFields } from './stored-meta.ts';

const MAGIC = 'tagfeeds-meta-snapshot-1\n';

/** Where each column sits in the blob, after the header: [offset, length] in bytes. */
interface Sections {
  names: [number, number];
  size: [number, number];
  mtime: [number, number];
  date: [number, number];
  updated: [number, number];
  flags: [number, number];
  author: [number, number];
  tagStart: [number, number];
  tagIds: [number, number];
  strOff: [number, number];
  bytes: [number, number];
}

/** What a snapshot says of itself beside its rows. */
export interface SnapshotInfo {
  /** The articles folder's real path. */
  dir: string;
  /** The parser's fingerprint (article-cache.ts). */
  parser: string;
  /** The number of the latest change it holds: rows written later are read beside it. */
  seq: number;
}

interface Header extends SnapshotInfo {
  count: number;
  labels: string[];
  authors: string[];
  sections: Sections;
}

const DRAFT = 1;
const SUMMARY_CUT = 2;

/** Strings per row, each a byte range of `bytes`: title, summary, the extra fields' JSON ('' for none). */
const STRINGS = 3;

/** A decoded snapshot: the rows of one folder, read in place. */
export class MetaSnapshot implements MetaRows {
  readonly info: SnapshotInfo;
  readonly count: number;
  readonly names: string[];
  /** Where the last `rowOf` found its name: a load asks for the names in order, and finds each next. */
  #cursor = 0;
  readonly size: Float64Array;
  readonly mtime: Float64Array;
  readonly #date: Float64Array;
  readonly #updated: Float64Array;
  readonly #flags: Uint8Array;
  readonly #author: Int32Array;
  readonly authors: readonly string[];
  readonly #tagStart: Uint32Array;
  readonly #tagIds: Uint32Array;
  readonly labels: readonly string[];
  /** The shared Tag of each label. */
  readonly #tags: Tag[];
  readonly #strOff: Uint32Array;
  readonly #bytes: Buffer;

  /** Decodes a blob written by SnapshotBuilder; throws with the reason when it is not one. */
  constructor(blob: Buffer) {
    const magic = blob.toString('latin1', 0, MAGIC.length);
    if (magic !== MAGIC) throw new Error('not a snapshot of this layout');
    const headerLength = blob.readUInt32LE(MAGIC.length);
    const start = MAGIC.length + 4 + headerLength;
    if (start > blob.length) throw new Error('header past the end');
    const header = JSON.parse(blob.toString('utf8', MAGIC.length + 4, start)) as Header;
    const { count, labels, authors, sections, dir, parser, seq } = header;
    this.info = { dir, parser, seq };
    const section = (name: keyof Sections, width: number, expected?: number): Buffer => {
      const [offset, length] = sections[name];
      if (!(offset >= 0 && length >= 0 && start + offset + length <= blob.length && length % width === 0)) throw new Error(`column ${name} out of bounds`);
      if (expected !== undefined && length !== expected * width) throw new Error(`column ${name} holds ${length / width} values, not ${expected}`);
      return blob.subarray(start + offset, start + offset + length);
    };
    // Typed arrays copy their column (aligned; the blob's own offset may not be).
    const f64 = (name: keyof Sections) => new Float64Array(copy(section(name, 8, count)));
    this.count = count;
    this.names = count === 0 ? [] : section('names', 1).toString('utf8').split('\0');
    if (this.names.length !== count) throw new Error(`${this.names.length} names for ${count} rows`);
    // Rows are in name order (code units, as a load sorts its listing), each name once: `rowOf` relies on it.
    for (let i = 1; i < count; i++) if (!(this.names[i - 1]! < this.names[i]!)) throw new Error('names out of order');
    this.size = f64('size');
    this.mtime = f64('mtime');
    this.#date = f64('date');
    this.#updated = f64('updated');
    this.#flags = new Uint8Array(copy(section('flags', 1, count)));
    this.#author = new Int32Array(copy(section('author', 4, count)));
    this.#tagStart = new Uint32Array(copy(section('tagStart', 4, count + 1)));
    this.#tagIds = new Uint32Array(copy(section('tagIds', 4)));
    this.#strOff = new Uint32Array(copy(section('strOff', 4, STRINGS * count + 1)));
    this.#bytes = section('bytes', 1);
    this.authors = authors;
    this.labels = labels;
    this.#tags = tagsOfMerged(labels);
    // Every reference in range, so that no row read later can fail: a damaged blob is refused here, whole.
    if (this.#tagStart[0] !== 0 || this.#tagStart[count] !== this.#tagIds.length) throw new Error('tag lists out of bounds');
    for (let i = 0; i < count; i++) {
      if (this.#tagStart[i]! > this.#tagStart[i + 1]!) throw new Error('tag lists out of order');
      const a = this.#author[i]!;
      if (a < -1 || a >= authors.length) throw new Error('an author out of range');
      if (!Number.isFinite(this.#date[i]) || !Number.isFinite(this.#updated[i])) throw new Error('a date is not a number');
    }
    for (const id of this.#tagIds) if (id >= labels.length) throw new Error('a tag out of range');
    if (this.#strOff[0] !== 0 || this.#strOff[STRINGS * count] !== this.#bytes.length) throw new Error('strings out of bounds');
    for (let i = 0; i < STRINGS * count; i++) if (this.#strOff[i]! > this.#strOff[i + 1]!) throw new Error('strings out of order');
    // The extra fields are rare (most rows have none): each is parsed once here, so that making a row's
    // metadata later cannot fail.
    for (let i = 0; i < count; i++) if (this.#strOff[STRINGS * i + 2] !== this.#strOff[STRINGS * i + 3]) JSON.parse(this.#string(i, 2));
  }

  /**
   * The row of a file name, if any. The next name after the last one found is tried first, so that a
   * load, asking in name order, finds each at once; any other by binary search. (A Map of the 100,000
   * names cost a warm start ~0.1 s to fill and look up.)
   */
  rowOf(name: string): number | undefined {
    const names = this.names;
    for (let i = this.#cursor; i < names.length && i < this.#cursor + 4; i++) {
      if (names[i] === name) return (this.#cursor = i);
      if (names[i]! > name) break;
    }
    let lo = 0;
    let hi = names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (names[mid]! < name) lo = mid + 1;
      else hi = mid;
    }
    if (names[lo] !== name) return undefined;
    this.#cursor = lo;
    return lo;
  }

  date(row: number): number {
    return this.#date[row]!;
  }

  draft(row: number): boolean {
    return (this.#flags[row]! & DRAFT) !== 0;
  }

  author(row: number): string | undefined {
    const a = this.#author[row]!;
    return a < 0 ? undefined : this.authors[a];
  }

  tagCount(row: number): number {
    return this.#tagStart[row + 1]! - this.#tagStart[row]!;
  }

  tag(row: number, k: number): Tag {
    return this.#tags[this.#tagIds[this.#tagStart[row]! + k]!]!;
  }

  meta(row: number, id: string, file: string, format: ArticleFormat): ArticleMeta {
    const tags: Tag[] = [];
    for (let k = this.#tagStart[row]!; k < this.#tagStart[row + 1]!; k++) tags.push(this.#tags[this.#tagIds[k]!]!);
    const extra = this.#string(row, 2);
    return storedMeta({
      id,
      file,
      format,
      size: this.size[row]!,
      mtimeMs: this.mtime[row]!,
      title: this.#string(row, 0),
      date: this.#date[row]!,
      updated: this.#updated[row]!,
      author: this.author(row),
      summary: this.#string(row, 1),
      summaryCut: (this.#flags[row]! & SUMMARY_CUT) !== 0,
      tags,
      draft: this.draft(row),
      extra: extra === '' ? undefined : (JSON.parse(extra) as ExtraFields),
    });
  }

  /** Hands a row to a builder made from this snapshot (same numbers for labels and authors). */
  copyRow(row: number, to: SnapshotBuilder): void {
    const at = STRINGS * row;
    to.putRaw(this.names[row]!, this.size[row]!, this.mtime[row]!, this.#date[row]!, this.#updated[row]!, this.#flags[row]!, this.#author[row]!, this.#tagIds, this.#tagStart[row]!, this.#tagStart[row + 1]!, this.#bytes, this.#strOff[at]!, this.#strOff, at);
  }

  #string(row: number, k: number): string {
    return this.#bytes.toString('utf8', this.#strOff[STRINGS * row + k]!, this.#strOff[STRINGS * row + k + 1]!);
  }
}

function copy(bytes: Buffer): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}

/**
 * Collects rows, from a snapshot read earlier or from metadata, into a new blob. Seeded with the earlier
 * snapshot's tables of labels and authors, so that its rows keep their numbers and are copied as they
 * are: at 100,000 rows, numbering each row's labels again and copying its strings one by one took
 * half of the time of a new snapshot.
 */
export class SnapshotBuilder {
  readonly #names: string[] = [];
  readonly #size: number[] = [];
  readonly #mtime: number[] = [];
  readonly #date: number[] = [];
  readonly #updated: number[] = [];
  readonly #flags: number[] = [];
  readonly #author: number[] = [];
  readonly #authors = new Map<string, number>();
  readonly #tagStart: number[] = [0];
  readonly #tagIds: number[] = [];
  readonly #labels = new Map<string, number>();
  readonly #strOff: number[] = [0];
  #bytes = Buffer.allocUnsafe(1 << 20);
  #used = 0;
  readonly #from: MetaSnapshot | undefined;

  constructor(from?: MetaSnapshot) {
    this.#from = from;
    if (!from) return;
    for (const label of from.labels) numberOf(this.#labels, label);
    for (const author of from.authors) numberOf(this.#authors, author);
  }

  get count(): number {
    return this.#names.length;
  }

  /** A row of the snapshot the builder was made from, as it is (its strings copied as bytes, not decoded). */
  addRow(row: number): void {
    this.#from!.copyRow(row, this);
  }

  /** For MetaSnapshot.copyRow: a row whose numbers are already the builder's. */
  putRaw(name: string, size: number, mtime: number, date: number, updated: number, flags: number, author: number, tagIds: Uint32Array, tagFrom: number, tagTo: number, bytes: Buffer, start: number, offsets: Uint32Array, at: number): void {
    this.#putColumns(name, size, mtime, date, updated, flags, author);
    for (let k = tagFrom; k < tagTo; k++) this.#tagIds.push(tagIds[k]!);
    this.#tagStart.push(this.#tagIds.length);
    const end = offsets[at + STRINGS]!;
    this.#reserve(end - start);
    bytes.copy(this.#bytes, this.#used, start, end);
    for (let k = 1; k <= STRINGS; k++) this.#strOff.push(this.#used + offsets[at + k]! - start);
    this.#used += end - start;
  }

  /** What a file parsed to (its image aside: an article with one is never cached). */
  addMeta(name: string, meta: ArticleMeta, extra: string): void {
    const flags = (meta.draft ? DRAFT : 0) | (meta.summaryCut === true ? SUMMARY_CUT : 0);
    this.#putColumns(name, meta.source.size, meta.source.mtimeMs, meta.date.getTime(), meta.updated.getTime(), flags, meta.author === undefined ? -1 : numberOf(this.#authors, meta.author));
    for (const tag of meta.tags) this.#tagIds.push(numberOf(this.#labels, tag.label));
    this.#tagStart.push(this.#tagIds.length);
    for (const text of [meta.title, meta.summary, extra]) this.#putString(text);
  }

  /**
   * The blob, in parts (written with one gathering write, not copied into one buffer), its rows in name
   * order (MetaSnapshot.rowOf).
   */
  finish(info: SnapshotInfo): Buffer[] {
    const n = this.#names.length;
    const names = this.#names;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (names[a]! < names[b]! ? -1 : names[a]! > names[b]! ? 1 : 0));
    const permuted = <T extends Float64Array | Uint8Array | Int32Array>(array: T, from: number[]): T => {
      for (let i = 0; i < n; i++) array[i] = from[order[i]!]!;
      return array;
    };
    const tagStart = new Uint32Array(n + 1);
    const tagIds = new Uint32Array(this.#tagIds.length);
    const strOff = new Uint32Array(STRINGS * n + 1);
    const bytes = Buffer.allocUnsafe(this.#used);
    let tags = 0;
    let used = 0;
    for (let i = 0; i < n; i++) {
      const row = order[i]!;
      for (let k = this.#tagStart[row]!; k < this.#tagStart[row + 1]!; k++) tagIds[tags++] = this.#tagIds[k]!;
      tagStart[i + 1] = tags;
      const start = this.#strOff[STRINGS * row]!;
      for (let k = 0; k < STRINGS; k++) strOff[STRINGS * i + k] = used + this.#strOff[STRINGS * row + k]! - start;
      used += this.#bytes.copy(bytes, used, start, this.#strOff[STRINGS * row + STRINGS]!);
    }
    strOff[STRINGS * n] = used;
    const columns: [keyof Sections, Buffer][] = [
      ['names', Buffer.from(order.map((i) => names[i]!).join('\0'), 'utf8')],
      ['size', bytesOf(permuted(new Float64Array(n), this.#size))],
      ['mtime', bytesOf(permuted(new Float64Array(n), this.#mtime))],
      ['date', bytesOf(permuted(new Float64Array(n), this.#date))],
      ['updated', bytesOf(permuted(new Float64Array(n), this.#updated))],
      ['flags', bytesOf(permuted(new Uint8Array(n), this.#flags))],
      ['author', bytesOf(permuted(new Int32Array(n), this.#author))],
      ['tagStart', bytesOf(tagStart)],
      ['tagIds', bytesOf(tagIds)],
      ['strOff', bytesOf(strOff)],
      ['bytes', bytes],
    ];
    const sections = {} as Sections;
    let offset = 0;
    for (const [name, bytes] of columns) {
      sections[name] = [offset, bytes.length];
      offset += bytes.length;
    }
    const header: Header = { ...info, count: this.#names.length, labels: [...this.#labels.keys()], authors: [...this.#authors.keys()], sections };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(json.length);
    return [Buffer.from(MAGIC, 'latin1'), length, json, ...columns.map(([, bytes]) => bytes)];
  }

  /** A row's columns of one value each (its tags and strings follow). */
  #putColumns(name: string, size: number, mtime: number, date: number, updated: number, flags: number, author: number): void {
    this.#names.push(name);
    this.#size.push(size);
    this.#mtime.push(mtime);
    this.#date.push(date);
    this.#updated.push(updated);
    this.#flags.push(flags);
    this.#author.push(author);
  }

  #putString(text: string): void {
    // At most three bytes of UTF-8 per UTF-16 unit.
    this.#reserve(3 * text.length);
    this.#used += this.#bytes.write(text, this.#used, 'utf8');
    this.#strOff.push(this.#used);
  }

  #reserve(more: number): void {
    if (this.#used + more <= this.#bytes.length) return;
    const next = Buffer.allocUnsafe(Math.max(2 * this.#bytes.length, this.#used + more));
    this.#bytes.copy(next, 0, 0, this.#used);
    this.#bytes = next;
  }
}

function numberOf(table: Map<string, number>, text: string): number {
  let n = table.get(text);
  if (n === undefined) table.set(text, (n = table.size));
  return n;
}

function bytesOf(array: Float64Array | Uint8Array | Int32Array | Uint32Array): Buffer {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength);
}
