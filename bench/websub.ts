/**
 * `npm run bench:websub`: WebSub fan-out. N subscribers (default 1,000, all on one subscriber server on
 * 127.0.0.1, each answering after `--answer-ms`, as remote callbacks do) subscribe to one tag feed;
 * then one article is written. Measured: the time from the write to the last delivery, and the feed's
 * req/s (wrk, same connections) while the fan-out runs, against idle just before, in the same run.
 * Everything is on loopback; every loop is bounded in count and time.
 *
 *   npm run bench:websub -- [--size 10k] [--subscribers 1000] [--answer-ms 100] [--duration 3]
 */
import { cp, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { installChildCleanup, spawnTracked, stopChild } from './lib/child.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { pollUntil } from './lib/http.ts';
import { repoRoot } from './lib/paths.ts';
import { freePort } from './lib/ports.ts';
import { findWrk, runWrk } from './lib/wrk.ts';
import { option } from './lib/args.ts';

const TAG = 'benchpush';

/** CPU seconds (user + system) a process has used so far, from /proc. */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const size = parseSize(option('size', '10k'));
const subscribers = Math.min(10_000, Math.max(1, Number(option('subscribers', '1000'))));
const answerMs = Math.min(5000, Math.max(0, Number(option('answer-ms', '100'))));
const durationS = Math.min(60, Math.max(1, Number(option('duration', '3'))));
const connections = 32;

const article = (n: number) => `Bench push article ${n}\n\nA paragraph for the fan-out benchmark, article ${n}.\n#BenchPush #Geopolitics\n`;

async function main(): Promise<void> {
  installChildCleanup();
  const wrk = findWrk();
  if (!wrk) throw new Error('wrk is needed (Debian package wrk)');
  const corpus = await ensureCorpus(size, (l) => console.log(l));
  const work = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-websub-'));
  const articlesDir = path.join(work, 'articles');
  await cp(corpus.dir, articlesDir, { recursive: true });
  await writeFile(path.join(articlesDir, 'bench-push-0.txt'), article(0));

  // The subscribers: one server, one callback path each.
  const delivered = new Map<string, number>();
  let verified = 0;
  const subscriberServer = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET') {
      verified++;
      return void res.writeHead(200).end(url.searchParams.get('hub.challenge') ?? '');
    }
    req.resume();
    req.on('end', () => {
      delivered.set(url.pathname, Date.now());
      setTimeout(() => res.writeHead(204).end(), answerMs);
    });
  });
  await new Promise<void>((r) => subscriberServer.listen(0, '127.0.0.1', r));
  const callbackBase = `http://127.0.0.1:${(subscriberServer.address() as AddressInfo).port}`;

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server = spawnTracked('our server', process.execPath, ['--import', 'tsx', 'src/cli.ts', '--host', '127.0.0.1', '--port', String(port), '--articles-dir', articlesDir, '--feed-limit', '20', '--archive-size', '20', '--base-url', baseUrl], {
    cwd: repoRoot,
    env: { ...process.env, STATE_DIR: path.join(work, 'state'), WEBSUB_ALLOW_PRIVATE_CALLBACKS: 'true' },
  });
  try {
    await pollUntil(`${baseUrl}/tags/${TAG}/rss.xml`, (r) => r.status === 200, { intervalMs: 50, timeoutMs: 120_000, abort: () => (server.hasExited() ? 'server exited' : undefined) });
    const topic = `${baseUrl}/tags/${TAG}/rss.xml`;
    const started = performance.now();
    for (let i = 0; i < subscribers; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, subscribers - i) }, async (_, j) => {
          const body = new URLSearchParams({ 'hub.mode': 'subscribe', 'hub.topic': topic, 'hub.callback': `${callbackBase}/s/${i + j}` });
          const res = await fetch(`${baseUrl}/websub`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body.toString() });
          if (res.status !== 202) throw new Error(`subscription ${i + j}: ${res.status} ${await res.text()}`);
        }),
      );
    }
    for (let waited = 0; verified < subscribers && waited < 600; waited++) await new Promise((r) => setTimeout(r, 100));
    // The hub saves a subscription once the verification's answer is in: give the last ones a moment.
    await new Promise((r) => setTimeout(r, 500));
    console.log(`${subscribers} subscriptions verified in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    const requests = [{ path: `/tags/${TAG}/rss.xml` }];
    const settings = { tool: { name: "wrk" as const, binary: wrk }, connections, durationS, warmupS: 1 };
    const idle = await runWrk(wrk, baseUrl, requests, settings);

    const write = async (n: number) => {
      const name = `bench-push-${n}.txt`;
      await writeFile(path.join(articlesDir, `.${name}.tmp`), article(n));
      delivered.clear();
      const at = Date.now();
      await rename(path.join(articlesDir, `.${name}.tmp`), path.join(articlesDir, name));
      return at;
    };
    const allDelivered = async () => {
      for (let waited = 0; delivered.size < subscribers && waited < 300; waited++) await new Promise((r) => setTimeout(r, 100));
    };

    // A fan-out with no other load: what it costs the server in CPU time, and how long it takes.
    const cpuBefore = cpuSeconds(server.pid);
    const quietAt = await write(1);
    await allDelivered();
    const quietLast = Math.max(...delivered.values()) - quietAt;
    await new Promise((r) => setTimeout(r, 300));
    const fanOutCpu = cpuSeconds(server.pid) - cpuBefore;

    // The same under load: req/s of the feed while the fan-out runs.
    const changedAt = await write(2);
    const during = await runWrk(wrk, baseUrl, requests, { ...settings, warmupS: 0 });
    await allDelivered();
    const last = Math.max(...delivered.values());
    const first = Math.min(...delivered.values());

    console.log('');
    console.log(`WebSub fan-out: ${size.label} articles, ${subscribers} subscribers of /tags/${TAG}/rss.xml, each answering after ${answerMs} ms`);
    console.log(`  without other load: last delivery ${quietLast} ms after the write; the server spent ${(fanOutCpu * 1000).toFixed(0)} ms of CPU on the fan-out (${((fanOutCpu * 1e6) / subscribers).toFixed(0)} µs a delivery)`);
    console.log(`  under load: deliveries received: ${delivered.size} of ${subscribers}`);
    console.log(`  first delivery ${first - changedAt} ms after the write, last ${last - changedAt} ms after it (target: last within 5000 ms)`);
    console.log(`  feed req/s idle ${Math.round(idle.rps)}, during the fan-out ${Math.round(during.rps)} (${(during.rps / idle.rps).toFixed(2)}×; target ≥ 0.8×), wrk -c${connections} ${durationS} s each`);
    console.log(`  unexpected answers: idle ${idle.unexpected}, during ${during.unexpected}`);
    if (delivered.size < subscribers) process.exitCode = 1;
  } finally {
    await stopChild(server);
    await new Promise<void>((r) => subscriberServer.close(() => r()));
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
