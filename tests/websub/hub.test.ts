/**
 * WebSubHub over a stand-in topic source whose versions the test sets, a real state database and a
 * real subscriber on 127.0.0.1: which versions reach whom.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStateDatabase } from '../../src/state/database.ts';
import type { TopicVersion } from '../../src/websub/deliveries.ts';
import { WebSubHub, type TopicSource } from '../../src/websub/hub.ts';
import { SubscriptionStore } from '../../src/websub/subscriptions.ts';
import { makeTempDir, removeTempDir } from '../support/factory.ts';
import { eventually } from '../support/live-server.ts';
import { startSubscriber, type Subscriber } from '../support/subscriber.ts';

const TOPIC = 'http://feeds.example/rss.xml';
let dir: string;
let subscriber: Subscriber;
let hub: WebSubHub | undefined;
let current = 'v1';
const logs: string[] = [];

const topics: TopicSource = {
  resolve: (url) => (url === TOPIC ? { topic: TOPIC } : { reason: 'not a feed' }),
  scope: () => ['site'],
  current: async (topic): Promise<TopicVersion> => ({ topic, etag: `"${current}"`, body: Buffer.from(current), contentType: 'application/rss+xml', link: `<${topic}>; rel="self"` }),
};

function createHub(): WebSubHub {
  const store = new SubscriptionStore(openStateDatabase(dir));
  hub = new WebSubHub(store, topics, {
    minLeaseSeconds: 60, maxLeaseSeconds: 3600, defaultLeaseSeconds: 600, allowPrivateCallbacks: true,
    maxPerTopic: 100, maxPerHost: 100, rateBurst: 100, ratePerSecond: 10,
    concurrency: 4, timeoutMs: 2000, attempts: 2, retryBaseMs: 100, horizonMs: 10_000, maxPending: 100,
    log: (line) => logs.push(line),
  });
  return hub;
}

async function request(mode: 'subscribe' | 'unsubscribe', path: string) {
  const before = logs.length;
  const answer = await hub!.handle(new URLSearchParams({ 'hub.mode': mode, 'hub.topic': TOPIC, 'hub.callback': subscriber.url(path) }), '127.0.0.1');
  expect(answer.status).toBe(202);
  await eventually(async () => (logs.slice(before).some((l) => l.includes(`${mode}d`) || l.includes(`${mode}d `)) ? true : undefined), `${mode} of ${path}`);
}

const bodiesTo = (path: string) => subscriber.deliveries.filter((d) => d.path === path).map((d) => d.body.toString());
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeEach(async () => {
  dir = await makeTempDir('tagfeeds-hub-');
  subscriber = await startSubscriber();
  current = 'v1';
  logs.length = 0;
});
afterEach(async () => {
  hub?.close();
  await subscriber.close();
  await removeTempDir(dir);
});

describe('WebSubHub', () => {
  it('starts a subscriber of an idle topic from the version it can already fetch, not one sent to others before', async () => {
    createHub();
    await request('subscribe', '/a');
    await request('unsubscribe', '/a');
    // The topic changes while nobody subscribes: nothing is distributed, nothing recorded.
    current = 'v2';
    hub!.changed(['site']);
    await sleep(100);
    await request('subscribe', '/b');
    // A change that leaves the topic's bytes as they were sends the new subscriber nothing...
    hub!.changed(['site']);
    await sleep(300);
    expect(bodiesTo('/b')).toEqual([]);
    // ...and the next version reaches it.
    current = 'v3';
    hub!.changed(['site']);
    await eventually(async () => (bodiesTo('/b').length === 1 ? true : undefined), 'the delivery of v3');
    expect(bodiesTo('/b')).toEqual(['v3']);
    expect(bodiesTo('/a')).toEqual([]);
  });

  it('sends nothing for a change to scopes its topics do not depend on', async () => {
    createHub();
    await request('subscribe', '/c');
    current = 'v2';
    hub!.changed(['tag:other']);
    await sleep(300);
    expect(bodiesTo('/c')).toEqual([]);
    hub!.changed(['site']);
    await eventually(async () => (bodiesTo('/c').length === 1 ? true : undefined), 'the delivery');
  });
});
