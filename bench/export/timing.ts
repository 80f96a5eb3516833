/** Timing a command: wall-clock time from spawn to exit, its exit code and the tail of its output. */
import { spawnTracked } from '../lib/child.ts';

/** One timed run. */
export interface TimedRun {
  ms: number;
  output: string;
}

/** Runs `command` to completion (at most `timeoutMs`); throws when it fails. */
export async function timeCommand(name: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<TimedRun> {
  const started = performance.now();
  const child = spawnTracked(name, command, args, { cwd: options.cwd, env: options.env ?? process.env });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs ?? 30 * 60_000);
  });
  const code = await Promise.race([child.exited, timeout]);
  const ms = performance.now() - started;
  clearTimeout(timer);
  if (code === 'timeout') {
    child.process.kill('SIGKILL');
    throw new Error(`${name} timed out:\n${child.output()}`);
  }
  if (code !== 0) throw new Error(`${name} failed (${code}):\n${child.output()}`);
  return { ms, output: child.output() };
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
