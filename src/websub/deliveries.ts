/**
 * Content distribution (W3C WebSub §7): each new version of a topic is POSTed to every active
 * subscriber, off the request path, with bounded concurrency, a timeout per call and bounded retries.
 *
 * What is queued is one small record per subscription, never a copy of the body: the body sent is the
 * topic's latest version at the moment of sending, so a newer version supersedes a pending one by
 * itself, and memory is one body per topic plus one record per pending subscriber (at most
 * `maxPending`). A delivery that fails (timeout, network error, a status other than 2xx) is tried again
 * after `retryBaseMs`, then three times as long each time (5 s, 15 s, 45 s, … by default: the first three
 * attempts fall within 20 s), until `attempts` are spent or the next one would fall past `horizonMs`.
 * `410 Gone` ends the subscription (§7: the subscriber no longer wants it).
 */
import { createHmac } from 'node:crypto';
import { callOut } from '../net/call-out.ts';
import type { Subscription } from './subscriptions.ts';

/** One version of a topic, as GET serves it. */
export interface TopicVersion {
  topic: string;
  etag: string;
  body: Buffer;
  contentType: string;
  /** The `Link` header value: hub and self (§7). */
  link: string;
}

/** How deliveries are made. */
export interface DeliveryOptions {
  concurrency: number;
  timeoutMs: number;
  attempts: number;
  retryBaseMs: number;
  horizonMs: number;
  maxPending: number;
  allowPrivate: boolean;
  /** The subscription as it stands now (undefined: gone or expired, so nothing is sent). */
  current: (topic: string, callback: string) => Subscription | undefined;
  /** The subscriber answered 410 Gone. */
  gone: (topic: string, callback: string) => void;
  log: (line: string) => void;
  /** Called after each delivery is settled (sent, given up or dropped), for tests and metrics. */
  settled?: (outcome: DeliveryOutcome) => void;
}

/** How one delivery ended. */
export interface DeliveryOutcome {
  topic: string;
  callback: string;
  result: 'delivered' | 'gone' | 'gave-up' | 'dropped';
  attempts: number;
}

interface Pending {
  topic: string;
  callback: string;
  attempt: number;
  firstAt: number;
  timer?: NodeJS.Timeout;
  queued: boolean;
  inFlight: boolean;
  /** A newer version came while this one was being sent: send again when it is done. */
  again: boolean;
}

const keyOf = (topic: string, callback: string) => `${topic}\n${callback}`;

/** The signature header of a body for a secret (§7, sha256). */
export function signature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** The distribution queue; see the module comment. */
export class DeliveryQueue {
  readonly #options: DeliveryOptions;
  readonly #versions = new Map<string, TopicVersion>();
  /** Pending deliveries per topic: a topic's body is let go once none is left. */
  readonly #perTopic = new Map<string, number>();
  readonly #pending = new Map<string, Pending>();
  #ready: Pending[] = [];
  #head = 0;
  #active = 0;
  #closed = false;
  #delivered = 0;
  #failed = 0;

  constructor(options: DeliveryOptions) {
    this.#options = options;
  }

  /** Deliveries not yet settled. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Totals since start. */
  get stats(): { delivered: number; failed: number; pending: number } {
    return { delivered: this.#delivered, failed: this.#failed, pending: this.#pending.size };
  }

  /** Queues a new version of a topic for these subscribers. */
  publish(version: TopicVersion, subscribers: readonly Subscription[]): void {
    if (this.#closed) return;
    this.#versions.set(version.topic, version);
    const now = Date.now();
    for (const sub of subscribers) {
      const key = keyOf(sub.topic, sub.callback);
      const entry = this.#pending.get(key);
      if (entry) {
        // Superseded: the latest version is what goes out, and its attempts start again.
        entry.attempt = 0;
        entry.firstAt = now;
        if (entry.inFlight) entry.again = true;
        else if (!entry.queued) {
          clearTimeout(entry.timer);
          this.#enqueue(entry);
        }
        continue;
      }
      if (this.#pending.size >= this.#options.maxPending) {
        this.#failed++;
        this.#options.log(`websub: delivery queue full (${this.#options.maxPending}); ${sub.callback} misses this version of ${sub.topic}`);
        this.#options.settled?.({ topic: sub.topic, callback: sub.callback, result: 'dropped', attempts: 0 });
        continue;
      }
      const fresh: Pending = { topic: sub.topic, callback: sub.callback, attempt: 0, firstAt: now, queued: false, inFlight: false, again: false };
      this.#pending.set(key, fresh);
      this.#perTopic.set(sub.topic, (this.#perTopic.get(sub.topic) ?? 0) + 1);
      this.#enqueue(fresh);
    }
    // A version no subscriber is waiting for is not kept.
    if (!this.#perTopic.has(version.topic)) this.#versions.delete(version.topic);
    this.#pump();
  }

  /** Stops: nothing more is sent, timers are cleared. */
  close(): void {
    this.#closed = true;
    for (const entry of this.#pending.values()) clearTimeout(entry.timer);
    this.#pending.clear();
    this.#perTopic.clear();
    this.#versions.clear();
    this.#ready = [];
    this.#head = 0;
  }

  /** One delivery of `topic` fewer; its body is dropped with the last. */
  #release(topic: string): void {
    const left = (this.#perTopic.get(topic) ?? 0) - 1;
    if (left > 0) this.#perTopic.set(topic, left);
    else {
      this.#perTopic.delete(topic);
      this.#versions.delete(topic);
    }
  }

  #enqueue(entry: Pending): void {
    entry.queued = true;
    this.#ready.push(entry);
  }

  #pump(): void {
    while (!this.#closed && this.#active < this.#options.concurrency && this.#head < this.#ready.length) {
      const entry = this.#ready[this.#head++]!;
      entry.queued = false;
      void this.#send(entry);
    }
    if (this.#head === this.#ready.length) {
      this.#ready = [];
      this.#head = 0;
    }
  }

  async #send(entry: Pending): Promise<void> {
    const sub = this.#options.current(entry.topic, entry.callback);
    const version = this.#versions.get(entry.topic);
    if (!sub || !version) return this.#settle(entry, 'dropped');
    this.#active++;
    entry.inFlight = true;
    entry.attempt++;
    const headers: Record<string, string> = { 'Content-Type': version.contentType, Link: version.link };
    if (sub.secret) headers['X-Hub-Signature'] = signature(sub.secret, version.body);
    let outcome: 'ok' | 'gone' | string;
    try {
      const { status } = await callOut({ method: 'POST', url: sub.callback, headers, body: version.body, timeoutMs: this.#options.timeoutMs, allowPrivate: this.#options.allowPrivate });
      outcome = status >= 200 && status < 300 ? 'ok' : status === 410 ? 'gone' : `answered ${status}`;
    } catch (error) {
      outcome = (error as Error).message;
    }
    this.#active--;
    entry.inFlight = false;
    if (this.#closed) return;
    if (entry.again) {
      entry.again = false;
      this.#enqueue(entry);
    } else if (outcome === 'ok') {
      this.#delivered++;
      this.#settle(entry, 'delivered');
    } else if (outcome === 'gone') {
      this.#options.gone(entry.topic, entry.callback);
      this.#options.log(`websub: ${entry.callback} answered 410 Gone: unsubscribed from ${entry.topic}`);
      this.#settle(entry, 'gone');
    } else {
      const delay = this.#options.retryBaseMs * 3 ** (entry.attempt - 1);
      const past = Date.now() + delay - entry.firstAt > this.#options.horizonMs;
      if (entry.attempt >= this.#options.attempts || past) {
        this.#failed++;
        this.#options.log(`websub: gave up delivering ${entry.topic} to ${entry.callback} after ${entry.attempt} attempts: ${outcome}`);
        this.#settle(entry, 'gave-up');
      } else {
        this.#options.log(`websub: delivery of ${entry.topic} to ${entry.callback} failed (${outcome}); attempt ${entry.attempt + 1} in ${Math.round(delay / 1000)} s`);
        entry.timer = setTimeout(() => {
          entry.timer = undefined;
          this.#enqueue(entry);
          this.#pump();
        }, delay);
        entry.timer.unref();
      }
    }
    this.#pump();
  }

  /** Bodies of topics held for deliveries still pending (one per topic at most). */
  get heldVersions(): number {
    return this.#versions.size;
  }

  #settle(entry: Pending, result: DeliveryOutcome['result']): void {
    this.#pending.delete(keyOf(entry.topic, entry.callback));
    this.#release(entry.topic);
    this.#options.settled?.({ topic: entry.topic, callback: entry.callback, result, attempts: entry.attempt });
  }
}
