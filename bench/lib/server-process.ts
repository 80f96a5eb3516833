import { execFileSync } from 'node:child_process';
import { spawnTracked, stopChild, type TrackedChild } from './child.ts';
import { pollUntil } from './http.ts';
import { repoRoot } from './paths.ts';
import { freePort } from './ports.ts';
import { startCommand } from '../../scripts/start-command.mjs';

/** Items per feed, for our server (--feed-limit) and the naive one (hard-coded there too). */
export const FEED_LIMIT = 20;

/** A server process under test, listening on 127.0.0.1. */
export interface RunningServer {
  readonly name: string;
  readonly baseUrl: string;
  readonly child: TrackedChild;
  /** performance.now() just before spawn(). */
  readonly spawnedAt: number;
}

let bundled = false;

/**
 * The arguments to node that start our server: `npm start`'s own (its node flags and scripts/start.mjs,
 * from package.json; the bundle of src/, built here once before the first start so that no timed start
 * has a build in it), or, given an entry file taking the same flags, that file through tsx, with the
 * same node flags.
 */
export function ourServerCommand(entry: string | undefined): string[] {
  const command = startCommand();
  if (entry) return [...command.slice(0, -1), '--import', 'tsx', entry];
  if (!bundled) {
    execFileSync(process.execPath, ['scripts/start.mjs', '--help'], { cwd: repoRoot, stdio: 'ignore' });
    bundled = true;
  }
  return command;
}

/**
 * Starts our server exactly as `npm start` does on a free port; BENCH_SERVER_ENTRY may name another
 * entry file taking the same flags (see ourServerCommand).
 */
export async function startOurServer(articlesDir: string): Promise<RunningServer> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const args = [...ourServerCommand(process.env.BENCH_SERVER_ENTRY), '--host', '127.0.0.1', '--port', String(port),
    '--articles-dir', articlesDir, '--feed-limit', String(FEED_LIMIT), '--archive-size', String(FEED_LIMIT), '--base-url', baseUrl];
  const spawnedAt = performance.now();
  const child = spawnTracked('our server', process.execPath, args, { cwd: repoRoot });
  return { name: 'our server', baseUrl, child, spawnedAt };
}

/** Starts the naive reference server (bench/naive/server.ts) on a free port. */
export async function startNaiveServer(articlesDir: string): Promise<RunningServer> {
  const port = await freePort();
  const args = ['--import', 'tsx', 'bench/naive/server.ts', articlesDir, String(port)];
  const spawnedAt = performance.now();
  const child = spawnTracked('naive server', process.execPath, args, { cwd: repoRoot });
  return { name: 'naive server', baseUrl: `http://127.0.0.1:${port}`, child, spawnedAt };
}

/**
 * Polls /rss.xml every 10 ms until it answers 200 and returns the milliseconds
 * since spawn; fails early if the process exits, and after `timeoutMs`.
 */
export async function waitForFirstFeed(server: RunningServer, timeoutMs: number): Promise<number> {
  try {
    const at = await pollUntil(`${server.baseUrl}/rss.xml`, (r) => r.status === 200, {
      intervalMs: 10,
      timeoutMs,
      abort: () => (server.child.hasExited() ? 'process exited' : undefined),
    });
    return at - server.spawnedAt;
  } catch (error) {
    throw new Error(`${server.name} never served /rss.xml: ${(error as Error).message}\n--- output ---\n${server.child.output()}`);
  }
}

/** Stops a server (SIGTERM, then SIGKILL after a grace period). */
export async function stopServer(server: RunningServer): Promise<void> {
  await stopChild(server.child);
}
