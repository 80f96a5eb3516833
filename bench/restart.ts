/**
 * `npm run bench:restart`: how soon the server answers its first feed after a start, cold (no state)
 * and warm (the article cache of the run before), and warm after `--changes` files were edited, added
 * and deleted while it was down (then every feed must show exactly the current files: checked against
 * a cold start on the same folder). Peak RSS of each start is read from /proc. Loopback only.
 *
 * The server runs as `npm start` runs it (scripts/start.mjs: the bundle, built once before timing);
 * `--entry tsx` runs the TypeScript through tsx instead, `--entry both` alternates the two. CPU time
 * (user + system) to the first feed is printed beside the wall time: the machine is shared.
 *
 *   npm run bench:restart -- [--size 100k] [--changes 200] [--runs 3] [--entry start|tsx|both]
 */
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { installChildCleanup, spawnTracked, stopChild, type TrackedChild } from './lib/child.ts';
import { ensureCorpus, listArticleFiles, parseSize } from './lib/corpus.ts';
import { pollUntil } from './lib/http.ts';
import { readCpuMs, readPeakRss } from './lib/memory.ts';
import { repoRoot } from './lib/paths.ts';
import { freePort } from './lib/ports.ts';
import { ourServerCommand } from './lib/server-process.ts';
import { option } from './lib/args.ts';

const size = parseSize(option('size', '100k'));
const changes = Math.max(3, Number(option('changes', '200')));
const runs = Math.min(10, Math.max(1, Number(option('runs', '3'))));
const entryOption = option('entry', 'start');
if (!['start', 'tsx', 'both'].includes(entryOption)) throw new Error(`--entry ${entryOption}: start, tsx or both`);
type Entry = 'start' | 'tsx';
const entries: Entry[] = entryOption === 'both' ? ['start', 'tsx'] : [entryOption as Entry];

interface Start {
  ms: number;
  cpuMs: number;
  peakMb: number;
  summary: string;
}

async function start(entry: Entry, articlesDir: string, stateDir: string, check?: (base: string) => Promise<void>): Promise<Start> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  // The bundle is built (once) here, before the clock starts.
  const command = ourServerCommand(entry === 'tsx' ? 'src/cli.ts' : undefined);
  const spawnedAt = performance.now();
  const child: TrackedChild = spawnTracked('our server', process.execPath, [...command, '--host', '127.0.0.1', '--port', String(port), '--articles-dir', articlesDir, '--base-url', 'http://bench.example', '--feed-limit', '20', '--archive-size', '20'], {
    cwd: repoRoot,
    env: { ...process.env, STATE_DIR: stateDir },
  });
  try {
    const at = await pollUntil(`${base}/rss.xml`, (r) => r.status === 200, { intervalMs: 5, timeoutMs: 120_000, abort: () => (child.hasExited() ? 'exited' : undefined) });
    const cpuMs = readCpuMs(child.pid) ?? 0;
    await check?.(base);
    const summary = /Loaded [^\n]*/u.exec(child.output())?.[0] ?? '';
    return { ms: at - spawnedAt, cpuMs, peakMb: (readPeakRss(child.pid) ?? 0) / 2 ** 20, summary };
  } finally {
    await stopChild(child);
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function feeds(base: string): Promise<string> {
  const parts: string[] = [];
  for (const p of ['/rss.xml', '/atom.xml', '/feed.json', '/tags', '/tags.opml']) parts.push(await (await fetch(`${base}${p}`)).text());
  return parts.join('\n');
}

async function main(): Promise<void> {
  installChildCleanup();
  const corpus = await ensureCorpus(size, (l) => console.log(l));
  const work = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-restart-'));
  const articlesDir = path.join(work, 'articles');
  await cp(corpus.dir, articlesDir, { recursive: true });
  try {
    const cold = new Map<Entry, Start[]>(entries.map((e) => [e, []]));
    const warm = new Map<Entry, Start[]>(entries.map((e) => [e, []]));
    for (let run = 0; run < runs; run++) {
      for (const entry of entries) {
        const stateDir = path.join(work, `state-${entry}-${run}`);
        cold.get(entry)!.push(await start(entry, articlesDir, stateDir));
        warm.get(entry)!.push(await start(entry, articlesDir, stateDir));
      }
    }
    // Changes while down: a third edited, a third added, a third deleted.
    const entry = entries[0]!;
    const stateDir = path.join(work, `state-${entry}-0`);
    const files = listArticleFiles(articlesDir).sort();
    const third = Math.floor(changes / 3);
    for (let i = 0; i < third; i++) await writeFile(path.join(articlesDir, files[i * 7]!), `Edited while down ${i}\n\nThe body changed while the server was down.\n#EditedWhileDown\n`);
    for (let i = 0; i < third; i++) await writeFile(path.join(articlesDir, `added-while-down-${i}.txt`), `Added while down ${i}\n\nA new file.\n#AddedWhileDown\n`);
    for (let i = 0; i < changes - 2 * third; i++) await unlink(path.join(articlesDir, files[files.length - 1 - i * 5]!));
    let warmView = '';
    const changed = await start(entry, articlesDir, stateDir, async (base) => {
      warmView = await feeds(base);
    });
    let coldView = '';
    await start(entry, articlesDir, path.join(work, 'state-fresh'), async (base) => {
      coldView = await feeds(base);
    });

    const ms = (values: number[]) => median(values).toFixed(0).padStart(6);
    const row = (name: string, s: Start[]) =>
      `  ${name.padEnd(40)} first feed ${ms(s.map((x) => x.ms))} ms (runs: ${s.map((x) => x.ms.toFixed(0)).join(', ')}), CPU ${ms(s.map((x) => x.cpuMs))} ms, peak RSS ${median(s.map((x) => x.peakMb)).toFixed(0)} MB`;
    console.log('');
    console.log(`Restart: ${size.label} articles, median of ${runs}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    for (const e of entries) {
      const how = e === 'start' ? 'node scripts/start.mjs, as npm start' : 'node --import tsx src/cli.ts';
      console.log(row(`cold start, no state (${how})`, cold.get(e)!));
      console.log(row(`warm restart, nothing changed (${e})`, warm.get(e)!));
      console.log(`  warm/cold (${e}): ${(median(warm.get(e)!.map((x) => x.ms)) / median(cold.get(e)!.map((x) => x.ms))).toFixed(2)}×`);
    }
    console.log(row(`warm restart, ${changes} files changed (${entry})`, [changed]));
    console.log(`  after the changes: ${changed.summary}`);
    console.log(`  feeds, /tags and OPML after the changes are ${warmView === coldView ? 'identical to' : 'DIFFERENT from'} a cold start on the same files`);
    if (warmView !== coldView) process.exitCode = 1;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
