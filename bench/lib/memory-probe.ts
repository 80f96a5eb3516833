// An entry for our server that says where its memory is: run as BENCH_SERVER_ENTRY (it takes the
// same flags as src/cli.ts, which it then starts). On SIGUSR2 it writes one line to stderr,
// `memory-probe <n> {json}` (n counts the reports), in MiB: RSS and its anonymous and file-backed
// parts, VmHWM, V8's heap used and committed (and the new, old and large-object spaces committed),
// external memory and ArrayBuffers (Buffers live outside the V8 heap); first as they are, then, when
// the process runs with --expose-gc, after a full collection (what is live).
// bench/archives.ts --probe uses it.
import { readFileSync } from 'node:fs';
import v8 from 'node:v8';

const MiB = 2 ** 20;

function figures(): Record<string, number> {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? Number.NaN) / 1024;
  const m = process.memoryUsage();
  const kept = new Set(['new_space', 'old_space', 'large_object_space']);
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().filter((s) => kept.has(s.space_name)).map((s) => [s.space_name.replace('_space', ''), Math.round(s.space_size / MiB)]));
  return {
    rss: Math.round(m.rss / MiB),
    rssAnon: Math.round(kb('RssAnon')),
    rssFile: Math.round(kb('RssFile')),
    hwm: Math.round(kb('VmHWM')),
    heapUsed: Math.round(m.heapUsed / MiB),
    heapCommitted: Math.round(m.heapTotal / MiB),
    external: Math.round(m.external / MiB),
    arrayBuffers: Math.round(m.arrayBuffers / MiB),
    ...spaces,
  };
}

let reports = 0;
process.on('SIGUSR2', () => {
  const now = figures();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
  console.error(`memory-probe ${++reports} ${JSON.stringify({ now, afterGc: gc ? figures() : undefined })}`);
});

await import('../../src/cli.ts');
