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
