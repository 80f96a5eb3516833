import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeliveryQueue, type DeliveryOptions, type DeliveryOutcome, type TopicVersion } from '../../src/websub/deliveries.ts';
import type { Subscription } from '../../src/websub/subscriptions.ts';
import { eventually } from '../support/live-server.ts';
import { startSubscriber, type Subscriber } from '../support/subscriber.ts';

const TOPIC = 'http://feeds.example/rss.xml';
let subscriber: Subscriber;
let queue: DeliveryQueue | undefined;

beforeEach(async () => {
  subscriber = await startSubscriber();
});
afterEach(async () => {
  queue?.close();
  await subscriber.close();
});

const sub = (path: string): Subscription => ({ topic: TOPIC, callback: subscriber.url(path), callbackHost: '127.0.0.1', leaseSeconds: 3600, expiresAt: Date.now() + 3_600_000 });
const version = (text: string): TopicVersion => ({ topic: TOPIC, etag: `"${text}"`, body: Buffer.from(text), contentType: 'application/rss+xml; charset=utf-8', link: `<${TOPIC}>; rel="self"` });

function createQueue(subs: Subscription[], options: Partial<DeliveryOptions> = {}) {
  const outcomes: DeliveryOutcome[] = [];
  const logs: string[] = [];
  const gone: string[] = [];
  queue = new DeliveryQueue({
    concurrency: 8,
    timeoutMs: 2000,
    attempts: 5,
    retryBaseMs: 100,
    horizonMs: 60_000,
    maxPending: 1000,
    allowPrivate: true,
    current: (_topic, callback) => subs.find((s) => s.callback === callback),
    gone: (_topic, callback) => gone.push(callback),
    log: (line) => logs.push(line),
    settled: (o) => outcomes.push(o),
    ...options,
  });
  return { queue, outcomes, logs, gone };
}

const bodiesTo = (path: string) => subscriber.deliveries.filter((d) => d.path === path).map((d) => d.body.toString());

describe('DeliveryQueue', () => {
  it('sends the newest version when a newer one supersedes a pending retry', async () => {
    subscriber.behave('/a', { statuses: [500, 204] });
    const subs = [sub('/a')];
    const { queue, outcomes } = createQueue(subs, { retryBaseMs: 400 });
    queue.publish(version('v1'), subs);
    await eventually(async () => (bodiesTo('/a').length === 1 ? true : undefined), 'the first attempt');
    queue.publish(version('v2'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'the delivery to settle');
    expect(bodiesTo('/a')).toEqual(['v1', 'v2']);
    expect(outcomes[0]).toMatchObject({ result: 'delivered' });
    expect(queue.heldVersions).toBe(0);
  });

  it('sends a version that came while the previous one was in flight, once that one is done', async () => {
    subscriber.behave('/slow', { delayMs: 300 });
    const subs = [sub('/slow')];
    const { queue, outcomes } = createQueue(subs);
    queue.publish(version('v1'), subs);
    await eventually(async () => (bodiesTo('/slow').length === 1 ? true : undefined), 'the first POST');
    queue.publish(version('v2'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'both to settle');
    expect(bodiesTo('/slow')).toEqual(['v1', 'v2']);
  });

  it('gives up after the configured attempts, waiting three times longer each time', async () => {
    subscriber.behave('/down', { statuses: [503] });
    const subs = [sub('/down')];
    const { queue, outcomes, logs } = createQueue(subs, { attempts: 3, retryBaseMs: 100 });
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'the delivery to be given up');
    const times = subscriber.deliveries.map((d) => d.at);
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(90);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(290);
    expect(outcomes[0]).toMatchObject({ result: 'gave-up', attempts: 3 });
    expect(logs.at(-1)).toMatch(/gave up delivering .* after 3 attempts: answered 503/u);
  });

  it('makes no attempt past the horizon', async () => {
    subscriber.behave('/down', { statuses: [500] });
    const subs = [sub('/down')];
    const { queue, outcomes } = createQueue(subs, { attempts: 50, retryBaseMs: 100, horizonMs: 500 });
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'the delivery to be given up');
    // Attempts at 0, 100 and 400 ms; the next would come at 1300 ms, past the 500 ms horizon.
    expect(subscriber.deliveries).toHaveLength(3);
  });

  it('times out a callback that does not answer, and retries it', async () => {
    subscriber.behave('/hangs', { delayMs: 3000 });
    const subs = [sub('/hangs')];
    const { queue, outcomes, logs } = createQueue(subs, { attempts: 2, timeoutMs: 200, retryBaseMs: 50 });
    const started = Date.now();
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'the delivery to be given up');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logs[0]).toMatch(/no answer within 200 ms/u);
  });

  it('reports 410 Gone and sends nothing more', async () => {
    subscriber.behave('/gone', { statuses: [410] });
    const subs = [sub('/gone')];
    const { queue, outcomes, gone } = createQueue(subs);
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'the delivery');
    expect(gone).toEqual([subscriber.url('/gone')]);
    expect(outcomes[0]).toMatchObject({ result: 'gone', attempts: 1 });
  });

  it('keeps no more deliveries in flight than its concurrency', async () => {
    const subs = Array.from({ length: 12 }, (_, i) => sub(`/c${i}`));
    for (let i = 0; i < 12; i++) subscriber.behave(`/c${i}`, { delayMs: 100 });
    const { queue, outcomes } = createQueue(subs, { concurrency: 3 });
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 12 ? true : undefined), 'every delivery');
    expect(subscriber.maxConcurrent()).toBe(3);
    // Nothing is held once every delivery is settled: not even the body.
    expect(queue.pending).toBe(0);
    expect(queue.heldVersions).toBe(0);
  });

  it('drops what does not fit its bound on pending deliveries, with a log line, and delivers the rest', async () => {
    const subs = Array.from({ length: 5 }, (_, i) => sub(`/p${i}`));
    const { queue, outcomes, logs } = createQueue(subs, { maxPending: 3 });
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 5 ? true : undefined), 'every outcome');
    expect(outcomes.filter((o) => o.result === 'dropped')).toHaveLength(2);
    expect(queue.heldVersions).toBe(0);
    expect(outcomes.filter((o) => o.result === 'delivered')).toHaveLength(3);
    expect(logs.filter((l) => /queue full/u.test(l))).toHaveLength(2);
  });

  it('holds no body for a version published to no subscriber', () => {
    const { queue } = createQueue([]);
    queue.publish(version('v1'), []);
    expect(queue.heldVersions).toBe(0);
  });

  it('sends nothing to a subscription that ended before its turn', async () => {
    const subs = [sub('/ended')];
    const { queue, outcomes } = createQueue([], {});
    queue.publish(version('v1'), subs);
    await eventually(async () => (outcomes.length === 1 ? true : undefined), 'the outcome');
    expect(outcomes[0]).toMatchObject({ result: 'dropped' });
    expect(subscriber.deliveries).toEqual([]);
  });
});
