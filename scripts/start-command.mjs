/**
 * The node command line of `npm start`, read from package.json's `start` script, so that whatever
 * starts the server as `npm start` does (the benchmarks, bench/lib/server-process.ts; the live tests,
 * tests/support/live-server.ts) passes node the same flags: V8 heap settings, which must be given
 * when the process starts (scripts/start.mjs says which and why).
 */
import { readFileSync } from 'node:fs';

/** The arguments to node of `npm start`: its flags, then `scripts/start.mjs`. */
export function startCommand() {
  const root = new URL('..', import.meta.url);
  const script = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')).scripts.start;
  const words = script.trim().split(/\s+/u);
  if (words[0] !== 'node' || words.at(-1) !== 'scripts/start.mjs' || words.slice(1, -1).some((w) => !w.startsWith('--'))) {
    throw new Error(`package.json "start" should be "node [--flag …] scripts/start.mjs", not "${script}"`);
  }
  return words.slice(1);
}
