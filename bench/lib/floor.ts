import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
}

/** Starts the floor server on the given responses, on a free 127.0.0.1 port. */
export async function startFloor(responses: Map<string, FloorResponse>): Promise<RunningFloor> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-floor-'));
  const manifest = await Promise.all(
    [...responses].map(async ([urlPath, r], i) => {
      await writeFile(path.join(dir, `${i}.body`), r.body);
      return { path: urlPath, file: `${i}.body`, etag: r.etag, contentType: r.contentType };
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
