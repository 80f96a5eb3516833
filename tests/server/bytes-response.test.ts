import { describe, expect, it } from 'vitest';
import { BytesResponse } from '../../src/server/bytes-response.ts';

describe('BytesResponse', () => {
  const text = 'Ünïcödé feed ✓ '.repeat(400);
  // A buffer of its own (large), and a slice of Node's shared pool (small) that must not leak the pool.
  for (const bytes of [Buffer.concat([Buffer.from(text), Buffer.from('!')]), Buffer.from('small ✓')]) {
    it(`gives back exactly its ${bytes.length} bytes, as bytes and as text`, async () => {
      const response = new BytesResponse(bytes, 'application/rss+xml; charset=utf-8');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
      expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
      expect(await new BytesResponse(bytes, 'text/html').text()).toBe(bytes.toString('utf8'));
    });
  }
});
