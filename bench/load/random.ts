/** A seeded pseudo-random source: call it for a float in [0, 1). */
export interface Random {
  (): number;
  /** Returns an integer in [0, n). */
  int(n: number): number;
  /** Returns one element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
}

/**
 * Creates a deterministic random source (mulberry32), so a run's request mix and writes repeat with the same seed.
 * @example const rnd = createRandom(1); rnd.pick(['a', 'b']);
 */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const next = (() => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }) as Random;
  next.int = (n) => Math.floor(next() * n);
  next.pick = (items) => items[Math.floor(next() * items.length)]!;
  return next;
}
