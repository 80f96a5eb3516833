/** `npm run export` as a user runs it: a real process, config flags passed through, a summary line. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from './support/site.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// The export keeps the article cache there (as the server does), not in the checkout.
const STATE_DIR = mkdtempSync(join(tmpdir(), 'tagfeeds-export-state-'));

function runExport(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      // As `npm run export` runs it: the bundle of src/ (scripts/start.mjs), built when missing or older.
      ['scripts/start.mjs', 'export', ...args],
      // Vitest puts Vite's BASE_URL ('/') into the environment; the CLI would read it as its own.
      { cwd: ROOT, env: { ...process.env, BASE_URL: '', CI: 'true', STATE_DIR, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run export', { timeout: 120_000 }, () => {
  let test: TestSite;
  let out: string;
  beforeAll(async () => {
    test = await createTestSite();
    out = join(test.dir, 'dist');
  });
  afterAll(() => test.remove());

  it('exports with the config flags given, prints what it loaded and a summary, and no progress in CI', async () => {
    const run = await runExport(['--out', out, '--articles-dir', test.articlesDir, '--base-url', 'https://feeds.example.org', '--feed-limit', '1', '--archive-size', '1']);
    expect(run.stderr).toContain('empty.txt');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Loaded 5 articles, \d+ tags \(1 file skipped\)/mu);
    expect(run.stdout).toMatch(/^Exported (\d+) files to .*dist\/ in \d+\.\d s: \1 written, 0 unchanged, 0 removed \(every route rendered\)$/mu);
    expect(run.stdout).not.toContain('\x1b');
    const rss = await readFile(join(out, 'tags', 'travel', 'rss.xml'), 'utf8');
    expect(rss.match(/<item>/gu)).toHaveLength(1);
    expect(rss).toContain('https://feeds.example.org/tags/travel');
  });

  it('reports how many files a second export rewrote after one change', async () => {
    const again = await runExport(['--out', out, '--articles-dir', test.articlesDir, '--base-url', 'https://feeds.example.org', '--feed-limit', '1', '--archive-size', '1']);
    expect(again.stdout).toMatch(/: 0 written, \d+ unchanged, 0 removed \(incremental, 0 routes rendered\)$/mu);
    const article = join(test.articlesDir, 'hello world.txt');
    await writeFile(article, (await readFile(article, 'utf8')).replace('A second paragraph', 'Another paragraph'));
    const changed = await runExport(['--out', out, '--articles-dir', test.articlesDir, '--base-url', 'https://feeds.example.org', '--feed-limit', '1', '--archive-size', '1']);
    const [, files, written] = /Exported (\d+) files .*: (\d+) written/u.exec(changed.stdout)!;
    expect(Number(written)).toBeGreaterThan(0);
    expect(Number(written)).toBeLessThan(Number(files) / 2);
    expect(changed.stdout).toMatch(/\(incremental, \d+ routes rendered\)$/mu);
    // The article cache: only the changed file is read again.
    expect(changed.stdout).toMatch(/^Loaded 5 articles.*, 1 read again, the rest unchanged since the last run/mu);
  });

  it('exports with worker threads when asked to', async () => {
    const run = await runExport(['--out', join(test.dir, 'threads'), '--jobs', '2', '--articles-dir', test.articlesDir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\(2 threads\): \d+ written/u);
  });

  it('refuses a missing --out value and unknown flags', async () => {
    expect(await runExport(['--out'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--out needs a value') });
    expect(await runExport(['--out', out, '--no-such-flag'])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown option --no-such-flag') });
  });

  it('refuses an --out that is the articles folder through a link, holds it, or is inside it', async () => {
    const link = join(test.dir, `articles-link-${process.pid}`);
    await symlink(test.articlesDir, link);
    try {
      for (const [where, how] of [[link, 'is'], [join(test.articlesDir, '..'), 'holds'], [join(test.articlesDir, 'site'), 'is inside']] as const) {
        const result = await runExport(['--out', where, '--articles-dir', test.articlesDir]);
        expect([where, result.code, result.stderr]).toEqual([where, 2, expect.stringContaining(`error: --out ${where} ${how} the articles folder`)]);
      }
      expect(await readdir(test.articlesDir)).not.toContain('robots.txt');
    } finally {
      await rm(link, { force: true });
    }
  });

  it('names the path and the reason in one line when --out cannot be made, with no stack trace', async () => {
    const file = join(out, '..', `not-a-folder-${process.pid}`);
    await writeFile(file, 'x');
    try {
      const result = await runExport(['--out', join(file, 'site')]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n').at(-1)).toBe(`error: output folder ${join(file, 'site')} cannot be made: ENOTDIR: not a directory, mkdir '${join(file, 'site')}' (--out)`);
      expect(result.stderr).not.toMatch(/^\s+at /mu);
    } finally {
      await rm(file, { force: true });
    }
  });
});
