import { describe, expect, it } from 'vitest';
import { readHubRequest, type LeasePolicy } from '../../src/websub/hub-request.ts';

const LEASE: LeasePolicy = { minLeaseSeconds: 3600, maxLeaseSeconds: 2_592_000, defaultLeaseSeconds: 864_000 };
const TOPIC = 'http://feeds.example/rss.xml';
const topicOf = (url: string) => (url === TOPIC || url === 'http://feeds.example/tags/Caf%C3%A9/rss.xml' ? { topic: url === TOPIC ? TOPIC : 'http://feeds.example/tags/cafe/rss.xml' } : { reason: `not a feed: ${url}` });
const read = (fields: Record<string, string>) => readHubRequest(new URLSearchParams(fields), LEASE, topicOf);
const base = { 'hub.mode': 'subscribe', 'hub.topic': TOPIC, 'hub.callback': 'https://reader.example/cb?id=7' };

describe('readHubRequest', () => {
  it('reads a subscription, granting the default lease when none is asked for', () => {
    expect(read(base)).toEqual({
      ok: true,
      request: { mode: 'subscribe', requestedTopic: TOPIC, topic: TOPIC, callback: 'https://reader.example/cb?id=7', callbackHost: 'reader.example', leaseSeconds: 864_000, secret: undefined },
    });
  });

  it('clamps the requested lease to the hub’s bounds', () => {
    const lease = (s: string) => {
      const r = read({ ...base, 'hub.lease_seconds': s });
      return r.ok ? r.request.leaseSeconds : r.reason;
    };
    expect([lease('1'), lease('7200'), lease('999999999'), lease('')]).toEqual([3600, 7200, 2_592_000, 864_000]);
    expect(lease('-5')).toMatch(/whole number/u);
    expect(lease('1e9')).toMatch(/whole number/u);
  });

  it('keeps the topic as written for the verification, and the canonical one for the subscription', () => {
    const r = read({ ...base, 'hub.topic': 'http://feeds.example/tags/Caf%C3%A9/rss.xml' });
    expect(r.ok && [r.request.requestedTopic, r.request.topic]).toEqual(['http://feeds.example/tags/Caf%C3%A9/rss.xml', 'http://feeds.example/tags/cafe/rss.xml']);
  });

  it('ignores unknown parameters and takes a secret under 200 bytes', () => {
    const r = read({ ...base, 'hub.secret': 's'.repeat(199), 'hub.extra': 'x', utm: 'y' });
    expect(r.ok && r.request.secret).toBe('s'.repeat(199));
  });

  it.each([
    [{ 'hub.topic': TOPIC, 'hub.callback': 'https://r.example/' }, 400, /hub.mode is missing/u],
    [{ ...base, 'hub.mode': 'publish' }, 400, /subscribe or unsubscribe/u],
    [{ 'hub.mode': 'subscribe', 'hub.callback': 'https://r.example/' }, 400, /hub.topic is missing/u],
    [{ ...base, 'hub.topic': 'http://elsewhere.example/rss.xml' }, 404, /not a feed/u],
    [{ 'hub.mode': 'subscribe', 'hub.topic': TOPIC }, 400, /hub.callback is missing/u],
    [{ ...base, 'hub.callback': '/relative' }, 400, /absolute URL/u],
    [{ ...base, 'hub.callback': 'javascript:alert(1)' }, 400, /http or https/u],
    [{ ...base, 'hub.callback': 'https://r.example/#frag' }, 400, /fragment/u],
    [{ ...base, 'hub.callback': `https://r.example/${'a'.repeat(2100)}` }, 400, /longer than/u],
    [{ ...base, 'hub.secret': 'é'.repeat(100) }, 400, /shorter than 200 bytes/u],
  ])('refuses %j with %i', (fields, status, reason) => {
    const r = read(fields as Record<string, string>);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.status).toBe(status);
      expect(r.reason).toMatch(reason);
    }
  });
});
