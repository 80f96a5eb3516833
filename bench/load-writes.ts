/**
 * Load under writes: generates a corpus into a temp dir, starts the real server on it (loopback, random port),
 * runs concurrent clients over a mix of feeds, pages and conditional requests while a child process adds, edits,
 * renames and deletes articles, then prints status counts, body parse failures and the server's memory.
 * Exits 1 if any response is not 200/304/404 (or the server crashed) or any feed/OPML body fails to parse,
 * 2 if the writer never reported (the run did not test writes).
 *
 *   npm run bench:load -- [--count 2000] [--duration 30] [--connections 32] [--help]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { installCleanupHandlers, onCleanup, runCleanup, stopChild, trackChild } from './load/cleanup.ts';
import { runClients } from './load/clients.ts';
import { checkConvergence } from './load/converge.ts';
import { generateCorpus, scanCorpus } from './load/corpus.ts';
import { readRssKiB, sampleRss } from './load/memory.ts';
import { parseLoadOptions } from './load/options.ts';
import { VisibilityProbe } from './load/probe.ts';
import { createRandom } from './load/random.ts';
import { judge, printReport } from './load/report.ts';
import { createCrawlPicker, createRequestPicker, WriterIds } from './load/requests.ts';
import { startServer } from './load/server.ts';
import { LoadStats } from './load/stats.ts';
import { BodyChecker } from './load/validate.ts';
import type { WriterMessage } from './load/writer-protocol.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opts = (() => {
  try {
    return parseLoadOptions(process.argv.slice(2));
  } catch (error) {
    console.error((error as Error).message);
    process.exit(2);
  }
})();
installCleanupHandlers();

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tagfeeds-load-'));
onCleanup(() => {
  if (!opts.keep) rmSync(tmp, { recursive: true, force: true });
});
const articlesDir = path.join(tmp, 'articles');

console.log(`generating ${opts.count} articles in ${articlesDir}`);
await generateCorpus(repoRoot, articlesDir, opts.count, opts.seed);
const corpus = await scanCorpus(articlesDir);

const server = await startServer(repoRoot, opts.serverEntry, articlesDir, path.join(tmp, 'server.log'));
console.log(`${server.loadedLine}\nserver pid ${server.pid} on ${server.baseUrl}`);

const stats = new LoadStats();
const checker = new BodyChecker();
const writerIds = new WriterIds();
const etags = new Map<string, string>();
const serverDied = () => server.exit !== undefined;
const phase = (seconds: number, seed: number) =>
  runClients({
    baseUrl: server.baseUrl,
    connections: opts.connections,
    durationMs: seconds * 1000,
    maxRequestsPerClient: Math.ceil(seconds * 20_000),
    pick: createRequestPicker(corpus, writerIds, createRandom(seed)),
    stats,
    checker,
    etags,
    shouldStop: serverDied,
  });

const crawl = createCrawlPicker(corpus);
console.log(`warm-up: every route once (${crawl.total} requests), then ${opts.warmup} s of the mix`);
const crawled = await runClients({
  baseUrl: server.baseUrl,
  connections: opts.connections,
  durationMs: 300_000,
  maxRequestsPerClient: Math.ceil(crawl.total / opts.connections),
  pick: crawl.pick,
  stats,
  checker,
  etags,
  shouldStop: serverDied,
});
const mixed = await phase(opts.warmup, opts.seed);
const warmup = { requests: crawled.requests + mixed.requests, elapsedMs: crawled.elapsedMs + mixed.elapsedMs };
await sleep(1000);
const rssStartKiB = serverDied() ? undefined : await readRssKiB(server.pid);

console.log(`load ${opts.duration} s with ${opts.connections} connections while the writer runs`);
const writerStarted = Date.now();
const writer = trackChild(
  fork(
    path.join(repoRoot, 'bench/load/writer.ts'),
    ['--dir', articlesDir, '--duration-ms', String(opts.duration * 1000), '--max-ops', String(opts.maxWrites),
      '--interval-ms', String(opts.writeInterval), '--seed', String(opts.seed), '--log', path.join(tmp, 'writer.log')],
    { cwd: repoRoot, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  ),
);
let writerDone: Extract<WriterMessage, { type: 'done' }> | undefined;
const probe = new VisibilityProbe(server.baseUrl, (id) => writerIds.isGone(id));
writer.on('message', (message: WriterMessage) => {
  if (message.type === 'done') writerDone = message;
  else {
    writerIds.apply(message);
    for (const id of message.added) probe.offer(id);
  }
});
const loadAverageStart = os.loadavg()[0]!;
const sampler = sampleRss(server.pid, 5000);
const load = serverDied() ? { requests: 0, elapsedMs: 0 } : await phase(opts.duration, opts.seed + 1);
const rssDuringKiB = sampler.stop();
const loadAverageEnd = os.loadavg()[0]!;

// The writer stops by itself at the same deadline; wait for it (with a margin), then make sure.
const writerDeadline = writerStarted + opts.duration * 1000 + 10_000;
if (writer.exitCode === null) await Promise.race([once(writer, 'exit'), sleep(Math.max(0, writerDeadline - Date.now()))]);
await stopChild(writer);
const visibility = await probe.finish();

if (!serverDied()) {
  console.log(`idle ${opts.idle} s`);
  await sleep(opts.idle * 1000);
}
const alive = !serverDied();
const rssEndKiB = alive ? await readRssKiB(server.pid) : undefined;
const convergence = alive && writerDone ? await checkConvergence(server.baseUrl, writerDone.final, writerDone.goneIds) : undefined;

const serverCrash = server.exit ? `exit code ${server.exit.code}, signal ${server.exit.signal}` : undefined;
await stopChild(server.child);
const serverStop = serverCrash ? 'already exited' : server.exit ? `exit code ${server.exit.code}, signal ${server.exit.signal}` : 'did not exit';

const summary = {
  articles: opts.count,
  loadedLine: server.loadedLine,
  connections: opts.connections,
  machine: { cpus: os.availableParallelism(), loadAverageStart, loadAverageEnd },
  warmup,
  load,
  writer: writerDone,
  stats,
  distinctBodies: checker.distinct,
  rssStartKiB,
  rssDuringKiB,
  rssEndKiB,
  convergence,
  visibility,
  serverStderrLines: server.stderrCount(),
  serverStderrSample: server.stderrSample(),
  serverCrash,
  serverStop,
  keptLogs: opts.keep ? tmp : undefined,
};
const verdict = judge(summary);
printReport(summary, verdict);
await runCleanup();
if (!writerDone) console.error('the writer sent no summary: the run did not test writes');
process.exit(!writerDone ? 2 : verdict.statusesOk && verdict.bodiesOk ? 0 : 1);
