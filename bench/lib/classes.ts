import type { AutocannonRequest } from 'autocannon';
import { fetchOnce } from './http.ts';
import type { TagPick } from './tags.ts';

/** The three feed files served for the site and for every tag. */
export const FEED_FILES = ['rss.xml', 'atom.xml', 'feed.json'] as const;

/** A benchmarked request class: a label and the paths each connection rotates through. */
export interface FeedClass {
  id: 'site' | 'large' | 'mid' | 'small' | 'archive';
  label: string;
  paths: string[];
}

function tagPaths(tag: string): string[] {
  return FEED_FILES.map((file) => `/tags/${encodeURIComponent(tag)}/${file}`);
}

/** Builds the feed classes (site feeds, large, mid and one-article tag), each rotating rss/atom/json. */
export function feedClasses(tags: TagPick): FeedClass[] {
  const plural = (n: number): string => `${n} article${n === 1 ? '' : 's'}`;
  return [
    { id: 'site', label: 'site feeds', paths: FEED_FILES.map((file) => `/${file}`) },
    { id: 'large', label: `large tag #${tags.large.tag} (${plural(tags.large.count)})`, paths: tagPaths(tags.large.tag) },
    { id: 'mid', label: `mid tag #${tags.mid.tag} (${plural(tags.mid.count)})`, paths: tagPaths(tags.mid.tag) },
    { id: 'small', label: `small tag #${tags.small.tag} (${plural(tags.small.count)})`, paths: tagPaths(tags.small.tag) },
  ];
}

/**
 * The cached archive class: the oldest archive document of the site (`/archive/1/…`) in the three
 * formats, fetched once before the load so that it is cached, as the subscription feeds are.
 */
export function archiveClass(): FeedClass {
  return { id: 'archive', label: 'cached archive /archive/1/', paths: FEED_FILES.map((file) => `/archive/1/${file}`) };
}

/** One fetched feed: its body and the validator the server sent. */
export interface Snapshot {
  body: Buffer;
  etag: string | null;
  contentType: string | null;
}

/**
 * GETs each path once (which also warms a lazily rendering server); throws unless every answer is 200.
 * Asked for as the load asks (no coding: `identity`), so that the ETag the 304 class sends back is the
 * one of the variant its requests get; fetch's default Accept-Encoding made it the gzip variant's.
 */
export async function snapshotPaths(baseUrl: string, paths: string[]): Promise<Map<string, Snapshot>> {
  const snapshots = new Map<string, Snapshot>();
  for (const path of paths) {
    const response = await fetchOnce(baseUrl + path, { 'accept-encoding': 'identity' });
    if (response.status !== 200) throw new Error(`GET ${baseUrl}${path} answered ${response.status}, expected 200`);
    snapshots.set(path, { body: response.body, etag: response.headers.get('etag'), contentType: response.headers.get('content-type') });
  }
  return snapshots;
}

/** Turns snapshots into conditional requests (If-None-Match: <ETag>); undefined if any answer lacked an ETag. */
export function conditionalRequests(snapshots: Map<string, Snapshot>): AutocannonRequest[] | undefined {
  const requests: AutocannonRequest[] = [];
  for (const [path, { etag }] of snapshots) {
    if (!etag) return undefined;
    requests.push({ path, headers: { 'if-none-match': etag } });
  }
  return requests;
}

/** Counts the items in a feed body (RSS <item>, Atom <entry>, JSON Feed items). */
export function countItems(path: string, body: Buffer): number {
  const text = body.toString('utf8');
  if (path.endsWith('.json')) return (JSON.parse(text) as { items?: unknown[] }).items?.length ?? 0;
  return (text.match(path.endsWith('atom.xml') ? /<entry>/g : /<item>/g) ?? []).length;
}

/** Sends each conditional request once and returns the paths that were not answered 304. */
export async function checkConditional(baseUrl: string, requests: AutocannonRequest[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const r of requests) {
    const response = await fetchOnce(baseUrl + (r.path ?? '/'), r.headers);
    if (response.status !== 304) wrong.push(`${r.path} (${response.status})`);
  }
  return wrong;
}
