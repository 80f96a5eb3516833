/**
 * The built-in WebSub hub (W3C WebSub Recommendation): every feed this server serves is a topic.
 *
 * - Subscription (§5): a form POST is checked at once (4xx with a one-line reason), the callback's
 *   address is checked before anything calls it, and the answer is 202; intent is then verified off the
 *   request path (§5.3): a GET to the callback with a fresh single-use challenge, and only a 2xx whose
 *   body is exactly the challenge activates or removes the subscription.
 * - Distribution (§7): when a change touches a topic, its feed is rendered as GET would serve it; if
 *   its ETag differs from the version last sent, the new bytes go to every active subscriber
 *   (deliveries.ts). A change that leaves a topic's bytes alone sends nothing.
 * - Leases expire: an expired subscription gets nothing, and expired rows are swept hourly.
 */
import { randomBytes } from 'node:crypto';
import { callOut } from '../net/call-out.ts';
import { refusedHost } from '../net/address-guard.ts';
import { DeliveryQueue, type DeliveryOptions, type DeliveryOutcome, type TopicVersion } from './deliveries.ts';
import { readHubRequest, type HubRequest, type LeasePolicy } from './hub-request.ts';
import { RateLimiter } from './rate-limit.ts';
import type { SubscriptionStore } from './subscriptions.ts';

/** What the hub needs to know of the feeds. */
export interface TopicSource {
  /** The canonical URL of the feed a topic URL names, or why it names none. */
  resolve(url: string): { topic: string } | { reason: string };
  /** The change scopes a topic's feed depends on (as the article index reports changes): any of them changing may change it. */
  scope(topic: string): readonly string[];
  /** The topic's feed as GET serves it now; undefined when it is no longer served. */
  current(topic: string): Promise<TopicVersion | undefined>;
}

/** The hub's settings: its bounds, and how deliveries are made (deliveries.ts). */
export interface HubOptions extends LeasePolicy, Pick<DeliveryOptions, 'concurrency' | 'timeoutMs' | 'attempts' | 'retryBaseMs' | 'horizonMs' | 'maxPending'> {
  allowPrivateCallbacks: boolean;
  maxPerTopic: number;
  maxPerHost: number;
  rateBurst: number;
  ratePerSecond: number;
  log?: (line: string) => void;
  /** For tests and metrics. */
  settled?: (outcome: DeliveryOutcome) => void;
}

/** The answer to a hub request. */
export interface HubAnswer {
  status: number;
  body: string;
}

/** Verifications waiting or in flight at most; past that, requests are answered 503. */
const MAX_VERIFICATIONS = 10_000;
const VERIFY_CONCURRENCY = 16;
/** Longest verification answer read: a challenge is 43 characters. */
const MAX_CHALLENGE_ANSWER = 1024;
const SWEEP_MS = 60 * 60 * 1000;
/** Changes that come together (a burst of files) are distributed once. */
const COALESCE_MS = 20;

/** The hub; see the module comment. */
export class WebSubHub {
  readonly #store: SubscriptionStore;
  readonly #topics: TopicSource;
  readonly #options: HubOptions;
  readonly #log: (line: string) => void;
  readonly #limiter: RateLimiter;
  readonly #deliveries: DeliveryQueue;
  readonly #verifications: (() => Promise<void>)[] = [];
  #verifying = 0;
  #changed = new Set<string>();
  #flush: NodeJS.Timeout | undefined;
  #distributing: Promise<void> = Promise.resolve();
  readonly #sweep: NodeJS.Timeout;
  #closed = false;

  constructor(store: SubscriptionStore, topics: TopicSource, options: HubOptions) {
    this.#store = store;
    this.#topics = topics;
    this.#options = options;
    this.#log = options.log ?? ((line) => console.error(line));
    this.#limiter = new RateLimiter({ burst: options.rateBurst, perSecond: options.ratePerSecond });
    this.#deliveries = new DeliveryQueue({
      ...options,
      allowPrivate: options.allowPrivateCallbacks,
      current: (topic, callback) => {
        const sub = store.get(topic, callback);
        return sub && sub.expiresAt > Date.now() ? sub : undefined;
      },
      gone: (topic, callback) => store.remove(topic, callback),
      log: this.#log,
      settled: options.settled,
    });
    store.expire();
    this.#sweep = setInterval(() => store.expire(), SWEEP_MS);
    this.#sweep.unref();
  }

  /** Deliveries not yet settled, and totals. */
  get stats(): { delivered: number; failed: number; pending: number } {
    return this.#deliveries.stats;
  }

  /** Answers a subscriber's POST (form body already read); `client` is its address, for the rate limit. */
  async handle(form: URLSearchParams, client: string): Promise<HubAnswer> {
    if (!this.#limiter.take(client)) return { status: 429, body: 'Too many subscription requests from this address; slow down\n' };
    // Another instance serving the same folder pings this hub (WEBSUB_HUBS): the hub sees every change
    // to the folder itself, so a ping is acknowledged and needs nothing done.
    if (form.get('hub.mode') === 'publish') return { status: 202, body: 'Accepted: this hub follows the articles folder itself\n' };
    const read = readHubRequest(form, this.#options, (url) => this.#topics.resolve(url));
    if (!read.ok) return { status: read.status, body: `${read.reason}\n` };
    const request = read.request;
    if (!this.#options.allowPrivateCallbacks) {
      const why = await refusedHost(new URL(request.callback).hostname);
      if (why) return { status: 403, body: `hub.callback refused: ${why} (this hub calls public addresses only)\n` };
    }
    if (request.mode === 'subscribe' && !this.#store.get(request.topic, request.callback)) {
      if (this.#store.countForTopic(request.topic) >= this.#options.maxPerTopic) {
        return { status: 429, body: `${request.topic} has the most subscribers this hub takes (${this.#options.maxPerTopic})\n` };
      }
      if (this.#store.countForHost(request.callbackHost) >= this.#options.maxPerHost) {
        return { status: 429, body: `callbacks on ${request.callbackHost} hold the most subscriptions this hub takes (${this.#options.maxPerHost})\n` };
      }
    }
    if (this.#verifications.length + this.#verifying >= MAX_VERIFICATIONS) return { status: 503, body: 'The hub is busy verifying; try again later\n' };
    this.#verifications.push(() => this.#verify(request));
    this.#nextVerification();
    return { status: 202, body: 'Accepted: the hub will verify with your callback\n' };
  }

  /** Tells the hub which scopes a change touched; distribution follows off the request path. */
  changed(scopes: Iterable<string>): void {
    if (this.#closed) return;
    for (const scope of scopes) this.#changed.add(scope);
    this.#flush ??= setTimeout(() => {
      this.#flush = undefined;
      const scopes = this.#changed;
      this.#changed = new Set();
      this.#distributing = this.#distributing.then(() => this.#distribute(scopes)).catch((error: Error) => this.#log(`websub: distribution failed: ${error.message}`));
    }, COALESCE_MS);
  }

  /** Stops the hub: no more verifications or deliveries. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#flush);
    clearInterval(this.#sweep);
    this.#verifications.length = 0;
    this.#deliveries.close();
  }

  #nextVerification(): void {
    while (!this.#closed && this.#verifying < VERIFY_CONCURRENCY && this.#verifications.length > 0) {
      const job = this.#verifications.shift()!;
      this.#verifying++;
      void job().finally(() => {
        this.#verifying--;
        this.#nextVerification();
      });
    }
  }

  async #verify(request: HubRequest): Promise<void> {
    const challenge = randomBytes(32).toString('base64url');
    const url = new URL(request.callback);
    url.searchParams.append('hub.mode', request.mode);
    url.searchParams.append('hub.topic', request.requestedTopic);
    url.searchParams.append('hub.challenge', challenge);
    if (request.mode === 'subscribe') url.searchParams.append('hub.lease_seconds', String(request.leaseSeconds));
    let answer: string;
    try {
      const { status, body } = await callOut({
        method: 'GET',
        url: url.href,
        timeoutMs: this.#options.timeoutMs,
        maxBodyBytes: MAX_CHALLENGE_ANSWER,
        allowPrivate: this.#options.allowPrivateCallbacks,
      });
      if (status < 200 || status >= 300) answer = `answered ${status}`;
      else answer = body === challenge ? 'ok' : 'did not echo the challenge';
    } catch (error) {
      answer = (error as Error).message;
    }
    if (this.#closed) return;
    if (answer !== 'ok') {
      this.#log(`websub: ${request.mode} of ${request.callback} to ${request.topic} not verified: ${answer}`);
      return;
    }
    if (request.mode === 'unsubscribe') {
      this.#store.remove(request.topic, request.callback);
      this.#log(`websub: unsubscribed ${request.callback} from ${request.topic}`);
      return;
    }
    // The version a new subscriber starts from: only later versions are distributed to it. With other
    // subscribers, the one last sent to them stands (a newer one may be on its way to them).
    if (this.#store.lastEtag(request.topic) === undefined || this.#store.countForTopic(request.topic) === 0) {
      const version = await this.#topics.current(request.topic);
      if (version) this.#store.setLastEtag(request.topic, version.etag);
    }
    this.#store.save({
      topic: request.topic,
      callback: request.callback,
      callbackHost: request.callbackHost,
      secret: request.secret,
      leaseSeconds: request.leaseSeconds,
      expiresAt: Date.now() + request.leaseSeconds * 1000,
    });
    this.#log(`websub: subscribed ${request.callback} to ${request.topic} for ${request.leaseSeconds} s`);
  }

  async #distribute(scopes: ReadonlySet<string>): Promise<void> {
    for (const topic of this.#store.topics()) {
      if (this.#closed) return;
      if (!this.#topics.scope(topic).some((scope) => scopes.has(scope))) continue;
      const version = await this.#topics.current(topic);
      if (!version || version.etag === this.#store.lastEtag(topic)) continue;
      this.#store.setLastEtag(topic, version.etag);
      this.#deliveries.publish(version, this.#store.active(topic));
    }
  }
}
