/**
 * `npm run bench:restart`: how soon the server answers its first feed after a start, cold (no state)
 * and warm (the article cache of the run before), and warm after `--changes` files were edited, added
 * and deleted while it was down (then every feed must show exactly the current files: checked against
 * a cold start on the same folder). Peak RSS of each start is read from /proc. Loopback only.
 *
 *   npm run bench:restart -- [--size 100k] [--changes 200] [--runs 3]
 */
import { cp, mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { installChildCleanup, spawnTracked, stopChild, type TrackedChild } from './lib/child.ts';
import { ensureCorpus, listArticleFiles, parseSize } from './lib/corpus.ts';
import { pollUntil } from './lib/http.ts';
import { readPeakRss } from './lib/memory.ts';
import { repoRoot } from './lib/paths.ts';
import { freePort } from './lib/ports.ts';

function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 && process.argv[at + 1] ? process.argv[at + 1]! : fallback;
}

const size = parseSize(option('size', '100k'));
const changes = Math.max(3, Number(option('changes', '200')));
const runs = Math.min(10, Math.max(1, Number(option('runs', '3'))));

interface Start {
  ms: number;
  peakMb: number;
  summary: string;
}

async function start(articlesDir: string, stateDir: string, check?: (base: string) => Promise<void>): Promise<Start> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const spawnedAt = performance.now();
  const child: TrackedChild = spawnTracked('our server', process.execPath, ['--import', 'tsx', 'src/cli.ts', '--host', '127.0.0.1', '--port', String(port), '--articles-dir', articlesDir, '--base-url', 'http://bench.example', '--feed-limit', '20', '--archive-size', '20'], {
    cwd: repoRoot,
    env: { ...process.env, STATE_DIR: stateDir },
  });
  try {
    const at = await pollUntil(`${base}/rss.xml`, (r) => r.status === 200, { intervalMs: 5, timeoutMs: 120_000, abort: () => (child.hasExited() ? 'exited' : undefined) });
    await check?.(base);
    const summary = /Loaded [^\n]*/u.exec(child.output())?.[0] ?? '';
    return { ms: at - spawnedAt, peakMb: (readPeakRss(child.pid) ?? 0) / 2 ** 20, summary };
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
    const cold: Start[] = [];
    const warm: Start[] = [];
    for (let run = 0; run < runs; run++) {
      const stateDir = path.join(work, `state-${run}`);
      cold.push(await start(articlesDir, stateDir));
      warm.push(await start(articlesDir, stateDir));
    }
    // Changes while down: a third edited, a third added, a third deleted.
    const stateDir = path.join(work, 'state-0');
    const files = listArticleFiles(articlesDir).sort();
    const third = Math.floor(changes / 3);
    for (let i = 0; i < third; i++) await writeFile(path.join(articlesDir, files[i * 7]!), `Edited while down ${i}\n\nThe body changed while the server was down.\n#EditedWhileDown\n`);
    for (let i = 0; i < third; i++) await writeFile(path.join(articlesDir, `added-while-down-${i}.txt`), `Added while down ${i}\n\nA new file.\n#AddedWhileDown\n`);
    for (let i = 0; i < changes - 2 * third; i++) await unlink(path.join(articlesDir, files[files.length - 1 - i * 5]!));
    let warmView = '';
    const changed = await start(articlesDir, stateDir, async (base) => {
      warmView = await feeds(base);
    });
    let coldView = '';
    await start(articlesDir, path.join(work, 'state-fresh'), async (base) => {
      coldView = await feeds(base);
    });

    const row = (name: string, s: Start[]) => `  ${name.padEnd(34)} first feed ${median(s.map((x) => x.ms)).toFixed(0).padStart(6)} ms (runs: ${s.map((x) => x.ms.toFixed(0)).join(', ')}), peak RSS ${median(s.map((x) => x.peakMb)).toFixed(0)} MB`;
    console.log('');
    console.log(`Restart: ${size.label} articles, median of ${runs} (node --import tsx src/cli.ts, as npm start)`);
    console.log(row('cold start (no state)', cold));
    console.log(row('warm restart (nothing changed)', warm));
    console.log(row(`warm restart (${changes} files changed)`, [changed]));
    console.log(`  warm/cold: ${(median(warm.map((x) => x.ms)) / median(cold.map((x) => x.ms))).toFixed(2)}×`);
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
