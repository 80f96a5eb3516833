import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startServer, type LiveServer } from '../support/live-server.ts';

// The pages are checked in Debian's Chromium, headless, the way a reader opens "view in browser".
let server: LiveServer;
let browser: Browser;
const ARTICLE = '/articles/000_66bcc8fb033b93b3';

beforeAll(async () => {
  server = await startServer(['--articles-dir', 'articles']);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the pages in a browser', () => {
  it.each(['/', '/tags', '/tags/venezuela', ARTICLE])('%s fits a phone screen, runs no script and breaks no policy', async (path) => {
    const page = await browser.newPage({ viewport: { width: 375, height: 800 } });
    const problems: string[] = [];
    page.on('console', (m) => (m.type() === 'error' ? problems.push(m.text()) : undefined));
    page.on('pageerror', (e) => problems.push(e.message));
    const res = await page.goto(`${server.url}${path}`);
    expect(res?.status()).toBe(200);
    const layout = await page.evaluate(() => ({
      overflow: document.documentElement.scrollWidth - window.innerWidth,
      scripts: document.scripts.length,
      title: document.title,
    }));
    expect(layout.overflow).toBeLessThanOrEqual(0);
    expect(layout.scripts).toBe(0);
    expect(layout.title.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    await page.close();
  }, 30_000);

  it('announces the feeds for autodiscovery, and the feed links lead to feeds', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/tags/venezuela`);
    const alternates = await page.$$eval('link[rel=alternate]', (links) => links.map((l) => [l.getAttribute('type'), l.getAttribute('href')]));
    expect(alternates.map(([type]) => type)).toEqual(['application/rss+xml', 'application/atom+xml', 'application/feed+json']);
    for (const [, href] of alternates) {
      const res = await fetch(href!.replace('http://localhost', 'http://127.0.0.1'));
      expect(res.status).toBe(200);
    }
    await page.close();
  }, 30_000);

  it('opens an article from the home page, as a reader does from a feed item', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/`);
    await page.click(`a[href$="${ARTICLE}"]`);
    await page.waitForURL(`**${ARTICLE}`);
    expect(await page.textContent('h1')).toContain('Venezuela Restores Diplomatic Relations');
    expect(await page.$$eval('article p', (ps) => ps.length)).toBeGreaterThan(5);
    await page.close();
  }, 30_000);
});
