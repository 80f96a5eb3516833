import { describe, expect, it } from 'vitest';
import { PARAMETERISED_ROUTES } from '../../src/server/app.ts';
import { assignRoutes, maxShards, routeWeight } from '../../src/export/shard.ts';

const routes = ['/', '/rss.xml', '/tags', ...PARAMETERISED_ROUTES];
const totals = (assigned: Map<string, number>, shards: number) => {
  const load = new Array<number>(shards).fill(0);
  for (const [route, shard] of assigned) load[shard]! += routeWeight(route);
  return load;
};

describe('assignRoutes', () => {
  it('gives each route to exactly one thread, routes without parameters to the first', () => {
    for (const shards of [1, 2, 3, 4, 5]) {
      const assigned = assignRoutes(routes, shards);
      expect([...assigned.keys()].sort()).toEqual([...routes].sort());
      for (const route of ['/', '/rss.xml', '/tags']) expect(assigned.get(route)).toBe(0);
      for (const shard of assigned.values()) expect(shard).toBeLessThan(shards);
    }
  });

  it('keeps each format of the tag feeds in one thread, and balances the threads', () => {
    const two = assignRoutes(routes, 2);
    expect(two.get('/tags/:tag/rss.xml')).not.toBe(two.get('/tags/:tag/atom.xml'));
    // Greedy balance: the threads differ by no more than one route's weight.
    const load = totals(two, 2);
    expect(Math.max(...load) - Math.min(...load)).toBeLessThanOrEqual(Math.max(...routes.map(routeWeight)));
    expect(Math.min(...load)).toBeGreaterThan(0);
    // As many threads as parameterised routes: one each.
    expect(new Set(assignRoutes(routes, 5).values()).size).toBe(5);
    expect(maxShards(routes)).toBe(PARAMETERISED_ROUTES.length);
  });
});
