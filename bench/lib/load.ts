import autocannon, { type AutocannonRequest } from 'autocannon';
import { findWrk, runWrk } from './wrk.ts';

/** Load-generator settings shared by every measured class. */
export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
  /** autocannon (in-process, the default) or wrk (a separate, leaner C process) at this path. */
  tool: { name: 'autocannon' } | { name: 'wrk'; binary: string };
}

/** Settings for a focused benchmark script: wrk when installed, else autocannon, after a 1 s warm-up. */
export function defaultLoadSettings(connections: number, durationS: number): LoadSettings {
  const wrk = findWrk();
  return { connections, durationS, warmupS: 1, tool: wrk ? { name: 'wrk', binary: wrk } : { name: 'autocannon' } };
}

/** Throughput and tail latency of one load run. */
export interface LoadFigure {
  rps: number;
  p99Ms: number;
  requests: number;
  /** Errors, timeouts and answers with a status other than the expected one. */
  unexpected: number;
  /** Status code counts and error counts, for messages. */
  detail: string;
}

/** Returns the q-quantile (0..1) of the first `n` values, by sorting a copy. */
export function quantile(values: Float64Array, n: number, q: number): number {
  if (n === 0) return Number.NaN;
  const sorted = values.slice(0, n).sort();
  return sorted[Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1))]!;
}

/**
 * Runs the configured load generator against `baseUrl`, each connection cycling
 * through `requests`, and reports requests per second and p99 latency.
 */
export function runLoad(baseUrl: string, requests: AutocannonRequest[], expectedStatus: number,
  settings: LoadSettings): Promise<LoadFigure> {
  return settings.tool.name === 'wrk'
    ? runWrk(settings.tool.binary, baseUrl, requests, settings)
    : runAutocannon(baseUrl, requests, expectedStatus, settings);
}

/**
 * Runs autocannon against `baseUrl` with each connection cycling through
 * `requests`, after an unmeasured warm-up, and reports requests per second and
 * p99 latency. The p99 comes from per-response timings (autocannon's own histogram
 * rounds to whole milliseconds, too coarse for sub-millisecond static answers).
 */
export async function runAutocannon(baseUrl: string, requests: AutocannonRequest[], expectedStatus: number,
  settings: LoadSettings): Promise<LoadFigure> {
  let latencies = new Float64Array(1 << 16);
  let n = 0;
  const instance = autocannon({
    url: baseUrl,
    connections: settings.connections,
    duration: settings.durationS,
    pipelining: 1,
    timeout: 10,
    requests: requests.map((r) => ({ method: 'GET', ...r })),
    ...(settings.warmupS > 0 ? { warmup: { connections: settings.connections, duration: settings.warmupS } } : {}),
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    if (n === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[n++] = responseTimeMs;
  });
  // autocannon stops by itself after the duration; this guard only bounds a stuck run.
  const guard = setTimeout(() => instance.stop(), (settings.durationS + settings.warmupS + 30) * 1000);
  try {
    const result = await instance;
    const statuses = Object.entries(result.statusCodeStats);
    const wrong = statuses.filter(([code]) => Number(code) !== expectedStatus).reduce((sum, [, s]) => sum + s.count, 0);
    const detail = [...statuses.map(([code, s]) => `${code}: ${s.count}`),
      `errors: ${result.errors}`, `timeouts: ${result.timeouts}`].join(', ');
    return {
      rps: result.requests.total / result.duration,
      p99Ms: quantile(latencies, n, 0.99),
      requests: result.requests.total,
      unexpected: wrong + result.errors + result.timeouts,
      detail,
    };
  } finally {
    clearTimeout(guard);
  }
}
