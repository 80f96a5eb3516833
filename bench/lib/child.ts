import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

/** A child process started by the benchmark, with the tail of its output kept for error messages. */
export interface TrackedChild {
  readonly name: string;
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** The last few KB of stdout and stderr, interleaved. */
  output(): string;
  /** True once the process has exited. */
  hasExited(): boolean;
}

const OUTPUT_TAIL_BYTES = 8192;
const live = new Set<TrackedChild>();

/**
 * Spawns a process in its own process group (so that it and any children can be
 * signalled together) and registers it for clean-up on exit, errors and SIGINT.
 */
export function spawnTracked(name: string, command: string, args: string[], options: SpawnOptions = {}): TrackedChild {
  const child = spawn(command, args, { ...options, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
  let tail = '';
  let done = false;
  const keep = (chunk: Buffer): void => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL_BYTES);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      done = true;
      live.delete(tracked);
      resolve(code ?? signal ?? 'unknown');
    });
    child.once('error', (error) => {
      done = true;
      live.delete(tracked);
      keep(Buffer.from(String(error)));
      resolve('error');
    });
  });
  const tracked: TrackedChild = {
    name,
    process: child,
    pid: child.pid,
    exited,
    output: () => tail,
    hasExited: () => done,
  };
  live.add(tracked);
  return tracked;
}

function signalGroup(child: TrackedChild, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Sends SIGTERM to the child's process group, then SIGKILL if it has not exited within `graceMs`. */
export async function stopChild(child: TrackedChild, graceMs = 5000): Promise<void> {
  if (child.hasExited()) return;
  signalGroup(child, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), graceMs);
  });
  const outcome = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (outcome === 'timeout') {
    signalGroup(child, 'SIGKILL');
    await child.exited;
  }
}

/** Kills every live child's process group at once with SIGKILL; safe to call from an `exit` handler. */
export function killAllChildren(): void {
  for (const child of live) signalGroup(child, 'SIGKILL');
}

/**
 * Makes sure no child outlives the benchmark: kills them all on normal exit,
 * on SIGINT/SIGTERM/SIGHUP (then exits with 128 + signal number) and on uncaught errors.
 */
export function installChildCleanup(): void {
  process.once('exit', killAllChildren);
  const signals: Array<[NodeJS.Signals, number]> = [['SIGINT', 2], ['SIGTERM', 15], ['SIGHUP', 1]];
  for (const [signal, number] of signals) {
    process.once(signal, () => {
      console.error(`\n${signal}: stopping all child processes`);
      killAllChildren();
      process.exit(128 + number);
    });
  }
  process.once('uncaughtException', (error) => {
    console.error(error);
    killAllChildren();
    process.exit(1);
  });
  process.once('unhandledRejection', (error) => {
    console.error(error);
    killAllChildren();
    process.exit(1);
  });
}
