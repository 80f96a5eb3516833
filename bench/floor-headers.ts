/**
 * `npm run bench:floor-headers`: how much of the gap between our server and the node floor is the
 * header lines our answers carry. Three servers answer the same bytes, side by side, each class
 * alternated between them round by round:
 *
 * - ours, started as `npm start` starts it;
 * - the floor (bench/floor/server.ts): our body from memory with Content-Type, Content-Length and
 *   ETag on a 200, the ETag alone on a 304;
 * - the floor with our headers: the same server, sending on each answer the exact header lines ours
 *   sent for it (security headers, Cache-Control, Vary, CORS, Surrogate-Key, Link, Last-Modified…)
 *   and doing nothing else per request.
 *
 * The third is the least any `node:http` server can cost while carrying what our answers carry; ours
 * ÷ it is what is left to gain in our code, and it ÷ the floor is what the headers cost node itself.
 * Beside req/s it prints each server's CPU time per answer (from /proc, over the measured run), which
 * moves less than req/s with the other load of a shared machine. wrk and the servers share the cores,
 * so a longer answer also costs the client more to read: that is part of what the headers cost.
 *
 *   npm run bench:floor-headers -- [--size 10k] [--duration 3] [--rounds 3] [--connections 32]
 *     [--classes site,large,mid,small,archive,304]
 */
import { readCpuMs } from './lib/memory.ts';
import { archiveClass, conditionalRequests, feedClasses, snapshotPaths } from './lib/classes.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { captureHeaders, startFloor, stopFloor, type FloorResponse, type RunningFloor } from './lib/floor.ts';
import { defaultLoadSettings, runLoad } from './lib/load.ts';
import { startOurServer, stopServer, waitForFirstFeed, type RunningServer } from './lib/server-process.ts';
import { pickTags } from './lib/tags.ts';
import type { AutocannonRequest } from 'autocannon';
import { boundedOption, option } from './lib/args.ts';

const size = parseSize(option('size', '10k'));
const durationS = boundedOption('duration', '3', 1, 60);
const rounds = boundedOption('rounds', '3', 1, 10);
const settings = { ...defaultLoadSettings(boundedOption('connections', '32', 1, 256), durationS), warmupS: 1 };
const log = (line: string) => console.log(line);

const corpus = await ensureCorpus(size, log);
const tags = await pickTags(corpus);
const classes = [...feedClasses(tags), archiveClass()];
const paths = classes.flatMap((c) => c.paths);
const chosen = new Set(option('classes', 'site,large,mid,small,archive,304').split(','));

let ours: RunningServer | undefined;
let floor: RunningFloor | undefined;
let carrying: RunningFloor | undefined;
try {
  ours = await startOurServer(corpus.dir);
  await waitForFirstFeed(ours, 120_000);
  const snapshots = await snapshotPaths(ours.baseUrl, paths);
  const withHeaders = new Map<string, FloorResponse>();
  for (const [p, s] of snapshots) withHeaders.set(p, { ...s, headers: await captureHeaders(ours.baseUrl, p, s.etag) });
  floor = await startFloor(snapshots);
  carrying = await startFloor(withHeaders);
  const sample = withHeaders.get(classes.find((c) => c.id === 'small')!.paths[0]!)!.headers!;
  log(`${size.label}, ${settings.tool.name}, ${settings.connections} connections, ${durationS} s per run, ${rounds} rounds alternated`);
  log(`our 200 carries ${sample.ok.length / 2} header lines (${sample.ok.filter((_, i) => i % 2 === 0).join(', ')}); our 304 ${sample.notModified.length / 2}`);

  const targets = [
    { name: 'ours', baseUrl: ours.baseUrl, pid: ours.child.pid },
    { name: 'floor', baseUrl: floor.baseUrl, pid: floor.child.pid },
    { name: 'floor+our headers', baseUrl: carrying.baseUrl, pid: carrying.child.pid },
  ];
  const runs: Array<[string, AutocannonRequest[], number]> = classes.filter((c) => chosen.has(c.id)).map((c) => [c.label, c.paths.map((path) => ({ path })), 200]);
  if (chosen.has('304')) runs.push(['304 answers (all feeds above)', conditionalRequests(snapshots) ?? [], 304]);

  const rows: string[][] = [];
  for (const [label, requests, status] of runs) {
    if (requests.length === 0) continue;
    const best = new Map<string, { rps: number; cpuUs: number }>();
    for (let round = 0; round < rounds; round++) {
      for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
        const before = readCpuMs(t.pid);
        const figure = await runLoad(t.baseUrl, requests, status, settings);
        const after = readCpuMs(t.pid);
        // CPU over the warm-up and the measured run, per answer of the measured run (the warm-up's
        // share is taken off in proportion to its length).
        const cpuUs = before === undefined || after === undefined ? Number.NaN
          : ((after - before) * 1000 * (durationS / (durationS + settings.warmupS))) / figure.requests;
        log(`  ${label}, ${t.name} (round ${round + 1}): ${Math.round(figure.rps)} req/s, ${cpuUs.toFixed(1)} µs CPU/answer${figure.unexpected ? `, ${figure.unexpected} unexpected (${figure.detail})` : ''}`);
        const kept = best.get(t.name);
        if (!kept || figure.rps > kept.rps) best.set(t.name, { rps: figure.rps, cpuUs: kept ? Math.min(kept.cpuUs, cpuUs) : cpuUs });
        else kept.cpuUs = Math.min(kept.cpuUs, cpuUs);
      }
    }
    const [o, f, c] = targets.map((t) => best.get(t.name)!);
    rows.push([label, String(Math.round(o!.rps)), String(Math.round(f!.rps)), String(Math.round(c!.rps)),
      `${(o!.rps / f!.rps).toFixed(2)}×`, `${(c!.rps / f!.rps).toFixed(2)}×`, `${(o!.rps / c!.rps).toFixed(2)}×`,
      `${o!.cpuUs.toFixed(1)} / ${f!.cpuUs.toFixed(1)} / ${c!.cpuUs.toFixed(1)}`]);
  }
  log('');
  log('| class | ours req/s | floor req/s | floor+our headers req/s | ours ÷ floor | floor+headers ÷ floor | ours ÷ floor+headers | µs CPU per answer (ours / floor / floor+headers, least) |');
  log('|---|---|---|---|---|---|---|---|');
  for (const row of rows) log(`| ${row.join(' | ')} |`);
} finally {
  if (carrying) await stopFloor(carrying);
  if (floor) await stopFloor(floor);
  if (ours) await stopServer(ours);
}
