import { describe, expect, it } from 'vitest';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { eventually, startServer } from '../support/live-server.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function withArticles<T>(files: Record<string, string>, run: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'tagfeeds-life-'));
  try {
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    return await run(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sends raw bytes to the server and returns the status line of its answer. */
function rawRequest(url: string, request: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let data = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer')));
    socket.on('data', (d) => (data += d));
    socket.on('end', () => resolve(data.split('\r\n')[0]!));
    socket.on('error', reject);
  });
}

describe('the server process', () => {
  it('refuses to start on an articles folder that does not exist, and says which', async () => {
    const missing = join(tmpdir(), 'tagfeeds-no-such-folder');
    const error = await startServer(['--articles-dir', missing]).then(
      () => undefined,
      (e: Error) => e.message,
    );
    expect(error).toMatch(/server exited with 2 before listening/u);
    expect(error).toContain(`error: articles folder ${missing}: does not exist (--articles-dir, ARTICLES_DIR)`);
  });

  it.each([['check'], ['export', '--out', join(tmpdir(), 'tagfeeds-never-written')]])('%s refuses an articles folder that does not exist, and says which', (...command) => {
    const missing = join(tmpdir(), 'tagfeeds-no-such-folder');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...command, '--articles-dir', missing], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BASE_URL: '' }, timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`error: articles folder ${missing}: does not exist (--articles-dir, ARTICLES_DIR)`);
  });

  it('names the flag when the port is taken or the host is not this machine\'s, and exits 2', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as AddressInfo).port;
    try {
      for (const [args, message] of [
        [['--host', '127.0.0.1', '--port', String(port)], `error: cannot listen on 127.0.0.1:${port}: the port is already in use (--port, PORT)`],
        [['--host', '192.0.2.1', '--port', '0'], 'error: cannot listen on 192.0.2.1:0: 192.0.2.1 is not an address of this machine (--host, HOST)'],
      ] as const) {
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--articles-dir', 'articles', '--state-dir', await mkdtemp(join(tmpdir(), 'tagfeeds-state-')), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BASE_URL: '' }, timeout: 30_000 });
        expect(run.status).toBe(2);
        expect(run.stderr.trim().split('\n').at(-1)).toBe(message);
      }
    } finally {
      taken.close();
    }
  });

  it.each([['serve'], ['export', '--out', join(tmpdir(), 'tagfeeds-never-written')]])('%s refuses a state folder that is a file, and says which', async (...command) => {
    const file = join(await mkdtemp(join(tmpdir(), 'tagfeeds-state-')), 'state');
    await writeFile(file, 'not a folder');
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...command, '--articles-dir', 'articles', '--state-dir', file, '--port', '0'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BASE_URL: '' }, timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`error: state folder ${file}: not a folder (--state-dir, STATE_DIR)`);
  });

  it.runIf(process.platform === 'linux')('serve and export stop with the reason for a folder they cannot make (under /proc, where node\'s recursive mkdir never returns)', async () => {
    // The export that gets as far as its output folder makes its state folder first: a temporary one.
    const work = await mkdtemp(join(tmpdir(), 'tagfeeds-folders-'));
    const cases: [string[], string][] = [
      [['serve', '--state-dir', '/proc/tagfeeds-state', '--port', '0'], 'error: state folder /proc/tagfeeds-state: cannot be made: ENOENT: no such file or directory, mkdir \'/proc/tagfeeds-state\' (--state-dir, STATE_DIR)'],
      [['export', '--state-dir', '/proc/tagfeeds-state', '--out', join(work, 'never-written')], 'error: state folder /proc/tagfeeds-state: cannot be made: ENOENT: no such file or directory, mkdir \'/proc/tagfeeds-state\' (--state-dir, STATE_DIR)'],
      [['export', '--state-dir', join(work, 'state'), '--out', '/proc/tagfeeds-site'], 'error: output folder /proc/tagfeeds-site cannot be made: ENOENT: no such file or directory, mkdir \'/proc/tagfeeds-site\' (--out)'],
    ];
    try {
      for (const [args, message] of cases) {
        const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args, '--articles-dir', 'articles'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, BASE_URL: '' }, timeout: 30_000 });
        expect(run.error, args.join(' ')).toBeUndefined();
        expect(run.status, args.join(' ')).not.toBe(0);
        expect(run.stderr.trim().split('\n').at(-1), args.join(' ')).toBe(message);
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('publishes an article dated a few seconds ahead when its time comes, without restart or file change', async () => {
    await withArticles({ 'now.txt': 'Already out\n\nBody.\n#Timely\n' }, async (dir) => {
      const server = await startServer(['--articles-dir', dir]);
      try {
        // Dated six seconds ahead, written once; nothing touches it afterwards.
        const at = new Date(Date.now() + 6000);
        const temp = join(dir, '.soon.tmp');
        await writeFile(temp, `---\ndate: ${at.toISOString()}\n---\nComing soon\n\nBody.\n#Timely #SoonOnly\n`);
        await rename(temp, join(dir, 'soon.txt'));
        await eventually(async () => (server.stdout().includes('soon.txt') ? true : undefined), 'the file to be indexed');
        const first = await fetch(`${server.url}/tags/timely/rss.xml`);
        expect(Date.now()).toBeLessThan(at.getTime());
        expect(await first.text()).not.toContain('Coming soon');
        expect((await fetch(`${server.url}/tags/soononly/rss.xml`)).status).toBe(404);
        const later = await eventually(async () => {
          const res = await fetch(`${server.url}/tags/timely/rss.xml`);
          return (await res.clone().text()).includes('Coming soon') ? res : undefined;
        }, 'the scheduled article', 20_000);
        expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
        expect(later.headers.get('etag')).not.toBe(first.headers.get('etag'));
        expect((await fetch(`${server.url}/tags/soononly/rss.xml`)).status).toBe(200);
      } finally {
        await server.stop();
      }
    });
  }, 60_000);

  it('answers methods that fetch cannot send, and malformed request lines, without a 500', async () => {
    await withArticles({ 'a.txt': 'A\n\nB.\n#T\n' }, async (dir) => {
      const server = await startServer(['--articles-dir', dir]);
      try {
        expect(await rawRequest(server.url, 'TRACE /rss.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/ 405 /u);
        expect(await rawRequest(server.url, 'GET /tags/..%2F..%2Fetc/rss.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/ 404 /u);
        expect(await rawRequest(server.url, 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/ 404 /u);
        expect(await rawRequest(server.url, 'GET /tags/%ZZ/rss.xml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).toMatch(/ 400 /u);
        expect(await rawRequest(server.url, 'GARBAGE\r\n\r\n')).toMatch(/ 400 /u);
        expect((await fetch(`${server.url}/rss.xml`)).status).toBe(200);
      } finally {
        await server.stop();
      }
    });
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('shuts down gracefully on %s: exits 0, with an open keep-alive connection', async (signal) => {
    await withArticles({ 'a.txt': 'A\n\nB.\n#T\n' }, async (dir) => {
      const server = await startServer(['--articles-dir', dir]);
      const { hostname, port } = new URL(server.url);
      const socket = connect(Number(port), hostname);
      await new Promise((r) => socket.once('connect', r));
      socket.write('GET /rss.xml HTTP/1.1\r\nHost: x\r\n\r\n');
      await new Promise((r) => socket.once('data', r));
      const code = await server.stop(signal);
      socket.destroy();
      expect(code).toBe(0);
      expect(server.stdout()).toContain(`${signal}: finishing requests in flight`);
    });
  });
});
