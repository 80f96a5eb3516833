import type { ChildProcess } from 'node:child_process';

type Task = () => void | Promise<void>;

const children = new Set<ChildProcess>();
const tasks: Task[] = [];
let cleaning: Promise<void> | undefined;

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (!isRunning(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Registers a child process so that it is killed on exit, on errors and on SIGINT/SIGTERM. */
export function trackChild<C extends ChildProcess>(child: C): C {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Sends SIGTERM, waits up to `graceMs`, then SIGKILL; resolves once the child has exited (or after a second SIGKILL wait). */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (!isRunning(child)) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 2000);
}

/** Registers a task (e.g. removing the temp dir) to run once, after the children are stopped, in reverse order of registration. */
export function onCleanup(task: Task): void {
  tasks.push(task);
}

/** Stops every tracked child and runs the cleanup tasks; safe to call more than once. */
export function runCleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map((child) => stopChild(child)));
    for (const task of tasks.reverse()) {
      try {
        await task();
      } catch (error) {
        console.error('cleanup failed:', error);
      }
    }
  })();
  return cleaning;
}

/** Makes SIGINT, SIGTERM and uncaught errors stop the children and clean up before the process exits. */
export function installCleanupHandlers(): void {
  const bail = (code: number) => {
    void runCleanup().finally(() => process.exit(code));
  };
  process.once('SIGINT', () => {
    console.error('\ninterrupted: stopping child processes and cleaning up');
    bail(130);
  });
  process.once('SIGTERM', () => bail(143));
  process.once('uncaughtException', (error) => {
    console.error(error);
    bail(1);
  });
  process.once('unhandledRejection', (error) => {
    console.error(error);
    bail(1);
  });
  // Last resort if something calls process.exit() directly: no child outlives us.
  process.once('exit', () => {
    for (const child of children) if (isRunning(child)) child.kill('SIGKILL');
  });
}
