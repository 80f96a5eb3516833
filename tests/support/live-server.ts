/**
 * A real server process, started from the same entry point as `npm start`, on 127.0.0.1 and a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCommand } from '../../scripts/start-command.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A running server and what it printed. */
export interface LiveServer {
  url: string;
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and waits for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `node --import tsx src/cli.ts` with the given flags (or, with `entry: 'start'`, what
 * `npm start` runs: its node flags, scripts/start.mjs and its bundle); resolves once it listens.
 */
export function startServer(args: string[], env: Record<string, string> = {}, { entry = 'tsx' }: { entry?: 'tsx' | 'start' } = {}): Promise<LiveServer> {
  const command = entry === 'start' ? startCommand() : ['--import', 'tsx', 'src/cli.ts'];
  const child = spawn(process.execPath, [...command, '--host', '127.0.0.1', '--port', '0', ...args], {
    cwd: ROOT,
    // Vitest puts Vite's BASE_URL ('/') into the environment; the server would read it as its own.
    // Each server keeps its state (WebSub subscriptions) in a folder of its own unless told otherwise.
    env: { ...process.env, BASE_URL: '', STATE_DIR: mkdtempSync(join(tmpdir(), 'tagfeeds-state-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in 30 s:\n${out}\n${err}`));
    }, 30_000);
    const onData = () => {
      const match = /Listening on (http:\/\/\S+)/u.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({
        url: match[1]!,
        process: child,
        stdout: () => out,
        stderr: () => err,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${out}\n${err}`));
    });
  });
}

/** Polls `check` until it returns a value other than undefined; bounded in count and time. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; attempt < 1000 && Date.now() < deadline; attempt++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}
