/**
 * Pinging outside hubs (`WEBSUB_HUBS`): on each change, every hub is told which feeds changed with a
 * form POST of `hub.mode=publish` and `hub.url` / `hub.topic` (the form the public hubs accept), off
 * the request path. Pings for one hub go out one at a time, each with a timeout and up to three
 * attempts; a topic already waiting for a hub is not queued twice, so the queue holds at most one entry
 * per (hub, feed).
 */
import { callWithRetries } from '../net/call-out.ts';

/** How pings are sent. */
export interface PingOptions {
  hubs: readonly string[];
  timeoutMs: number;
  retryBaseMs: number;
  log: (line: string) => void;
  /** Called after each ping is settled, for tests and metrics. */
  settled?: (hub: string, topic: string, ok: boolean) => void;
}

const ATTEMPTS = 3;

/** The pinger; see the module comment. */
export class PublishPinger {
  readonly #options: PingOptions;
  readonly #queues = new Map<string, Set<string>>();
  readonly #running = new Set<string>();
  #closed = false;

  constructor(options: PingOptions) {
    this.#options = options;
    for (const hub of options.hubs) this.#queues.set(hub, new Set());
  }

  /** Queues a ping to every hub for each of these feed URLs. */
  publish(topics: Iterable<string>): void {
    if (this.#closed) return;
    const list = [...topics];
    for (const [hub, queue] of this.#queues) {
      for (const topic of list) queue.add(topic);
      if (!this.#running.has(hub)) void this.#drain(hub, queue);
    }
  }

  /** Stops sending. */
  close(): void {
    this.#closed = true;
  }

  async #drain(hub: string, queue: Set<string>): Promise<void> {
    this.#running.add(hub);
    while (!this.#closed && queue.size > 0) {
      const topic = queue.values().next().value!;
      queue.delete(topic);
      const body = new URLSearchParams({ 'hub.mode': 'publish', 'hub.url': topic, 'hub.topic': topic }).toString();
      const { ok, why } = await callWithRetries(
        {
          method: 'POST',
          url: hub,
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body,
          timeoutMs: this.#options.timeoutMs,
          // The operator named these hubs: they may be on the local network.
          allowPrivate: true,
        },
        { attempts: ATTEMPTS, retryBaseMs: this.#options.retryBaseMs, stopped: () => this.#closed },
      );
      if (!ok) this.#options.log(`websub: publish ping to ${hub} for ${topic} failed after ${ATTEMPTS} attempts: ${why}`);
      this.#options.settled?.(hub, topic, ok);
    }
    this.#running.delete(hub);
  }
}
