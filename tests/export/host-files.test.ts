import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readConfig } from '../../src/config.ts';
import { exportSite } from '../../src/export/export-site.ts';
import { ARCHIVE_PATHS, CACHED_PATHS, CORS_PATHS, HEADERS_FILE, renderHeadersFile } from '../../src/export/host-files.ts';
import { MANIFEST_NAME } from '../../src/export/manifest.ts';
import { createApp } from '../../src/server/app.ts';
import { cacheControl } from '../../src/server/http.ts';
import { SecurityHeaders } from '../../src/server/security.ts';
import { listFiles, routeOf } from './support/files.ts';
import { createTestSite, loadQuietly } from './support/site.ts';

const defaults = readConfig({}, []);
const policy = { maxAge: defaults.cacheMaxAge, sMaxAge: defaults.cacheSMaxAge, staleWhileRevalidate: defaults.cacheStaleWhileRevalidate };
const archivePolicy = { maxAge: defaults.archiveMaxAge, sMaxAge: defaults.archiveMaxAge, staleWhileRevalidate: defaults.cacheStaleWhileRevalidate };

/** The rules of a `_headers` text: path pattern -> header name (lower case) -> value. */
function parseRules(text: string): [string, Map<string, string>][] {
  return text.replace(/^#.*\n/gmu, '').trim().split('\n\n').map((block) => {
    const [path, ...lines] = block.split('\n');
    return [path!, new Map(lines.map((l) => [l.trim().split(': ')[0]!.toLowerCase(), l.trim().split(': ').slice(1).join(': ')]))];
  });
}

/** Whether a `_headers` pattern matches a URL path, as Netlify and Cloudflare Pages read one: `:name` is one segment, a final `*` the rest. */
function matches(pattern: string, path: string): boolean {
  const source = pattern.split('/').map((s) => (s.startsWith(':') ? '[^/]+' : s === '*' ? '.*' : s.replace(/[.+?^${}()|[\]\\]/gu, '\\$&'))).join('/');
  return new RegExp(`^${source}$`, 'u').test(path);
}

describe('renderHeadersFile', () => {
  it('puts the configured Cache-Control on every file and the media type and CORS on every feed path', async () => {
    const text = renderHeadersFile({ maxAge: 120, sMaxAge: 600, staleWhileRevalidate: 30 }, archivePolicy, { 'x-content-type-options': 'nosniff' });
    expect(text).toContain('/*\n  X-Content-Type-Options: nosniff\n');
    expect(text).toContain('\n/tags/:tag/:file\n  Cache-Control: public, max-age=120, s-maxage=600, stale-while-revalidate=30\n');
    for (const [path, type] of CORS_PATHS) {
      expect(text).toContain(`\n${path}\n  Content-Type: ${type}\n  Access-Control-Allow-Origin: *\n  Access-Control-Expose-Headers: ETag\n`);
    }
  });

  it('sets no header twice for one path, since hosts would join the values', () => {
    const text = renderHeadersFile(policy, archivePolicy, { 'x-frame-options': 'SAMEORIGIN' });
    const rules = parseRules(text);
    const everyFile = [...rules[0]![1].keys()];
    for (const [, headers] of rules.slice(1)) expect([...headers.keys()].filter((n) => everyFile.includes(n))).toEqual([]);
    // The Cache-Control rules: no path of a CORS rule (nor an example of each pattern) is matched by two.
    const examples = [...CACHED_PATHS, ...ARCHIVE_PATHS, ...CORS_PATHS.map(([p]) => p)].map((p) => p.replace(/:[a-z]+/gu, 'x1').replace('*', 'a/b.jpg'));
    const caching = rules.filter(([, h]) => h.has('cache-control'));
    for (const path of examples) expect([path, caching.filter(([p]) => matches(p, path)).length]).toEqual([path, 1]);
  });

  it('gives every exported file the Cache-Control the live server answers it with, archives the longer one', { timeout: 60_000 }, async () => {
    const test = await createTestSite(['--archive-size', '2', '--feed-limit', '3', '--archive-max-age', '7200', '--cache-max-age', '90']);
    try {
      await mkdir(join(test.articlesDir, 'media'), { recursive: true });
      await writeFile(join(test.articlesDir, 'media', 'photo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
      const site = await loadQuietly(test.config);
      const out = join(test.dir, 'dist');
      await exportSite({ config: test.config, site, outDir: out, jobs: 1 });
      const caching = parseRules(await readFile(join(out, HEADERS_FILE), 'utf8')).filter(([, h]) => h.has('cache-control'));
      const { app } = createApp({ config: test.config, index: site.index, contents: site.contents, logError: () => {} });
      const files = (await listFiles(out)).filter((f) => f !== HEADERS_FILE && f !== MANIFEST_NAME);
      expect(files.filter((f) => f.includes('/archive/')).length).toBeGreaterThan(3);
      expect(files).toContain('media/photo.png');
      for (const file of files) {
        // The host matches the decoded path (a placeholder never spans a `/`, encoded or not).
        const path = decodeURIComponent(routeOf(file));
        const rules = caching.filter(([p]) => matches(p, path)).map(([, h]) => h.get('cache-control'));
        const live = (await app.request(routeOf(file))).headers.get('cache-control');
        expect([file, rules]).toEqual([file, [live]]);
      }
      expect((await app.request('/archive/1/rss.xml')).headers.get('cache-control')).toContain('max-age=7200');
    } finally {
      await test.remove();
    }
  });

  it('matches deploy/_headers for the default configuration', async () => {
    const expected = renderHeadersFile(policy, archivePolicy, await new SecurityHeaders().ready);
    // If this fails after a change to the headers, copy dist/_headers from `npm run export` to deploy/.
    expect(await readFile(new URL('../../deploy/_headers', import.meta.url), 'utf8')).toBe(expected);
  });
});

/** The `add_header` lines of a deploy/nginx file, its `include snippets/…` lines followed: header name (lower case) -> value. */
async function nginxHeaders(name: string): Promise<Map<string, string>> {
  const read = async (file: string): Promise<string> => {
    const text = await readFile(new URL(`../../deploy/nginx/${file}`, import.meta.url), 'utf8');
    const parts = await Promise.all(text.split('\n').map((line) => {
      const include = /^include snippets\/(\S+);$/u.exec(line);
      return include ? read(include[1]!) : line;
    }));
    return parts.join('\n');
  };
  const text = await read(name);
  return new Map([...text.matchAll(/^add_header (\S+) "(.*)";$/gmu)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
}

describe('deploy/nginx header snippets', () => {
  it('send the default Cache-Control and the security headers of the server', async () => {
    const headers = await nginxHeaders('tagfeeds-headers.conf');
    expect(headers.get('cache-control')).toBe(cacheControl(policy));
    for (const [name, value] of Object.entries(await new SecurityHeaders().ready)) expect([name, headers.get(name)]).toEqual([name, value]);
  });

  it('send archive documents the default ARCHIVE_MAX_AGE Cache-Control, the security headers and CORS', async () => {
    const headers = await nginxHeaders('tagfeeds-archive-cors.conf');
    expect(headers.get('cache-control')).toBe(cacheControl(archivePolicy));
    for (const [name, value] of Object.entries(await new SecurityHeaders().ready)) expect([name, headers.get(name)]).toEqual([name, value]);
    expect(headers.get('access-control-allow-origin')).toBe('*');
    expect([...headers.keys()].sort()).toEqual([...(await nginxHeaders('tagfeeds-cors.conf')).keys()].sort());
  });
});
