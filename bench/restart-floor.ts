/**
 * `npm run bench:restart-floor`: what a warm restart cannot go below on this machine, piece by piece,
 * each measured alone, to set beside `npm run bench:restart`: node's own start, listing and stat-ing
 * the folder (one thread and two), reading every file once (a cold start's floor), and turning the article cache's rows into objects, with every
 * column, without the title and summary (what an index that read them on first use would skip), and
 * as one V8 startup snapshot holding the same objects (`node --build-snapshot`). Each piece runs in a
 * child process of its own, `--runs` times, alternated; CPU time is printed beside wall time.
 *
 *   npm run bench:restart-floor -- [--size 100k] [--runs 3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { option } from './lib/args.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { repoRoot } from './lib/paths.ts';

const size = parseSize(option('size', '100k'));
const runs = Math.min(10, Math.max(1, Number(option('runs', '3'))));
const corpus = await ensureCorpus(size, (line) => console.log(line));
const work = mkdtempSync(path.join(os.tmpdir(), 'tagfeeds-restart-floor-'));
const stateDir = path.join(work, 'state');

/** Runs a script in a child process; it prints one JSON line of figures. Bounded to 5 minutes. */
function child(args: string[], script?: string): Record<string, number> {
  const file = script === undefined ? undefined : path.join(work, `piece-${Math.random().toString(36).slice(2)}.mjs`);
  if (file) writeFileSync(file, script!);
  const started = performance.now();
  const out = execFileSync(process.execPath, file ? [...args, file] : args, { cwd: repoRoot, encoding: 'utf8', timeout: 300_000, maxBuffer: 1 << 24 });
  const wallMs = performance.now() - started;
  const line = out.trim().split('\n').at(-1) ?? '{}';
  return { wallMs, ...(line.startsWith('{') ? (JSON.parse(line) as Record<string, number>) : {}) };
}

// better-sqlite3 resolves from the project, wherever a piece's file is.
const requireSqlite = `import { createRequire } from 'node:module'; const Database = createRequire(${JSON.stringify(path.join(repoRoot, 'package.json'))})('better-sqlite3');`;
const cpu = `const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };`;

// The article cache, filled the way the server fills it (one cold load through the product's code).
console.log(`filling the article cache of ${corpus.dir} in ${stateDir} ...`);
child(['--import', 'tsx'], `
import { loadSite } from ${JSON.stringify(path.join(repoRoot, 'src/articles/load-site.ts'))};
import { ArticleMetaCache } from ${JSON.stringify(path.join(repoRoot, 'src/state/article-cache.ts'))};
import { realpathSync } from 'node:fs';
const cache = new ArticleMetaCache(${JSON.stringify(stateDir)}, realpathSync(${JSON.stringify(corpus.dir)}), () => {});
await loadSite({ articlesDir: ${JSON.stringify(corpus.dir)}, maxFileSize: 1 << 20, cache }, () => {});
cache.close();
console.log('{}');
`);
const cacheFile = path.join(stateDir, 'cache.db');

const statPiece = (threads: number, call: 'statSync' | 'readFileSync' = 'statSync') => `
import { readdirSync, statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
const dir = ${JSON.stringify(corpus.dir)};
const t0 = performance.now();
const names = readdirSync(dir);
const listed = performance.now();
const per = Math.ceil(names.length / ${threads});
await Promise.all(Array.from({ length: ${threads} }, (_, i) => new Promise((done, fail) => {
  const w = new Worker("const { workerData: d, parentPort } = require('node:worker_threads'); const fs = require('node:fs'); for (const n of d.names) fs.${call}(d.dir + '/' + n); parentPort.postMessage(0);", { eval: true, workerData: { dir, names: names.slice(i * per, (i + 1) * per) } });
  w.once('message', done);
  w.once('error', fail);
})));
const u = process.cpuUsage();
console.log(JSON.stringify({ readdirMs: listed - t0, filesMs: performance.now() - listed, cpuMs: (u.user + u.system) / 1000, systemMs: u.system / 1000, files: names.length }));
`;

const SELECT = (columns: string) => `SELECT ${columns} FROM article_meta`;
const ALL = 'name, size, mtime_ms, title, date, updated, author, summary, summary_cut, tags, draft';
const NO_TEXT = 'name, size, mtime_ms, date, updated, author, summary_cut, tags, draft';
const rowsPiece = (columns: string) => `
${requireSqlite}
${cpu}
const t0 = cpuMs();
const db = new Database(${JSON.stringify(cacheFile)}, { readonly: true });
const metas = [];
for (const r of db.prepare(${JSON.stringify(SELECT(columns))}).raw().iterate()) {
  const n = r.length;
  metas.push({ id: r[0], title: n > 9 ? r[3] : '', date: new Date(r[n > 9 ? 4 : 3]), updated: new Date(r[n > 9 ? 5 : 4]), summary: n > 9 ? r[7] : '', tags: r[n > 9 ? 9 : 7].split('\\n'), source: { size: r[1], mtimeMs: r[2] } });
}
console.log(JSON.stringify({ cpuMs: cpuMs() - t0, rows: metas.length }));
`;

// The startup snapshot: the same objects built once by --build-snapshot, then a process started from it.
const snapshotBlob = path.join(work, 'index.blob');
const rowsJson = path.join(work, 'rows.json');
child([], `
${requireSqlite}
import { writeFileSync } from 'node:fs';
const db = new Database(${JSON.stringify(cacheFile)}, { readonly: true });
writeFileSync(${JSON.stringify(rowsJson)}, JSON.stringify(db.prepare(${JSON.stringify(SELECT(ALL))}).raw().all()));
console.log('{}');
`);
const builder = path.join(work, 'snapshot-entry.cjs');
writeFileSync(builder, `
const v8 = require('node:v8');
const rows = JSON.parse(require('node:fs').readFileSync(${JSON.stringify(rowsJson)}, 'utf8'));
const tags = new Map();
const tag = (label) => { let t = tags.get(label); if (!t) tags.set(label, (t = { key: label.toLowerCase(), label })); return t; };
const metas = rows.map((r) => ({ id: r[0], file: '/articles/' + r[0], format: 'text', title: r[3], date: new Date(r[4]), updated: new Date(r[5]), author: r[6] ?? undefined, image: undefined, summary: r[7], summaryCut: r[8] === 1, tags: r[9].split('\\n').map(tag), draft: false, source: { size: r[1], mtimeMs: r[2] } }));
globalThis.index = { metas, byFile: new Map(metas.map((m) => [m.file, m])) };
v8.startupSnapshot.setDeserializeMainFunction(() => {
  const u = process.cpuUsage();
  console.log(JSON.stringify({ cpuMs: (u.user + u.system) / 1000, rows: globalThis.index.metas.length, rssMb: process.memoryUsage().rss / 2 ** 20 }));
});
`);
execFileSync(process.execPath, ['--snapshot-blob', snapshotBlob, '--build-snapshot', builder], { cwd: work, timeout: 300_000, stdio: 'ignore' });

const pieces: [string, () => Record<string, number>][] = [
  ['node -e 0', () => child(['-e', 'console.log("{}")'])],
  ['readdir + stat, 1 thread', () => child([], statPiece(1))],
  ['readdir + stat, 2 threads', () => child([], statPiece(2))],
  // What a cold start (no cache) cannot go below: every file opened, read and closed once.
  ['readdir + read every file, 2 threads', () => child([], statPiece(2, 'readFileSync'))],
  ['cache rows → objects, every column', () => child([], rowsPiece(ALL))],
  ['cache rows → objects, no title or summary', () => child([], rowsPiece(NO_TEXT))],
  ['V8 startup snapshot of the same objects', () => child(['--snapshot-blob', snapshotBlob])],
];
const results = new Map<string, Record<string, number>[]>();
try {
  for (let run = 0; run < runs; run++) {
    for (const [name, measure] of pieces) {
      const list = results.get(name) ?? [];
      list.push(measure());
      results.set(name, list);
    }
  }
  console.log(`\nRestart floor: ${size.label} articles, ${runs} runs alternated; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const fmt = (values: number[]) => values.map((v) => Math.round(v)).join(', ');
  for (const [name, list] of results) {
    const parts = [`wall ms ${fmt(list.map((r) => r.wallMs!))}`];
    if (list[0]!.cpuMs !== undefined) parts.push(`CPU ms ${fmt(list.map((r) => r.cpuMs!))}`);
    if (list[0]!.filesMs !== undefined) parts.push(`of which system ${fmt(list.map((r) => r.systemMs!))}; readdir ms ${fmt(list.map((r) => r.readdirMs!))}, then the files ms ${fmt(list.map((r) => r.filesMs!))}`);
    if (list[0]!.rssMb !== undefined) parts.push(`RSS MB ${fmt(list.map((r) => r.rssMb!))}`);
    console.log(`  ${name.padEnd(44)} ${parts.join('; ')}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
