/**
 * The small part of autocannon 8's programmatic API that the benchmark uses
 * (the package ships no type declarations).
 */
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  /** One request in the sequence each connection cycles through. */
  export interface AutocannonRequest {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
  }

  /** Options accepted by `autocannon(options)`. */
  export interface AutocannonOptions {
    url: string;
    connections?: number;
    duration?: number;
    pipelining?: number;
    timeout?: number;
    requests?: AutocannonRequest[];
    warmup?: { connections?: number; duration?: number };
  }

  /** A histogram summary in the result (latency in ms, requests per second). */
  export interface Histogram {
    average: number;
    mean: number;
    min: number;
    max: number;
    p50: number;
    p90: number;
    p99: number;
    total?: number;
  }

  /** The aggregated result of a run. */
  export interface AutocannonResult {
    duration: number;
    errors: number;
    timeouts: number;
    resets: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
    latency: Histogram;
    requests: Histogram & { total: number; sent: number };
  }

  /** A running benchmark: awaitable, and emits `response` per answer. */
  export interface Instance extends EventEmitter, PromiseLike<AutocannonResult> {
    stop(): void;
  }

  /** Starts a load run; resolves with its result. */
  export default function autocannon(options: AutocannonOptions): Instance;
}
