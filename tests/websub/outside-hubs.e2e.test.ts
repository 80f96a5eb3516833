/**
 * WEBSUB_HUBS and WEBSUB=off against a real server process: outside hubs are announced instead of the
 * built-in one and pinged on each change (a recording HTTP server on 127.0.0.1 plays the hub), and with
 * push off no hub is announced at all.
 */
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, startServer } from '../support/live-server.ts';
import { startSubscriber, type Subscriber } from '../support/subscriber.ts';

let dir: string;
let hub: Subscriber;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tagfeeds-outside-hubs-'));
  await writeFile(join(dir, 'first.txt'), 'First\n\nA paragraph.\n#Alpha\n');
  hub = await startSubscriber();
});

afterAll(async () => {
  await hub?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('outside hubs (WEBSUB_HUBS)', () => {
  it('are announced instead of the built-in hub, which answers no subscriptions', async () => {
    const server = await startServer(['--articles-dir', dir, '--base-url', 'http://feeds.example'], { WEBSUB_HUBS: `${hub.url('/one/')},${hub.url('/two')}` });
    try {
      const res = await fetch(`${server.url}/tags/alpha/rss.xml`);
      expect(res.headers.get('link')).toBe(`<${hub.url('/one/')}>; rel="hub", <${hub.url('/two')}>; rel="hub", <http://feeds.example/tags/alpha/rss.xml>; rel="self"`);
      const body = await res.text();
      expect(body).toContain(`<atom:link href="${hub.url('/one/')}" rel="hub"/>`);
      expect(body).toContain(`<atom:link href="${hub.url('/two')}" rel="hub"/>`);
      const json = (await (await fetch(`${server.url}/feed.json`)).json()) as { hubs: unknown };
      expect(json.hubs).toEqual([{ type: 'WebSub', url: hub.url('/one/') }, { type: 'WebSub', url: hub.url('/two') }]);
      expect((await fetch(`${server.url}/websub`, { method: 'POST' })).status).toBe(405);
    } finally {
      await server.stop();
    }
  });

  it('are pinged with hub.mode=publish for each feed a change touched, and no other', async () => {
    const server = await startServer(['--articles-dir', dir, '--base-url', 'http://feeds.example'], { WEBSUB_HUBS: hub.url('/ping') });
    try {
      await writeFile(join(dir, '.second.txt.tmp'), 'Second\n\nAnother paragraph.\n#Beta\n');
      await rename(join(dir, '.second.txt.tmp'), join(dir, 'second.txt'));
      const expected = ['rss.xml', 'atom.xml', 'feed.json'].flatMap((f) => [`http://feeds.example/${f}`, `http://feeds.example/tags/beta/${f}`]);
      const pinged = () => hub.deliveries.filter((d) => d.path === '/ping').map((d) => new URLSearchParams(d.body.toString()));
      await eventually(async () => (pinged().length >= expected.length ? true : undefined), 'a ping per changed feed');
      await new Promise((r) => setTimeout(r, 300));
      const forms = pinged();
      expect(forms.map((f) => f.get('hub.url')).sort()).toEqual([...expected].sort());
      for (const form of forms) {
        expect(form.get('hub.mode')).toBe('publish');
        expect(form.get('hub.topic')).toBe(form.get('hub.url'));
      }
      expect(hub.deliveries.find((d) => d.path === '/ping')!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    } finally {
      await server.stop();
    }
  });
});

describe('WEBSUB=off', () => {
  it('announces no hub and answers no hub requests', async () => {
    const server = await startServer(['--articles-dir', dir], { WEBSUB: 'off' });
    try {
      const res = await fetch(`${server.url}/rss.xml`);
      expect(res.headers.get('link')).toBeNull();
      expect(await res.text()).not.toContain('rel="hub"');
      expect(JSON.parse(await (await fetch(`${server.url}/feed.json`)).text())).not.toHaveProperty('hubs');
      expect((await fetch(`${server.url}/websub`, { method: 'POST' })).status).toBe(405);
      expect(server.stdout()).not.toContain('WebSub hub');
    } finally {
      await server.stop();
    }
  });
});
