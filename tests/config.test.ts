import { describe, expect, it } from 'vitest';
import { ConfigError, helpText, readConfig } from '../src/config.ts';

describe('readConfig for caches in front', () => {
  it('sends no Cache-Tag or Cache-Groups, purges nothing and serves metrics by default', () => {
    const config = readConfig({});
    expect(config.cacheTagHeaders).toEqual([]);
    expect(config.purgeUrls).toEqual([]);
    expect(config.purgeDelaySeconds).toBe(5);
    expect(config.metrics).toBe(true);
  });

  it.each([
    ['none', []],
    ['cache-tag', ['cache-tag']],
    ['Cache-Groups', ['cache-groups']],
    ['cache-tag, cache-groups', ['cache-tag', 'cache-groups']],
  ])('reads CACHE_TAG_HEADERS=%s', (value, expected) => {
    expect(readConfig({ CACHE_TAG_HEADERS: value }).cacheTagHeaders).toEqual(expected);
  });

  it('refuses a header it does not know, naming the variable', () => {
    expect(() => readConfig({ CACHE_TAG_HEADERS: 'surrogate-control' })).toThrow(ConfigError);
    expect(() => readConfig({ CACHE_TAG_HEADERS: 'surrogate-control' })).toThrow(/CACHE_TAG_HEADERS=surrogate-control/u);
  });

  it('takes a BCP 47 language tag and refuses anything else, naming the variable', () => {
    expect(readConfig({ SITE_LANGUAGE: 'pt-BR' }).siteLanguage).toBe('pt-BR');
    expect(readConfig({}, ['--site-language', 'zh-Hant']).siteLanguage).toBe('zh-Hant');
    expect(() => readConfig({ SITE_LANGUAGE: 'not a lang!' })).toThrow(/SITE_LANGUAGE "not a lang!" is not a BCP 47 language tag/u);
  });

  it('makes the archive size follow a feed limit below 50, and still refuses one set above it', () => {
    expect(readConfig({}, ['--feed-limit', '20'])).toMatchObject({ feedLimit: 20, archiveSize: 20 });
    expect(readConfig({ FEED_LIMIT: '80' })).toMatchObject({ feedLimit: 80, archiveSize: 50 });
    expect(readConfig({ FEED_LIMIT: '20', ARCHIVE_SIZE: '10' })).toMatchObject({ feedLimit: 20, archiveSize: 10 });
    expect(() => readConfig({ FEED_LIMIT: '20', ARCHIVE_SIZE: '30' })).toThrow(/ARCHIVE_SIZE \(30\) is above FEED_LIMIT \(20\)/u);
  });

  it('reads the purge URLs as a comma-separated list and refuses one that is not http', () => {
    expect(readConfig({ PURGE_URLS: 'http://cache-1/, http://cache-2:6081/' }).purgeUrls).toEqual(['http://cache-1/', 'http://cache-2:6081/']);
    expect(() => readConfig({ PURGE_URLS: 'ftp://cache/' })).toThrow(/PURGE_URLS/u);
    expect(readConfig({}, ['--purge-delay-seconds', '0', '--metrics', 'off'])).toMatchObject({ purgeDelaySeconds: 0, metrics: false });
  });

  it('lists the new settings in --help', () => {
    const help = helpText();
    for (const name of ['CACHE_TAG_HEADERS', 'PURGE_URLS', 'PURGE_DELAY_SECONDS', 'PURGE_TIMEOUT_SECONDS', 'METRICS']) expect(help).toContain(name);
  });
});
