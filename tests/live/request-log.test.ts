/** `--log-requests` against a real server whose output is a pipe, as under systemd or in a log file. */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { eventually, startServer, type LiveServer } from '../support/live-server.ts';

let server: LiveServer;
beforeAll(async () => {
  server = await startServer(['--articles-dir', 'articles', '--log-requests', 'true']);
});
afterAll(() => server?.stop());

it('logs each request as plain text, without the colour codes meant for a terminal', async () => {
  await fetch(`${server.url}/rss.xml`);
  await fetch(`${server.url}/no-such-page`);
  const log = await eventually(async () => (/--> GET \/no-such-page 404/u.test(server.stdout()) ? server.stdout() : undefined), 'the two requests in the log', 5000);
  expect(log).toMatch(/^--> GET \/rss\.xml 200 \d+m?s$/mu);
  expect(log).not.toContain('\x1b');
});
