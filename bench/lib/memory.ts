import { readFileSync } from 'node:fs';

/** Reads a process's peak resident set size (VmHWM in /proc/<pid>/status) in bytes; undefined if unavailable. */
export function readPeakRss(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * CPU time a process has used so far (user + system, all its threads, from /proc/<pid>/stat), in ms;
 * undefined if unavailable. On a shared machine this moves less with other load than wall time does.
 */
export function readCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the whole line (11 and 12 after the name), in clock ticks.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

/** sysconf(_SC_CLK_TCK): 100 on every Linux this runs on. */
const CLOCK_TICKS = 100;

/** What bench/lib/memory-probe.ts reports, in MiB: as the process is, and after a full GC when it could run one. */
export interface MemoryProbe {
  now: Record<string, number>;
  afterGc?: Record<string, number>;
}

/**
 * Asks a server started with bench/lib/memory-probe.ts as its entry for its memory figures (SIGUSR2)
 * and waits, at most `timeoutMs`, for the line in its output.
 */
export async function probeMemory(pid: number, output: () => string, timeoutMs = 10_000): Promise<MemoryProbe | undefined> {
  // The last report in the output's tail: its number, and its figures.
  const last = () => {
    const matches = [...output().matchAll(/^memory-probe (\d+) (\{.*\})$/gmu)];
    const match = matches.at(-1);
    return match ? { n: Number(match[1]), json: match[2]! } : undefined;
  };
  const before = last()?.n ?? 0;
  process.kill(pid, 'SIGUSR2');
  for (const deadline = performance.now() + timeoutMs; performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const report = last();
    if (report && report.n > before) return JSON.parse(report.json) as MemoryProbe;
  }
  return undefined;
}
