/** A one-line counter for long exports: redrawn on a terminal at most every 100 ms, silent elsewhere. */

/** Where progress goes and whether it is shown. */
export interface ProgressOptions {
  stream: NodeJS.WriteStream;
  enabled: boolean;
}

/** A counter line that can be updated and then erased. */
export interface Progress {
  /** Redraws the line with `text()`, which is only called when the line is redrawn. */
  update(text: () => string): void;
  /** Erases the line, so the summary starts on a clean line. */
  done(): void;
}

const REDRAW_MS = 100;

/** Whether to show progress: only on a terminal, and never in CI (`CI` set to anything but false/0). */
export function showProgress(stream: NodeJS.WriteStream, env: Record<string, string | undefined>): boolean {
  const ci = env.CI !== undefined && !/^(|false|0)$/iu.test(env.CI);
  return stream.isTTY === true && !ci;
}

/** Creates the counter; see the module comment. */
export function createProgress(options: ProgressOptions): Progress {
  if (!options.enabled) return { update: () => {}, done: () => {} };
  let last = 0;
  let shown = false;
  return {
    update(text) {
      const now = performance.now();
      if (now - last < REDRAW_MS) return;
      last = now;
      shown = true;
      options.stream.write(`\r\x1b[2K${text()}`);
    },
    done() {
      if (shown) options.stream.write('\r\x1b[2K');
    },
  };
}
