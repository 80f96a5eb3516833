import type { CorpusInfo } from './corpus.ts';
import type { Random } from './random.ts';
import { WRITER_TAGS, type WriterMessage } from './writer-protocol.ts';

/** What a response body must parse as: feeds and OPML are checked, HTML is only counted. */
export type BodyFormat = 'rss' | 'atom' | 'json' | 'opml' | 'html' | 'text';

/** One request of the mix. */
export interface RequestSpec {
  /** Route family, for the per-route status table. */
  category: string;
  method: 'GET' | 'HEAD';
  /** Path and query, already percent-encoded. */
  path: string;
  format: BodyFormat;
  /** Send If-None-Match with the last ETag seen for this path (if any). */
  conditional: boolean;
}

const FEED_FILES = [
  ['rss.xml', 'rss'],
  ['atom.xml', 'atom'],
  ['feed.json', 'json'],
] as const;
const RING = 500;

/** Article ids the writer reported, kept to the latest few hundred so memory stays bounded. */
export class WriterIds {
  readonly live: string[] = [];
  readonly gone: string[] = [];

  /** Applies an `ids` message from the writer. */
  apply(message: WriterMessage): void {
    if (message.type !== 'ids') return;
    for (const id of message.removed) {
      const i = this.live.indexOf(id);
      if (i >= 0) this.live.splice(i, 1);
      push(this.gone, id);
    }
    for (const id of message.added) {
      const i = this.gone.indexOf(id);
      if (i >= 0) this.gone.splice(i, 1);
      push(this.live, id);
    }
  }

  /** True if the writer removed `id` (among the latest removals) and did not restore it. */
  isGone(id: string): boolean {
    return this.gone.includes(id);
  }
}

function push(ring: string[], id: string): void {
  ring.push(id);
  if (ring.length > RING) ring.shift();
}

/** Writes a tag the way a reader might type it: as written, lower or upper case, or without accents. */
function spell(r: Random, tag: string): string {
  const u = r();
  if (u < 0.5) return tag;
  if (u < 0.7) return tag.toLowerCase();
  if (u < 0.85) return tag.toUpperCase();
  return tag.normalize('NFD').replace(/\p{M}/gu, '');
}

/**
 * Returns a function that draws the next request of the mix: site feeds, tag feeds (corpus, writer and unknown
 * tags), HTML pages, OPML and articles (corpus, written, deleted and unknown ids), some of them conditional or HEAD.
 */
export function createRequestPicker(corpus: CorpusInfo, writerIds: WriterIds, r: Random): () => RequestSpec {
  const feed = (category: string, prefix: string): RequestSpec => {
    const [file, format] = r.pick(FEED_FILES);
    return { category, method: 'GET', path: `${prefix}/${file}`, format, conditional: false };
  };
  const tagPath = (tag: string) => `/tags/${encodeURIComponent(spell(r, tag))}`;
  const corpusTag = () => (r() < 0.6 ? r.pick(corpus.tagOccurrences) : r.pick(corpus.tags));
  const unknownTag = () => r.pick(['nosuchtag', 'Ünbekannt', '未知の', 'zz_missing']) + r.int(1_000_000);
  const page = (category: string, path: string, format: BodyFormat = 'html'): RequestSpec => ({
    category,
    method: 'GET',
    path,
    format,
    conditional: false,
  });

  const choices: Array<[number, () => RequestSpec]> = [
    [18, () => feed('site feed', '')],
    [22, () => feed('corpus tag feed', tagPath(corpusTag()))],
    [10, () => feed('writer tag feed', tagPath(r.pick(WRITER_TAGS)))],
    [5, () => feed('unknown tag feed', tagPath(unknownTag()))],
    [5, () => page('home', '/')],
    [3, () => page('tag list', '/tags')],
    [4, () => page('tag page', tagPath(r() < 0.8 ? corpusTag() : r.pick(WRITER_TAGS)))],
    [4, () => page('opml', '/tags.opml', 'opml')],
    [10, () => page('corpus article', `/articles/${encodeURIComponent(r.pick(corpus.ids))}`)],
    [
      6,
      () => {
        const ids = r() < 0.75 && writerIds.live.length > 0 ? writerIds.live : writerIds.gone;
        const id = ids.length > 0 ? r.pick(ids) : r.pick(corpus.ids);
        return page('writer article', `/articles/${encodeURIComponent(id)}`);
      },
    ],
    [
      3,
      () =>
        page(
          'unknown path',
          r.pick([
            `/articles/missing_${r.int(1_000_000)}`,
            '/articles/..%2F..%2Fpackage.json',
            `/tags/${encodeURIComponent(r.pick(corpus.tags))}/feed.xml`,
            '/nope',
          ]),
          'text',
        ),
    ],
  ];
  const total = choices.reduce((sum, [w]) => sum + w, 0);

  return () => {
    let u = r() * total;
    let spec = choices[choices.length - 1]![1];
    for (const [weight, make] of choices) {
      if ((u -= weight) < 0) {
        spec = make;
        break;
      }
    }
    const request = spec();
    const v = r();
    if (v < 0.25) request.conditional = true;
    else if (v < 0.28) request.method = 'HEAD';
    return request;
  };
}

/**
 * Every route of the corpus once (site feeds and pages, each tag's page and three feeds, each article),
 * as a picker that walks the list and wraps around: crawling it before the start measurement puts the
 * server's bounded caches at their steady state, so that start and end memory compare like with like.
 */
export function createCrawlPicker(corpus: CorpusInfo): { pick: () => RequestSpec; total: number } {
  const specs: RequestSpec[] = [];
  const add = (category: string, path: string, format: BodyFormat) =>
    specs.push({ category, method: 'GET', path, format, conditional: false });
  for (const [file, format] of FEED_FILES) add('site feed', `/${file}`, format);
  add('home', '/', 'html');
  add('tag list', '/tags', 'html');
  add('opml', '/tags.opml', 'opml');
  for (const tag of corpus.tags) {
    const prefix = `/tags/${encodeURIComponent(tag)}`;
    add('tag page', prefix, 'html');
    for (const [file, format] of FEED_FILES) add('corpus tag feed', `${prefix}/${file}`, format);
  }
  for (const id of corpus.ids) add('corpus article', `/articles/${encodeURIComponent(id)}`, 'html');
  let next = 0;
  return { pick: () => ({ ...specs[next++ % specs.length]! }), total: specs.length };
}
