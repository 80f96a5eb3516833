import { describe, expect, it } from 'vitest';
import { decodeOutputPath, EXTENSION_MAP } from '../../src/export/routes.ts';

describe('decodeOutputPath', () => {
  it('decodes each segment under the output folder, and only there', () => {
    expect(decodeOutputPath('/srv/out%20dir', '/srv/out%20dir/tags/%E6%97%A5%E6%9C%AC/rss.xml')).toBe('/srv/out%20dir/tags/日本/rss.xml');
    expect(decodeOutputPath('/srv/out', '/srv/out/articles/what%3F%20100%25%20%231.html')).toBe('/srv/out/articles/what? 100% #1.html');
  });

  it('refuses paths outside the folder and segments that would leave it', () => {
    expect(() => decodeOutputPath('/srv/out', '/srv/other/x.html')).toThrow(/outside/);
    expect(() => decodeOutputPath('/srv/out', '/srv/out/articles/%2E%2E.html')).not.toThrow();
    expect(() => decodeOutputPath('/srv/out', '/srv/out/%2E%2E/x.html')).toThrow(/unsafe/);
    expect(() => decodeOutputPath('/srv/out', '/srv/out/articles/a%2Fb.html')).toThrow(/unsafe/);
  });
});

describe('EXTENSION_MAP', () => {
  it('keeps the names of feeds and the OPML, and gives pages .html', () => {
    expect(EXTENSION_MAP).toMatchObject({ 'text/html': 'html', 'application/rss+xml': 'xml', 'application/atom+xml': 'xml', 'application/feed+json': 'json', 'text/x-opml': 'opml' });
  });
});
