import { describe, expect, it } from 'vitest';
import { chooseEncoding, prepare } from '../../src/server/prepared.ts';
import { createArticle, createTestApp } from '../support/factory.ts';

/** A body large enough to be worth compressing. */
const large = () => prepare('x'.repeat(4096), 'text/plain; charset=utf-8', new Date(0));

/** Accept-Encoding (undefined: no header) and the coding it gets; undefined is identity. */
const TABLE: [header: string | undefined, coding: 'br' | 'gzip' | undefined][] = [
  ['br', 'br'],
  ['gzip', 'gzip'],
  ['gzip, br', 'br'],
  ['gzip, deflate, br, zstd', 'br'],
  // `*` stands only for the codings not listed (RFC 9110 §12.5.3).
  ['br;q=0, *', 'gzip'],
  ['gzip;q=0, br;q=0, *', undefined],
  // q-values are preferences, not just yes or no.
  ['gzip;q=1, br;q=0.5', 'gzip'],
  ['gzip;q=0.5, *;q=0.8', 'br'],
  ['identity, gzip;q=0.5', undefined],
  ['br;q=0.001, gzip;q=0.0001', 'br'],
  ['*', 'br'],
  ['*;q=0', undefined],
  ['*;q=0, gzip', 'gzip'],
  ['identity', undefined],
  ['identity;q=0', undefined],
  ['identity;q=0, gzip', 'gzip'],
  // An empty field value means identity only; no field at all is answered with identity too.
  ['', undefined],
  [undefined, undefined],
  ['deflate', undefined],
  ['GZIP', 'gzip'],
  ['br;Q=0, gzip', 'gzip'],
  // Whitespace around names, parameters and commas is optional (RFC 9110 §5.6.3).
  [' gzip , br ', 'br'],
  ['gzip ; q=0.5 ,br;q=0.4', 'gzip'],
  ['br ;q=0,\tgzip', 'gzip'],
  ['br;q=0 , gzip;q=0.1', 'gzip'],
];

describe('chooseEncoding', () => {
  it.each(TABLE)('answers Accept-Encoding %j with %j', (header, coding) => {
    expect(chooseEncoding(large(), header)).toBe(coding);
  });

  it('gives the same answers when asked again, from its memory of each header', () => {
    for (const [header, coding] of [...TABLE, ...TABLE]) expect([header, chooseEncoding(large(), header)]).toEqual([header, coding]);
  });

  it('keeps answering right after more distinct headers than it remembers', () => {
    for (let i = 0; i < 1000; i++) expect(chooseEncoding(large(), `gzip;q=0.${i % 9 + 1}, x-${i}`)).toBe('gzip');
    expect(chooseEncoding(large(), 'br;q=0, *')).toBe('gzip');
  });

  it('does not compress a body under 1024 bytes', () => {
    const small = prepare('x'.repeat(1023), 'text/plain; charset=utf-8', new Date(0));
    expect(chooseEncoding(small, 'br')).toBeUndefined();
    expect(chooseEncoding(small, '*')).toBeUndefined();
  });
});

describe('the app', () => {
  it('sends the Content-Encoding of the table for each Accept-Encoding', async () => {
    const { app } = createTestApp(Array.from({ length: 10 }, (_, i) => createArticle({ id: `e${i}`, contentHtml: `<p>${'Some text. '.repeat(50)}</p>` })));
    for (const [header, coding] of TABLE) {
      const res = await app.request('/rss.xml', { headers: header === undefined ? {} : { 'Accept-Encoding': header } });
      expect(res.status).toBe(200);
      expect([header, res.headers.get('content-encoding')]).toEqual([header, coding ?? null]);
      expect(res.headers.get('vary')).toBe('Accept-Encoding');
    }
  });
});
