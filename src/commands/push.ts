/**
 * WebSub for the serve command, as configured: the built-in hub (default; its subscriptions in the
 * state database), pings to outside hubs (`WEBSUB_HUBS`), or nothing (`WEBSUB=off`). Changes of the
 * index reach it as the scopes they touched.
 */
import type { ArticleIndex } from '../articles/article-index.ts';
import type { Config } from '../config.ts';
import type { HubEndpoint } from '../server/app.ts';
import type { SiteResponses } from '../server/responses.ts';
import { FeedTopics, feedsOfScopes } from '../server/topics.ts';
import { openStateDatabase } from '../state/database.ts';
import type { SiteUrls } from '../urls.ts';
import { WebSubHub } from '../websub/hub.ts';
import { PublishPinger } from '../websub/publish-pings.ts';
import { SubscriptionStore } from '../websub/subscriptions.ts';

/** Push as the server runs it. */
export interface Push {
  /** What the app answers hub requests with (only for the built-in hub). */
  endpoint?: HubEndpoint;
  /** Connects push to the running app, once it exists. */
  start(responses: SiteResponses, urls: SiteUrls): void;
  close(): void;
  /** The built-in hub's figures for the metrics (undefined without it, or before it starts). */
  stats?(): { subscribers: number; delivered: number; failed: number; pending: number } | undefined;
}

/**
 * Sets up push. The state database is opened here, before the server listens, so that a damaged or
 * unwritable one stops the start with its reason (a `StateError`).
 */
export function createPush(config: Config, index: ArticleIndex, log: (line: string) => void = (l) => console.error(l)): Push {
  if (!config.websub) return { start() {}, close() {} };
  if (config.websubHubs.length > 0) {
    const pinger = new PublishPinger({ hubs: config.websubHubs, timeoutMs: config.websubTimeoutSeconds * 1000, retryBaseMs: config.websubRetryBaseSeconds * 1000, log });
    return {
      start(_responses, urls) {
        index.onChange((scopes) => {
          const topics = feedsOfScopes(urls, scopes);
          if (topics.length > 0) pinger.publish(topics);
        });
      },
      close: () => pinger.close(),
    };
  }

  const db = openStateDatabase(config.stateDir);
  const store = new SubscriptionStore(db);
  let hub: WebSubHub | undefined;
  return {
    endpoint: {
      handle: (form, client) => (hub ? hub.handle(form, client) : Promise.resolve({ status: 503, body: 'The hub is starting\n' })),
    },
    start(responses, urls) {
      hub = new WebSubHub(store, new FeedTopics(urls, index, responses), {
        minLeaseSeconds: config.websubMinLeaseSeconds,
        maxLeaseSeconds: config.websubMaxLeaseSeconds,
        defaultLeaseSeconds: config.websubDefaultLeaseSeconds,
        allowPrivateCallbacks: config.websubAllowPrivateCallbacks,
        maxPerTopic: config.websubMaxPerTopic,
        maxPerHost: config.websubMaxPerHost,
        rateBurst: config.websubRateBurst,
        ratePerSecond: config.websubRatePerSecond,
        concurrency: config.websubConcurrency,
        timeoutMs: config.websubTimeoutSeconds * 1000,
        attempts: config.websubAttempts,
        retryBaseMs: config.websubRetryBaseSeconds * 1000,
        horizonMs: config.websubRetryHorizonSeconds * 1000,
        maxPending: 100_000,
        log,
      });
      const running = hub;
      index.onChange((scopes) => running.changed(scopes));
    },
    close() {
      hub?.close();
      db.close();
    },
    stats: () => (hub ? { subscribers: store.count(), ...hub.stats } : undefined),
  };
}
