/**
 * The built-in WebSub hub end to end: a real server process, a real subscriber on 127.0.0.1 that
 * subscribes, answers the hub's challenge and receives the pushes, and articles written to the folder
 * as a publisher does.
 */
import { createHmac } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';
import { feedparse } from '../support/readers.ts';
import { requestSubscription, startSubscriber, type Subscriber } from '../support/subscriber.ts';

const article = (title: string, tags: string) => `${title}\n\n${title} body paragraph.\n${tags}\n`;

let dir: string;
let stateDir: string;
let server: LiveServer;
let subscriber: Subscriber;
let written = 0;

/** Writes an article as a careful publisher does: a temporary dotfile, then a rename into place. */
async function publish(tags: string): Promise<number> {
  const name = `new-${++written}.txt`;
  await writeFile(join(dir, `.${name}.tmp`), article(`New article ${written}`, tags));
  await rename(join(dir, `.${name}.tmp`), join(dir, name));
  return Date.now();
}

// Requests go to the listening address; topics and the hub are named by the site's base URL (the
// default, http://localhost:PORT), as its feeds announce them.
const baseUrl = () => server.url.replace('127.0.0.1', 'localhost');
const hubUrl = () => `${server.url}/websub`;
const hubName = () => `${baseUrl()}/websub`;
const topicUrl = (path: string) => `${baseUrl()}${path}`;
const feedUrl = (path: string) => `${server.url}${path}`;
const deliveriesTo = (path: string) => subscriber.deliveries.filter((d) => d.path === path);
const logCount = (text: string) => server.stderr().split(text).length - 1;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Subscribes and waits until the hub has verified and saved the subscription. */
async function subscribe(path: string, topic: string, extra: { secret?: string; leaseSeconds?: number } = {}) {
  const before = logCount(`websub: subscribed ${subscriber.url(path)} `);
  const answer = await requestSubscription(hubUrl(), { topic: topicUrl(topic), callback: subscriber.url(path), ...extra });
  expect(answer.status, answer.body).toBe(202);
  await eventually(async () => (logCount(`websub: subscribed ${subscriber.url(path)} `) > before ? true : undefined), `the hub to verify ${path}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-websub-'));
  stateDir = await mkdtemp(join(tmpdir(), 'tagfeeds-websub-state-'));
  await writeFile(join(dir, 'venezuela.txt'), article('Caracas Reopens Its Embassy', '#Venezuela #Diplomacy'));
  await writeFile(join(dir, 'sports.txt'), article('A Match Report', '#Sports'));
  subscriber = await startSubscriber();
  server = await startServer(['--articles-dir', dir], {
    STATE_DIR: stateDir,
    WEBSUB_ALLOW_PRIVATE_CALLBACKS: 'true',
    WEBSUB_MIN_LEASE_SECONDS: '1',
    WEBSUB_RETRY_BASE_SECONDS: '1',
  });
});

afterAll(async () => {
  await server?.stop();
  await subscriber?.close();
  await rm(dir, { recursive: true, force: true });
  await rm(stateDir, { recursive: true, force: true });
});

describe('the built-in WebSub hub', () => {
  it('announces itself in every feed: Link headers, atom:link in RSS and Atom, hubs in JSON Feed', async () => {
    const hub = hubName();
    for (const path of ['/rss.xml', '/atom.xml', '/feed.json', '/tags/venezuela/rss.xml', '/tags/venezuela/atom.xml', '/tags/venezuela/feed.json']) {
      const res = await fetch(feedUrl(path));
      expect(res.headers.get('link'), path).toBe(`<${hub}>; rel="hub", <${topicUrl(path)}>; rel="self"`);
      const body = await res.text();
      if (path.endsWith('.json')) {
        expect((JSON.parse(body) as { hubs: unknown }).hubs).toEqual([{ type: 'WebSub', url: hub }]);
      } else {
        const links = (await feedparse(body)).feed.links;
        expect(links).toEqual(expect.arrayContaining([expect.objectContaining({ rel: 'hub', href: hub }), expect.objectContaining({ rel: 'self', href: topicUrl(path) })]));
      }
    }
  });

  it('names the hub URL’s own methods in Allow: POST and OPTIONS, whatever was asked', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS', 'DELETE']) {
      const res = await fetch(hubUrl(), { method });
      expect(res.status, method).toBe(method === 'OPTIONS' ? 204 : 405);
      expect(res.headers.get('allow'), method).toBe('POST, OPTIONS');
    }
    expect((await fetch(hubUrl(), { method: 'OPTIONS' })).headers.get('access-control-allow-methods')).toBe('POST, OPTIONS');
    expect((await fetch(feedUrl('/rss.xml'), { method: 'DELETE' })).headers.get('allow')).toBe('GET, HEAD, OPTIONS');
  });

  it('pushes exactly one POST per topic after a new article, the feed’s current bytes, signed where a secret was given, within 2 s', async () => {
    const secret = 'a shared secret';
    await subscribe('/one/rss', '/tags/venezuela/rss.xml');
    await subscribe('/one/atom', '/tags/venezuela/atom.xml', { secret });
    await subscribe('/one/json', '/feed.json');
    await subscribe('/one/sports', '/tags/sports/feed.json');
    const verification = subscriber.verifications.find((v) => v.path === '/one/atom')!;
    expect(verification).toMatchObject({ mode: 'subscribe', topic: topicUrl('/tags/venezuela/atom.xml'), leaseSeconds: '864000' });
    expect(verification.challenge.length).toBeGreaterThanOrEqual(32);

    const changedAt = await publish('#Venezuela');
    const paths = ['/one/rss', '/one/atom', '/one/json'];
    await eventually(async () => (paths.every((p) => deliveriesTo(p).length > 0) ? true : undefined), 'a delivery to each topic', 5000);
    await sleep(700);
    const topics: Record<string, string> = { '/one/rss': '/tags/venezuela/rss.xml', '/one/atom': '/tags/venezuela/atom.xml', '/one/json': '/feed.json' };
    for (const path of paths) {
      const [delivery, ...more] = deliveriesTo(path);
      expect(more, path).toEqual([]);
      expect(delivery!.at - changedAt, `${path} delivered within 2 s`).toBeLessThan(2000);
      const current = await fetch(feedUrl(topics[path]!));
      expect(delivery!.body.equals(Buffer.from(await current.arrayBuffer())), `${path} got the bytes GET serves`).toBe(true);
      expect(delivery!.headers['content-type']).toBe(current.headers.get('content-type'));
      expect(delivery!.headers.link).toBe(current.headers.get('link'));
      expect(delivery!.body.toString()).toContain(`New article ${written}`);
    }
    const atom = deliveriesTo('/one/atom')[0]!;
    expect(atom.headers['x-hub-signature']).toBe(`sha256=${createHmac('sha256', secret).update(atom.body).digest('hex')}`);
    expect(deliveriesTo('/one/rss')[0]!.headers['x-hub-signature']).toBeUndefined();
    // The Sports feed did not change: its subscriber gets nothing.
    expect(deliveriesTo('/one/sports')).toEqual([]);
  });

  it('sends nothing to a callback that unsubscribed or whose lease ran out', async () => {
    await subscribe('/two/live', '/rss.xml');
    await subscribe('/two/gone-away', '/rss.xml');
    const before = logCount('websub: unsubscribed');
    expect((await requestSubscription(hubUrl(), { mode: 'unsubscribe', topic: topicUrl('/rss.xml'), callback: subscriber.url('/two/gone-away') })).status).toBe(202);
    await eventually(async () => (logCount('websub: unsubscribed') > before ? true : undefined), 'the unsubscription to be verified');
    expect(subscriber.verifications.filter((v) => v.path === '/two/gone-away').map((v) => v.mode)).toEqual(['subscribe', 'unsubscribe']);
    await subscribe('/two/short', '/rss.xml', { leaseSeconds: 1 });
    expect(subscriber.verifications.find((v) => v.path === '/two/short')!.leaseSeconds).toBe('1');
    await sleep(1500);

    await publish('#Misc');
    await eventually(async () => (deliveriesTo('/two/live').length > 0 ? true : undefined), 'the live subscriber’s delivery', 5000);
    await sleep(500);
    expect(deliveriesTo('/two/gone-away')).toEqual([]);
    expect(deliveriesTo('/two/short')).toEqual([]);
  });

  it('retries a callback that fails, and delivers once it answers 2xx', async () => {
    subscriber.behave('/three/flaky', { statuses: [500, 204] });
    await subscribe('/three/flaky', '/atom.xml');
    await publish('#Misc');
    await eventually(async () => (deliveriesTo('/three/flaky').length >= 2 ? true : undefined), 'a second attempt', 8000);
    const [first, second] = deliveriesTo('/three/flaky');
    expect(second!.body.equals(first!.body)).toBe(true);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900);
    expect(server.stderr()).toContain(`delivery of ${topicUrl('/atom.xml')} to ${subscriber.url('/three/flaky')} failed (answered 500); attempt 2`);
    await sleep(1500);
    expect(deliveriesTo('/three/flaky')).toHaveLength(2);
  });

  it('ends a subscription whose callback answers 410 Gone', async () => {
    subscriber.behave('/four/gone', { statuses: [410] });
    await subscribe('/four/gone', '/feed.json');
    await subscribe('/four/control', '/feed.json');
    await publish('#Misc');
    await eventually(async () => (deliveriesTo('/four/control').length === 1 && deliveriesTo('/four/gone').length === 1 ? true : undefined), 'the first deliveries', 5000);
    await publish('#Misc');
    await eventually(async () => (deliveriesTo('/four/control').length === 2 ? true : undefined), 'the second delivery', 5000);
    await sleep(300);
    expect(deliveriesTo('/four/gone')).toHaveLength(1);
  });

  it('does not activate a subscription whose callback does not echo the challenge', async () => {
    subscriber.behave('/five/wrong', { verify: 'wrong' });
    subscriber.behave('/five/refuses', { verify: 'refuse' });
    for (const path of ['/five/wrong', '/five/refuses']) {
      expect((await requestSubscription(hubUrl(), { topic: topicUrl('/rss.xml'), callback: subscriber.url(path) })).status).toBe(202);
    }
    await eventually(async () => (logCount('not verified') >= 2 ? true : undefined), 'both verifications to fail');
    await subscribe('/five/control', '/rss.xml');
    await publish('#Misc');
    await eventually(async () => (deliveriesTo('/five/control').length > 0 ? true : undefined), 'the control delivery', 5000);
    await sleep(300);
    expect(deliveriesTo('/five/wrong')).toEqual([]);
    expect(deliveriesTo('/five/refuses')).toEqual([]);
  });

  it('refuses, with a 4xx and a reason, topics it does not serve and malformed requests, and never calls their callbacks', async () => {
    const callback = subscriber.url('/six/never');
    const post = (body: string, type = 'application/x-www-form-urlencoded') =>
      fetch(hubUrl(), { method: 'POST', headers: { 'Content-Type': type }, body }).then(async (r) => ({ status: r.status, body: await r.text() }));
    const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
    const cases: [string, { status: number; body: string }, number, RegExp][] = [
      ['a topic on another site', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': 'http://elsewhere.example/rss.xml', 'hub.callback': callback })), 404, /not a feed of this site/u],
      ['a page, not a feed', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': topicUrl('/tags'), 'hub.callback': callback })), 404, /not a feed/u],
      ['a tag with no article', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': topicUrl('/tags/nothing-here/rss.xml'), 'hub.callback': callback })), 404, /no article/u],
      ['no callback', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': topicUrl('/rss.xml') })), 400, /hub.callback is missing/u],
      ['an unknown mode', await post(form({ 'hub.mode': 'follow', 'hub.topic': topicUrl('/rss.xml'), 'hub.callback': callback })), 400, /hub.mode/u],
      ['a callback that is not http', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': topicUrl('/rss.xml'), 'hub.callback': 'ftp://127.0.0.1/x' })), 400, /http or https/u],
      ['a secret of 200 bytes', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': topicUrl('/rss.xml'), 'hub.callback': callback, 'hub.secret': 'x'.repeat(200) })), 400, /secret/u],
      ['a lease that is no number', await post(form({ 'hub.mode': 'subscribe', 'hub.topic': topicUrl('/rss.xml'), 'hub.callback': callback, 'hub.lease_seconds': 'soon' })), 400, /lease/u],
      ['a JSON body', await post('{}', 'application/json'), 415, /x-www-form-urlencoded/u],
      ['a publish ping (acknowledged: the hub follows the folder itself)', await post(form({ 'hub.mode': 'publish', 'hub.url': topicUrl('/rss.xml') })), 202, /follows the articles folder/u],
    ];
    for (const [what, answer, status, reason] of cases) {
      expect(answer.status, what).toBe(status);
      expect(answer.body, what).toMatch(reason);
      expect(answer.body.trim().split('\n'), `${what}: one line`).toHaveLength(1);
    }
    await sleep(300);
    expect(subscriber.requests.filter((r) => r.path === '/six/never')).toEqual([]);
  });

  it('counts in /metrics the requests it refuses before reading them (415, 413)', async () => {
    const refused = async () => {
      const text = await (await fetch(feedUrl('/metrics'))).text();
      const line = text.split('\n').find((l) => l.startsWith('tagfeeds_http_requests_total{route="hub",status="other"} '));
      return line ? Number(line.split(' ')[1]) : 0;
    };
    const before = await refused();
    expect((await fetch(hubUrl(), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(415);
    const big = await fetch(hubUrl(), { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: `hub.mode=subscribe&x=${'a'.repeat(70_000)}` });
    expect(big.status).toBe(413);
    expect(await refused()).toBe(before + 2);
  });

  it('delivers a change to 200 subscribers of one feed', async () => {
    const paths = Array.from({ length: 200 }, (_, i) => `/seven/${i}`);
    const before = logCount('websub: subscribed');
    const answers = await Promise.all(paths.map((p) => requestSubscription(hubUrl(), { topic: topicUrl('/tags/venezuela/feed.json'), callback: subscriber.url(p) })));
    expect(answers.map((a) => a.status)).toEqual(paths.map(() => 202));
    await eventually(async () => (logCount('websub: subscribed') - before >= 200 ? true : undefined), 'every subscription to be verified');
    await publish('#Venezuela');
    await eventually(async () => (paths.every((p) => deliveriesTo(p).length === 1) ? true : undefined), 'every subscriber’s delivery', 10_000);
    const bodies = new Set(paths.map((p) => deliveriesTo(p)[0]!.body.toString()));
    expect(bodies.size).toBe(1);
  });
});

describe('the hub after kill -9', () => {
  it('keeps its subscriptions: a restarted server pushes to them, and nothing on start', async () => {
    // A fixed base URL: topics are named by it, and the restarted server listens on another port.
    const env = { STATE_DIR: stateDir, WEBSUB_ALLOW_PRIVATE_CALLBACKS: 'true', BASE_URL: 'http://feeds.example' };
    let first: LiveServer | undefined = await startServer(['--articles-dir', dir], env);
    let second: LiveServer | undefined;
    try {
      const answer = await requestSubscription(`${first.url}/websub`, { topic: 'http://feeds.example/tags/diplomacy/rss.xml', callback: subscriber.url('/eight/survivor') });
      expect(answer.status).toBe(202);
      await eventually(async () => (first!.stderr().includes('websub: subscribed') ? true : undefined), 'the subscription');
      first.process.kill('SIGKILL');
      expect(await first.stop()).toBeNull();
      first = undefined;
      second = await startServer(['--articles-dir', dir], env);
      await sleep(500);
      expect(deliveriesTo('/eight/survivor')).toEqual([]);
      await publish('#Diplomacy');
      await eventually(async () => (deliveriesTo('/eight/survivor').length === 1 ? true : undefined), 'the survivor’s delivery', 5000);
      expect(deliveriesTo('/eight/survivor')[0]!.body.toString()).toContain(`New article ${written}`);
    } finally {
      await first?.stop();
      await second?.stop();
    }
  });
});

describe('the hub in its default configuration', () => {
  it('refuses loopback and private callbacks without calling them, and says why', async () => {
    const strict = await startServer(['--articles-dir', dir]);
    try {
      for (const callback of [subscriber.url('/nine/loopback'), `http://localhost:${new URL(subscriber.base).port}/nine/name`, 'http://10.1.2.3/nine/private', 'http://[::1]/nine/v6', 'http://169.254.169.254/latest/meta-data']) {
        const answer = await requestSubscription(`${strict.url}/websub`, { topic: `${strict.url.replace('127.0.0.1', 'localhost')}/rss.xml`, callback });
        expect(answer.status, callback).toBe(403);
        expect(answer.body, callback).toMatch(/refused: .*(loopback|private|link-local)/u);
      }
      await sleep(300);
      expect(subscriber.requests.filter((r) => r.path.startsWith('/nine/'))).toEqual([]);
    } finally {
      await strict.stop();
    }
  });

  it('answers 429 past its bounds on subscriptions per callback host and on requests per client', async () => {
    const bounded = await startServer(['--articles-dir', dir], {
      WEBSUB_ALLOW_PRIVATE_CALLBACKS: 'true',
      WEBSUB_MAX_SUBSCRIPTIONS_PER_HOST: '2',
    });
    const limitedRate = await startServer(['--articles-dir', dir], { WEBSUB_ALLOW_PRIVATE_CALLBACKS: 'true', WEBSUB_RATE_BURST: '3', WEBSUB_RATE_PER_SECOND: '1' });
    try {
      const hub = `${bounded.url}/websub`;
      const topic = `${bounded.url.replace('127.0.0.1', 'localhost')}/rss.xml`;
      for (const n of [1, 2]) {
        expect((await requestSubscription(hub, { topic, callback: subscriber.url(`/ten/${n}`) })).status).toBe(202);
        await eventually(async () => (bounded.stderr().includes(`subscribed ${subscriber.url(`/ten/${n}`)}`) ? true : undefined), `subscription ${n}`);
      }
      const third = await requestSubscription(hub, { topic, callback: subscriber.url('/ten/3') });
      expect(third.status).toBe(429);
      expect(third.body).toMatch(/callbacks on 127\.0\.0\.1 hold the most subscriptions this hub takes \(2\)/u);
      // A re-subscription of an existing callback is not a new one: it is let through.
      expect((await requestSubscription(hub, { topic, callback: subscriber.url('/ten/1') })).status).toBe(202);

      // A burst of 3, refilled at 1 a second: of 5 requests sent at once, 2 are turned away.
      const rateTopic = `${limitedRate.url.replace('127.0.0.1', 'localhost')}/rss.xml`;
      const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => requestSubscription(`${limitedRate.url}/websub`, { topic: rateTopic, callback: subscriber.url(`/ten/rate/${n}`) })));
      expect(answers.map((a) => a.status).sort()).toEqual([202, 202, 202, 429, 429]);
      expect(answers.find((a) => a.status === 429)!.body).toMatch(/Too many subscription requests from this address/u);
    } finally {
      await bounded.stop();
      await limitedRate.stop();
    }
  });

  it('refuses to start on a damaged state file, naming it', async () => {
    const damaged = await mkdtemp(join(tmpdir(), 'tagfeeds-damaged-'));
    await writeFile(join(damaged, 'tagfeeds.db'), 'this is not a database, it is a text file that took its place\n'.repeat(100));
    try {
      await expect(startServer(['--articles-dir', dir], { STATE_DIR: damaged })).rejects.toThrow(new RegExp(`exited with 2[\\s\\S]*error: ${join(damaged, 'tagfeeds.db')}: .*not a database`, 'u'));
    } finally {
      await rm(damaged, { recursive: true, force: true });
    }
  });
});
