/**
 * Run by tests/commands/heap-growth.test.ts in a process of its own: holds a live set, then makes
 * garbage that lives long enough to be promoted, and prints the largest heap seen over the live size.
 * `bound` as its argument calls boundHeapGrowth first, as the server does once it has loaded.
 */
import { boundHeapGrowth, collectGarbage } from '../../src/commands/heap-growth.ts';

const LIVE_MB = 64;
const live: string[] = [];
for (let i = 0; i < LIVE_MB * 512; i++) live.push(`${i}`.padEnd(1024, 'x'));
// A ring of 32,768 strings of 1 KiB: each is replaced long after it was promoted, so old-generation
// garbage piles up until a full collection; a million replacements make 1 GiB of it.
const ring: string[] = Array.from({ length: 32768 }, (_, i) => `${i}`.padEnd(1024, 'y'));
collectGarbage();
const liveBytes = process.memoryUsage().heapUsed;
// At once: this loop never yields to a timer.
if (process.argv[2] === 'bound') boundHeapGrowth(undefined, 0);
let most = 0;
for (let i = 0; i < 1024 * 1024; i++) {
  ring[i % ring.length] = `${i}`.padEnd(1024, 'z');
  if (i % 512 === 0) most = Math.max(most, process.memoryUsage().heapUsed);
}
console.log(JSON.stringify({ ratio: most / liveBytes, live: live.length + ring.length }));
