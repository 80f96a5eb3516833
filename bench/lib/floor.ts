import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnTracked, stopChild, type TrackedChild } from './child.ts';
import { pollUntil } from './http.ts';
import { repoRoot } from './paths.ts';
import { freePort } from './ports.ts';

/** A running floor server (bench/floor/server.ts). */
export interface RunningFloor {
  baseUrl: string;
  child: TrackedChild;
  dir: string;
}

/** One response to serve: our body, ETag and media type for a path. */
export interface FloorResponse {
  body: Buffer;
  etag: string | null;
  contentType: string | null;
  /**
   * Our own header lines for the 200 and the 304 (flat `[name, value, …]`, as `rawHeaders` reads
   * them, without the ones node adds itself): given, the floor sends these instead of its three, so
   * that it measures what carrying our headers costs the runtime (bench/floor-headers.ts).
   */
  headers?: { ok: string[]; notModified: string[] };
}

/** Header lines node writes itself on every answer: never copied into a floor's lists. */
const NODE_OWN = new Set(['date', 'connection', 'keep-alive', 'transfer-encoding']);

/**
 * The header lines our server sends on a GET of `urlPath` without Accept-Encoding (what wrk sends),
 * and on the same GET with If-None-Match of its ETag; read from the wire with node:http, in order.
 */
export async function captureHeaders(baseUrl: string, urlPath: string, etag: string | null): Promise<{ ok: string[]; notModified: string[] }> {
  const once = (headers: Record<string, string>, status: number) =>
    new Promise<string[]>((resolve, reject) => {
      const req = get(baseUrl + urlPath, { headers, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== status) return reject(new Error(`GET ${urlPath} answered ${res.statusCode}, expected ${status}`));
          const raw: string[] = [];
          for (let i = 0; i < res.rawHeaders.length; i += 2) {
            if (!NODE_OWN.has(res.rawHeaders[i]!.toLowerCase())) raw.push(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          }
          resolve(raw);
        });
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${urlPath}: no answer in 10 s`)));
      req.on('error', reject);
    });
  return { ok: await once({}, 200), notModified: etag ? await once({ 'if-none-match': etag }, 304) : [] };
}

/** Starts the floor server on the given responses, on a free 127.0.0.1 port. */
export async function startFloor(responses: Map<string, FloorResponse>): Promise<RunningFloor> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-floor-'));
  const manifest = await Promise.all(
    [...responses].map(async ([urlPath, r], i) => {
      await writeFile(path.join(dir, `${i}.body`), r.body);
      return { path: urlPath, file: `${i}.body`, etag: r.etag, contentType: r.contentType, headers: r.headers };
    }),
  );
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  const port = await freePort();
  // Plain node, no TypeScript loader at run time beyond strip-free syntax: run it through tsx like the others.
  const child = spawnTracked('floor server', process.execPath, ['--import', 'tsx', 'bench/floor/server.ts', dir, String(port)], { cwd: repoRoot });
  const running = { baseUrl: `http://127.0.0.1:${port}`, child, dir };
  try {
    const first = [...responses.keys()][0] ?? '/rss.xml';
    await pollUntil(`${running.baseUrl}${first}`, (r) => r.status === 200, { intervalMs: 10, timeoutMs: 30_000, abort: () => (child.hasExited() ? 'floor server exited' : undefined) });
  } catch (error) {
    await stopFloor(running);
    throw error;
  }
  return running;
}

/** Stops the floor server and removes its folder. */
export async function stopFloor(floor: RunningFloor): Promise<void> {
  await stopChild(floor.child);
  await rm(floor.dir, { recursive: true, force: true });
}
