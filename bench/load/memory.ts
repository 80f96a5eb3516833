import { readFile } from 'node:fs/promises';

/**
 * Reads the resident set size (VmRSS) of a process from /proc/PID/status, in KiB.
 * @example await readRssKiB(process.pid) // 51234
 */
export async function readRssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS line in /proc/${pid}/status`);
  return Number(match[1]);
}

/**
 * Reads the RSS of `pid` every `everyMs` until stopped (at most `maxSamples`), so a report can tell caches that
 * level off from growth that does not.
 */
export function sampleRss(pid: number, everyMs: number, maxSamples = 1000): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    if (samples.length >= maxSamples) return clearInterval(timer);
    readRssKiB(pid).then(
      (kib) => samples.push(kib),
      () => clearInterval(timer), // the process is gone
    );
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
