/**
 * `npm run bench:floor-twins`: how far apart identical processes run on this machine. Several copies
 * of the node floor (bench/floor/server.ts), started from the same bytes of our server, are loaded
 * with one class in alternated rounds; each copy's req/s and CPU time per answer are printed per round,
 * then the best round of each and the spread between the fastest and the slowest copy.
 *
 * Why: a ratio to the floor of 0.9× is a 10% margin, and a copy can stay faster or slower than its
 * twins for as long as it lives. When the spread here is that wide, one pair of processes cannot
 * settle the floor targets of `npm run bench`; its `--instances` compares several fresh pairs
 * (bench/lib/measure-size.ts).
 *
 *   npm run bench:floor-twins -- [--size 10k] [--copies 4] [--rounds 4] [--duration 3] [--class 304]
 *     (--class: site, large, mid, small, archive or 304)
 */
import type { AutocannonRequest } from 'autocannon';
import { boundedOption, option } from './lib/args.ts';
import { installChildCleanup } from './lib/child.ts';
import { archiveClass, conditionalRequests, feedClasses, snapshotPaths } from './lib/classes.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { startFloor, stopFloor, type RunningFloor } from './lib/floor.ts';
import { defaultLoadSettings, runLoad } from './lib/load.ts';
import { readCpuMs } from './lib/memory.ts';
import { startOurServer, stopServer, waitForFirstFeed } from './lib/server-process.ts';
import { pickTags } from './lib/tags.ts';

installChildCleanup();
const size = parseSize(option('size', '10k'));
const copies = boundedOption('copies', '4', 2, 8, true);
const rounds = boundedOption('rounds', '4', 1, 10, true);
const durationS = boundedOption('duration', '3', 1, 60, true);
const classId = option('class', '304');
const settings = { ...defaultLoadSettings(32, durationS), warmupS: 1 };
const log = (line: string) => console.log(line);

const corpus = await ensureCorpus(size, log);
const classes = [...feedClasses(await pickTags(corpus)), archiveClass()];
// The 304 class is every feed path above, as in `npm run bench`; any other is one class's paths.
const chosen = classId === '304' ? undefined : classes.find((c) => c.id === classId);
if (classId !== '304' && !chosen) throw new Error(`--class must be one of ${[...classes.map((c) => c.id), '304'].join(', ')}`);
const paths = chosen ? chosen.paths : classes.filter((c) => c.id !== 'archive').flatMap((c) => c.paths);

// Our server only gives the bytes (and the floor its ETags): it is stopped before any load.
const ours = await startOurServer(corpus.dir);
let snapshots: Awaited<ReturnType<typeof snapshotPaths>>;
try {
  await waitForFirstFeed(ours, 120_000);
  snapshots = await snapshotPaths(ours.baseUrl, paths);
} finally {
  await stopServer(ours);
}

const floors: RunningFloor[] = [];
try {
  for (let i = 0; i < copies; i++) floors.push(await startFloor(snapshots));
  // Every copy answers the same bytes with the same ETags: one request list serves them all.
  const requests: AutocannonRequest[] = classId === '304' ? conditionalRequests(snapshots) ?? [] : paths.map((path) => ({ path }));
  if (requests.length === 0) throw new Error('our server sent no ETag: no 304 class');
  const status = classId === '304' ? 304 : 200;
  log(`${size.label}, ${chosen ? chosen.label : '304 answers'}, ${copies} copies of the node floor, ${settings.tool.name}, 32 connections, ${durationS} s per run, ${rounds} rounds alternated`);
  const best = floors.map(() => ({ rps: 0, cpuUs: Number.POSITIVE_INFINITY }));
  for (let round = 0; round < rounds; round++) {
    const order = floors.map((_, i) => i);
    if (round % 2 === 1) order.reverse();
    for (const i of order) {
      const floor = floors[i]!;
      const before = readCpuMs(floor.child.pid);
      const figure = await runLoad(floor.baseUrl, requests, status, settings);
      const after = readCpuMs(floor.child.pid);
      // The warm-up's share of the CPU time is taken off in proportion to its length.
      const cpuUs = before === undefined || after === undefined ? Number.NaN : ((after - before) * 1000 * (durationS / (durationS + settings.warmupS))) / figure.requests;
      log(`  copy ${i + 1} (round ${round + 1}): ${Math.round(figure.rps)} req/s, ${cpuUs.toFixed(1)} µs CPU/answer${figure.unexpected ? `, ${figure.unexpected} unexpected (${figure.detail})` : ''}`);
      best[i]!.rps = Math.max(best[i]!.rps, figure.rps);
      best[i]!.cpuUs = Math.min(best[i]!.cpuUs, cpuUs);
    }
  }
  log('');
  log('| copy | best req/s | least µs CPU per answer |');
  log('|---|---|---|');
  for (const [i, b] of best.entries()) log(`| ${i + 1} | ${Math.round(b.rps)} | ${b.cpuUs.toFixed(1)} |`);
  const rates = best.map((b) => b.rps);
  log(`\nslowest ÷ fastest copy, best rounds: ${(Math.min(...rates) / Math.max(...rates)).toFixed(2)}×`);
} finally {
  for (const floor of floors) await stopFloor(floor);
}
