/**
 * Writer child process for `bench/load-writes.ts`: adds, edits, renames and deletes articles in ARTICLES_DIR,
 * and sometimes writes a file the server must skip, until --duration-ms or --max-ops is reached.
 * New content is written to a dotfile temp name and renamed into place, as the contract asks of writers.
 *
 *   node --import tsx bench/load/writer.ts --dir DIR --duration-ms 30000 --max-ops 5000 --interval-ms 25 --seed 1 [--log FILE]
 *
 * --log appends one line per file operation (time, operation, names) for diagnosing a mismatch.
 */
import { appendFileSync, readdirSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { makeArticleText, makeBadText } from './article-text.ts';
import { createRandom } from './random.ts';
import type { FinalArticle, WriteOp, WriterMessage } from './writer-protocol.ts';

const { values } = parseArgs({
  options: {
    dir: { type: 'string' },
    'duration-ms': { type: 'string', default: '30000' },
    'max-ops': { type: 'string', default: '5000' },
    'interval-ms': { type: 'string', default: '25' },
    seed: { type: 'string', default: '1' },
    log: { type: 'string' },
  },
});
if (!values.dir) throw new Error('writer: --dir is required');
const dir = values.dir;
const deadline = Date.now() + Number(values['duration-ms']);
const maxOps = Number(values['max-ops']);
const intervalMs = Number(values['interval-ms']);
const r = createRandom(Number(values.seed) ^ 0x5eed);
/** A good version older than this must be indexed already (the contract: changes show within 1 s). */
const SETTLED_MS = 2000;
const FINAL_LIST_MAX = 1000;

/** The last good text the writer put under a name (marker undefined: a corpus file it only renamed). */
interface Written {
  marker: string | undefined;
  draft: boolean;
  at: number;
}

const logFile = values.log;
const log = (line: string) => logFile && appendFileSync(logFile, `${new Date().toISOString()} #${seq} ${line}\n`);
const idOf = (name: string) => name.replace(/\.(txt|md)$/, '');
const present = readdirSync(dir).filter((n) => /^[^.].*\.(txt|md)$/.test(n)); // good articles on disk
const initialCount = present.length;
const mine: string[] = []; // good articles the writer created (or renamed), a subset of `present`
const bad: string[] = []; // broken files on disk
const written = new Map<string, Written>(); // names the writer answers for: good, or broken with a last good version
const gone = new Set<string>(); // ids removed and not restored
const ops: Record<WriteOp, number> = { add: 0, edit: 0, rename: 0, delete: 0, bad: 0 };
let errors = 0;
let seq = 0;
let stopping = false;

function send(message: WriterMessage): void {
  if (message.type === 'ids') {
    for (const id of message.removed) gone.add(id);
    for (const id of message.added) gone.delete(id);
  }
  if (process.send && process.connected) process.send(message);
}

function newName(prefix: string): string {
  const hex = r.int(0x1_0000_0000).toString(16).padStart(8, '0');
  return `${prefix}${String(seq).padStart(5, '0')}_${hex}.${r() < 0.2 ? 'md' : 'txt'}`;
}

function take(list: string[], name: string): void {
  const i = list.indexOf(name);
  if (i >= 0) list.splice(i, 1);
}

/** Whether the server should serve the article under `name` (its last good text, if the file is broken now). */
function isPublic(name: string): boolean {
  const w = written.get(name);
  return w ? !w.draft : present.includes(name);
}

/** Runs a file operation on `names` and tells the parent which ids became public and which stopped being so. */
async function change(names: string[], operation: () => Promise<void>): Promise<void> {
  const before = names.map(isPublic);
  await operation();
  const added = names.filter((name, i) => !before[i] && isPublic(name)).map(idOf);
  const removed = names.filter((name, i) => before[i] && !isPublic(name)).map(idOf);
  if (added.length > 0 || removed.length > 0) send({ type: 'ids', added, removed });
}

/** Writes to `.NAME.tmp` (a dotfile the server ignores), then renames into place, so readers never see half a file. */
async function writeAtomically(name: string, text: string): Promise<void> {
  const temp = path.join(dir, `.${name}.tmp`);
  await writeFile(temp, text);
  await rename(temp, path.join(dir, name));
}

async function writeGood(name: string): Promise<void> {
  const text = makeArticleText(r, seq);
  await writeAtomically(name, text);
  const draft = /^draft: true$/m.test(text);
  log(`good ${name}${draft ? ' (draft)' : ''}`);
  written.set(name, { marker: `(write ${seq})`, draft, at: Date.now() });
  if (!present.includes(name)) present.push(name);
}

/** Picks an article to change: mostly one of ours, sometimes one of the corpus while at least half of it remains. */
function pickVictim(): string | undefined {
  if (mine.length > 0 && (r() < 0.7 || present.length <= initialCount / 2)) return r.pick(mine);
  return present.length > initialCount / 2 ? r.pick(present) : undefined;
}

async function add(): Promise<void> {
  const name = newName('w');
  await change([name], async () => {
    await writeGood(name);
    mine.push(name);
  });
}

async function edit(): Promise<void> {
  // Sometimes repair a broken file (it must appear, or get its new text), else rewrite an article.
  const name = bad.length > 0 && r() < 0.3 ? bad.splice(r.int(bad.length), 1)[0]! : pickVictim();
  if (!name) return;
  if (!mine.includes(name) && !present.includes(name)) mine.push(name);
  await change([name], () => writeGood(name));
}

async function renameOne(): Promise<void> {
  const from = pickVictim();
  if (!from) return;
  const to = newName('r');
  await change([from, to], async () => {
    await rename(path.join(dir, from), path.join(dir, to));
    log(`rename ${from} -> ${to}`);
    take(present, from);
    take(mine, from);
    present.push(to);
    mine.push(to);
    written.set(to, { marker: written.get(from)?.marker, draft: written.get(from)?.draft ?? false, at: Date.now() });
    written.delete(from);
  });
}

async function deleteOne(): Promise<void> {
  const name = bad.length > 0 && r() < 0.4 ? bad.splice(r.int(bad.length), 1)[0]! : pickVictim();
  if (!name) return;
  await change([name], async () => {
    await unlink(path.join(dir, name));
    log(`delete ${name}`);
    take(present, name);
    take(mine, name);
    written.delete(name);
  });
}

async function writeBad(): Promise<void> {
  // Half the time one of our settled articles breaks (the server keeps its last good version), else a new broken file.
  const settled = mine.filter((name) => Date.now() - (written.get(name)?.at ?? 0) > SETTLED_MS);
  const name = settled.length > 0 && r() < 0.5 ? r.pick(settled) : newName('x');
  await change([name], async () => {
    await writeAtomically(name, makeBadText(r));
    log(`bad ${name}`);
    take(present, name);
    take(mine, name);
    bad.push(name);
  });
}

const OPS: Array<[WriteOp, number, () => Promise<void>]> = [
  ['add', 0.3, add],
  ['edit', 0.3, edit],
  ['rename', 0.15, renameOne],
  ['delete', 0.15, deleteOne],
  ['bad', 0.1, writeBad],
];

function pickOp(): [WriteOp, () => Promise<void>] {
  let u = r();
  for (const [op, weight, run] of OPS) if ((u -= weight) < 0) return [op, run];
  return ['add', add];
}

process.once('SIGTERM', () => (stopping = true));
process.once('SIGINT', () => (stopping = true));
process.once('disconnect', () => (stopping = true)); // parent gone: stop too

let reason: 'time' | 'count' | 'signal' = 'count';
while (seq < maxOps) {
  if (stopping || Date.now() >= deadline) {
    reason = stopping ? 'signal' : 'time';
    break;
  }
  seq++;
  const [op, run] = pickOp();
  try {
    await run();
    ops[op]++;
  } catch (error) {
    errors++;
    if (errors <= 5) console.error(`writer: ${op} failed:`, (error as Error).message);
  }
  await sleep(intervalMs);
}
const final: FinalArticle[] = [...written].slice(-FINAL_LIST_MAX).map(([name, w]) => ({ id: idOf(name), marker: w.marker, draft: w.draft }));
send({ type: 'done', ops, reason, errors, final, goneIds: [...gone].slice(-FINAL_LIST_MAX) });
if (process.connected) process.disconnect();
