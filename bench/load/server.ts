import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { trackChild } from './cleanup.ts';

/** A running server child process and what it printed. */
export interface ServerProcess {
  child: ChildProcess;
  pid: number;
  /** `http://127.0.0.1:PORT`, from the `Listening on` line. */
  baseUrl: string;
  /** The `Loaded N articles ...` line, if printed. */
  loadedLine: string;
  /** Number of stderr lines so far (one per skipped file, plus any errors). */
  stderrCount(): number;
  /** The first and the latest stderr lines (bounded), for the report. */
  stderrSample(): string[];
  /** Set once the process has exited: its code or signal. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
}

const KEEP_LINES = 5;

/**
 * Starts `node --import tsx ENTRY --host 127.0.0.1 --port 0 --articles-dir DIR` (what `npm start` runs)
 * and resolves once it prints `Listening on http://...`; rejects if it exits or is silent for `timeoutMs`.
 * Every line it prints is also appended to `logPath`, after the time and `out |` or `err |`.
 */
export function startServer(repoRoot: string, entry: string, articlesDir: string, logPath: string, timeoutMs = 60_000): Promise<ServerProcess> {
  const child = trackChild(
    spawn(process.execPath, ['--import', 'tsx', entry, '--host', '127.0.0.1', '--port', '0', '--articles-dir', articlesDir], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  const first: string[] = [];
  const last: string[] = [];
  let stderrLines = 0;
  const server: ServerProcess = {
    child,
    pid: child.pid ?? -1,
    baseUrl: '',
    loadedLine: '',
    stderrCount: () => stderrLines,
    stderrSample: () => [...first, ...(stderrLines > first.length + last.length ? ['...'] : []), ...last],
    exit: undefined,
  };
  const log = createWriteStream(logPath);
  child.once('exit', () => log.end());
  createInterface({ input: child.stdout! }).on('line', (line) => log.write(`${new Date().toISOString()} out | ${line}\n`));
  createInterface({ input: child.stderr! }).on('line', (line) => {
    log.write(`${new Date().toISOString()} err | ${line}\n`);
    stderrLines++;
    if (first.length < KEEP_LINES) first.push(line);
    else {
      last.push(line);
      if (last.length > KEEP_LINES) last.shift();
    }
  });
  child.on('exit', (code, signal) => (server.exit = { code, signal }));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server printed no "Listening on" line within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`server exited before listening (exit ${code ?? signal}); stderr:\n${server.stderrSample().join('\n')}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('Loaded ')) server.loadedLine = line;
      const match = /Listening on (http:\/\/\S+?)\/?$/.exec(line);
      if (match && !server.baseUrl) {
        const url = new URL(match[1]!);
        // Whatever host the server names, we only ever talk to loopback.
        server.baseUrl = `http://127.0.0.1:${url.port}`;
        clearTimeout(timer);
        resolve(server);
      }
    });
  });
}
