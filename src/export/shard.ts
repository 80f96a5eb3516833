/**
 * Splitting an export between threads. Every thread lists the export's routes (route-inputs.ts) and
 * renders those whose route pattern is assigned to it. A parameterised route is kept whole: the thread that
 * writes every tag's RSS renders each article's RSS item once and reuses it (feeds/compose.ts), where
 * splitting each route's tags between threads had every thread render nearly every item.
 */
import { FEED_FILES } from '../urls.ts';

// Relative cost of a parameterised route's files, rendered and written: on a 10k-article corpus in one
// thread, each format's tag feeds took 4.8-5.3 s (7.6 s for the first, which also read every body),
// the tag pages 4.1 s and the article pages 3.9 s. Routes without parameters are single files.
const FEED_WEIGHTS: Record<string, number> = { [FEED_FILES.rss]: 5, [FEED_FILES.atom]: 5, [FEED_FILES.json]: 5 };
const PAGE_WEIGHT = 4;
// Archives hold only whole pages, and most tags have fewer articles than one (5,000 tags over 10k
// articles: a few hundred tag archives per format); their items are mostly rendered already for the
// tag feeds when the same thread has both. Paged lists beyond page 1 and child sitemaps are few.
const TAG_ARCHIVE_WEIGHT = 2;
const LIGHT_WEIGHT = 1;

const isParameterised = (route: string) => route.split('/').some((segment) => segment.startsWith(':'));

/** The cost weight of a route pattern such as `/tags/:tag/rss.xml`. */
export function routeWeight(route: string): number {
  if (!isParameterised(route)) return 0;
  if (route.includes('/archive/')) return route.startsWith('/tags/') ? TAG_ARCHIVE_WEIGHT : LIGHT_WEIGHT;
  if (route.includes('/page/') || route.startsWith('/sitemaps/')) return LIGHT_WEIGHT;
  return FEED_WEIGHTS[route.slice(route.lastIndexOf('/') + 1)] ?? PAGE_WEIGHT;
}

/**
 * Assigns routes to `shards` threads: the costliest first, each to the thread with the least so far
 * (ties to the lowest number), routes without parameters to thread 0. Every thread computes the same.
 */
export function assignRoutes(routes: readonly string[], shards: number): Map<string, number> {
  const load = new Array<number>(shards).fill(0);
  const assigned = new Map<string, number>();
  const order = [...new Set(routes)].map((route, i) => ({ route, i, weight: routeWeight(route) }));
  order.sort((a, b) => b.weight - a.weight || a.i - b.i);
  for (const { route, weight } of order) {
    const shard = weight === 0 ? 0 : load.indexOf(Math.min(...load));
    load[shard]! += weight;
    assigned.set(route, shard);
  }
  return assigned;
}

/** Largest useful number of threads for an app: one per parameterised route. */
export function maxShards(routes: readonly string[]): number {
  return Math.max(1, new Set(routes.filter(isParameterised)).size);
}
