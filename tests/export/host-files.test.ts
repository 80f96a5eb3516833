import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { CORS_PATHS, renderHeadersFile } from '../../src/export/host-files.ts';
import { cacheControl } from '../../src/server/http.ts';
import { SecurityHeaders } from '../../src/server/security.ts';

const defaults = readConfig({}, []);
const policy = { maxAge: defaults.cacheMaxAge, sMaxAge: defaults.cacheSMaxAge, staleWhileRevalidate: defaults.cacheStaleWhileRevalidate };

describe('renderHeadersFile', () => {
  it('puts the configured Cache-Control on every file and the media type and CORS on every feed path', async () => {
    const text = renderHeadersFile({ maxAge: 120, sMaxAge: 600, staleWhileRevalidate: 30 }, { 'x-content-type-options': 'nosniff' });
    expect(text).toContain('/*\n  Cache-Control: public, max-age=120, s-maxage=600, stale-while-revalidate=30\n  X-Content-Type-Options: nosniff\n');
    for (const [path, type] of CORS_PATHS) {
      expect(text).toContain(`\n${path}\n  Content-Type: ${type}\n  Access-Control-Allow-Origin: *\n  Access-Control-Expose-Headers: ETag\n`);
    }
  });

  it('sets no header twice for one path, since hosts would join the values', () => {
    const text = renderHeadersFile(policy, { 'x-frame-options': 'SAMEORIGIN' });
    const names = (block: string) => block.split('\n').slice(1).map((l) => l.trim().split(':')[0]);
    const blocks = text.replace(/^#.*\n/gmu, '').trim().split('\n\n');
    const everyFile = names(blocks[0]!);
    for (const block of blocks.slice(1)) expect(names(block).filter((n) => everyFile.includes(n))).toEqual([]);
  });

  it('matches deploy/_headers for the default configuration', async () => {
    const expected = renderHeadersFile(policy, await new SecurityHeaders().ready);
    // If this fails after a change to the headers, copy dist/_headers from `npm run export` to deploy/.
    expect(await readFile(new URL('../../deploy/_headers', import.meta.url), 'utf8')).toBe(expected);
  });
});

describe('deploy/nginx/tagfeeds-headers.conf', () => {
  it('sends the default Cache-Control and the security headers of the server', async () => {
    const conf = await readFile(new URL('../../deploy/nginx/tagfeeds-headers.conf', import.meta.url), 'utf8');
    const headers = new Map([...conf.matchAll(/^add_header (\S+) "(.*)";$/gmu)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    expect(headers.get('cache-control')).toBe(cacheControl(policy));
    for (const [name, value] of Object.entries(await new SecurityHeaders().ready)) expect([name, headers.get(name)]).toEqual([name, value]);
  });
});
