/** What a 304 carries (RFC 9110 §15.4.5): the fields a cache updates its copy with, and nothing more. */
import { describe, expect, it } from 'vitest';
import { createArticle, createTestApp } from '../support/factory.ts';

describe('a 304 answer', () => {
  it('carries the ETag, caching, CORS and key fields of the 200, and none of its other headers', async () => {
    const { app } = createTestApp([createArticle({ id: 'one', tags: ['Gas'] })]);
    for (const path of ['/rss.xml', '/tags/gas/feed.json', '/', '/articles/one']) {
      const full = await app.request(path, { headers: { 'accept-encoding': 'gzip' } });
      const etag = full.headers.get('etag')!;
      const res = await app.request(path, { headers: { 'if-none-match': etag, 'accept-encoding': 'gzip' } });
      expect(res.status, path).toBe(304);
      for (const name of ['etag', 'cache-control', 'vary', 'access-control-allow-origin', 'surrogate-key']) {
        expect(res.headers.get(name), `${path} ${name}`).toBe(full.headers.get(name));
      }
      // Left to the stored 200: its security headers, validators other than the ETag, Link, entity headers.
      for (const name of ['content-security-policy', 'x-content-type-options', 'last-modified', 'link', 'content-type', 'content-length']) {
        expect(res.headers.get(name), `${path} ${name}`).toBeNull();
      }
      expect(full.headers.get('content-security-policy'), path).not.toBeNull();
    }
  });
});
