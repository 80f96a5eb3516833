import type { Convergence } from './converge.ts';
import type { VisibilityResult } from './probe.ts';
import type { LoadStats } from './stats.ts';
import type { WriterMessage } from './writer-protocol.ts';

/** Everything the final report prints. */
export interface RunSummary {
  articles: number;
  loadedLine: string;
  connections: number;
  /** CPUs and 1-minute load average around the load phase: other work on the machine skews req/s and latencies. */
  machine: { cpus: number; loadAverageStart: number; loadAverageEnd: number };
  warmup: { requests: number; elapsedMs: number };
  load: { requests: number; elapsedMs: number };
  writer: Extract<WriterMessage, { type: 'done' }> | undefined;
  stats: LoadStats;
  /** Distinct bodies parsed (identical bytes are parsed once). */
  distinctBodies: number;
  rssStartKiB: number | undefined;
  rssEndKiB: number | undefined;
  /** RSS every 5 s during the load. */
  rssDuringKiB: number[];
  convergence: Convergence | undefined;
  visibility: VisibilityResult;
  serverStderrLines: number;
  serverStderrSample: string[];
  /** Set if the server exited before we stopped it. */
  serverCrash: string | undefined;
  /** How the server ended when we stopped it. */
  serverStop: string;
  /** Folder with writer.log and server.log, if kept (--keep). */
  keptLogs: string | undefined;
}

/** Outcome of the three targets; only the first two decide the exit code. */
export interface Verdict {
  statusesOk: boolean;
  bodiesOk: boolean;
  memoryOk: boolean;
}

const mib = (kib: number | undefined) => (kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(1)} MiB`);
const secs = (ms: number) => (ms / 1000).toFixed(1);
const counts = (m: Map<string, number>) => [...m].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k}: ${n}`).join(', ');
const flag = (ok: boolean) => (ok ? 'PASS' : 'MISS');

function ratioOf(s: RunSummary): number | undefined {
  return s.rssStartKiB === undefined || s.rssEndKiB === undefined ? undefined : s.rssEndKiB / s.rssStartKiB;
}

/** Decides the targets: no status other than 200/304/404 (and no crash), no body that fails to parse, RSS within 10%. */
export function judge(s: RunSummary): Verdict {
  const ratio = ratioOf(s);
  return {
    statusesOk: s.stats.otherStatuses() === 0 && s.serverCrash === undefined,
    bodiesOk: s.stats.parseFailures === 0,
    memoryOk: ratio !== undefined && ratio <= 1.1,
  };
}

function runLines(s: RunSummary): string[] {
  const { machine, load } = s;
  const rate = load.elapsedMs > 0 ? Math.round(load.requests / (load.elapsedMs / 1000)) : 0;
  const writer = s.writer
    ? `writer: ${Object.entries(s.writer.ops).map(([op, n]) => `${op} ${n}`).join(', ')}; stopped by ${s.writer.reason}; ${s.writer.errors} failed operations`
    : 'writer: no summary received';
  return [
    `corpus: ${s.articles} generated articles; server: ${s.loadedLine || '(no "Loaded" line)'}`,
    `machine: ${machine.cpus} CPUs, 1-min load average ${machine.loadAverageStart.toFixed(1)} at the start of the load, ${machine.loadAverageEnd.toFixed(1)} at its end`,
    `warm-up: ${s.warmup.requests} requests in ${secs(s.warmup.elapsedMs)} s (no writes)`,
    `load: ${load.requests} requests in ${secs(load.elapsedMs)} s with ${s.connections} connections (${rate} req/s)`,
    writer,
  ];
}

function responseLines({ stats, distinctBodies }: RunSummary): string[] {
  const parsed = counts(stats.parsed as Map<string, number>) || 'none';
  return [
    `responses (warm-up + load): ${counts(stats.statuses)}`,
    ...[...stats.byCategory].sort(([a], [b]) => a.localeCompare(b)).map(([category, row]) => `  ${category.padEnd(18)} ${counts(row)}`),
    ...stats.unexpected.map((line) => `  unexpected: ${line}`),
    `parsed 200 bodies: ${parsed} (${distinctBodies} distinct); failures: ${stats.parseFailures}`,
    ...[...stats.failureReasons].map(([reason, n]) => `  ${n} x ${reason}`),
    ...stats.failureExamples.map((line) => `  e.g. ${line}`),
    ...(stats.savedDir ? [`  first failing bodies saved in ${stats.savedDir}`] : []),
    `ETag reused for different bytes (same path): ${stats.etagConflicts}; feed content-type mismatches: ${stats.contentTypeMismatches}`,
  ];
}

function writeEffectLines(s: RunSummary): string[] {
  const out: string[] = [];
  const c = s.convergence;
  if (c) {
    out.push(
      `after the writes: ${c.currentOk}/${c.currentTotal} written articles served as last written (drafts 404), ${c.goneOk}/${c.goneTotal} removed ids gone (404)`,
      ...c.examples.map((line) => `  mismatch: ${line}`),
    );
    if (c.examples.length > 0 && !s.keptLogs) out.push('  (run with --keep to keep writer.log and server.log for diagnosis)');
  }
  const seen = s.visibility;
  const at = (q: number) => seen.latencies[Math.min(seen.latencies.length - 1, Math.floor(q * seen.latencies.length))];
  const spread = seen.latencies.length ? `p50 ${at(0.5)} ms, p90 ${at(0.9)} ms, max ${at(1)} ms` : 'n/a';
  out.push(
    `new articles visible (GET /articles/{id} -> 200) after: ${spread}; ${seen.latencies.filter((ms) => ms > 1000).length} over 1 s, ` +
      `${seen.missed.length} not within 10 s (${seen.probed} probed, ${seen.superseded} removed first)`,
  );
  if (seen.missed.length) out.push(`  not visible: ${seen.missed.slice(0, 5).map((id) => `/articles/${id}`).join(' ')}`);
  return out;
}

function serverLines(s: RunSummary): string[] {
  return [
    `server stderr: ${s.serverStderrLines} lines${s.serverStderrLines ? ' (first and last):' : ''}`,
    ...s.serverStderrSample.map((line) => `  | ${line.length > 200 ? `${line.slice(0, 200)}...` : line}`),
    ...(s.serverCrash ? [`SERVER EXITED DURING THE RUN: ${s.serverCrash}`] : []),
    `server stop: ${s.serverStop}`,
    ...(s.keptLogs ? [`logs and corpus kept in ${s.keptLogs} (writer.log, server.log, articles/)`] : []),
  ];
}

function memoryLines(s: RunSummary): string[] {
  const ratio = ratioOf(s);
  return [
    `memory (VmRSS): start ${mib(s.rssStartKiB)} (after warm-up), end ${mib(s.rssEndKiB)} (after idle), ratio ${ratio?.toFixed(3) ?? 'n/a'}`,
    ...(s.rssDuringKiB.length ? [`  during the load, every 5 s (MiB): ${s.rssDuringKiB.map((k) => (k / 1024).toFixed(0)).join(' ')}`] : []),
  ];
}

function verdictLines(s: RunSummary, v: Verdict): string[] {
  const parsed = [...s.stats.parsed.values()].reduce((a, b) => a + b, 0);
  return [
    `${flag(v.statusesOk)} statuses: ${s.stats.otherStatuses()} responses other than 200/304/404${s.serverCrash ? ', server crashed' : ''}`,
    `${flag(v.bodiesOk)} bodies: ${s.stats.parseFailures} of ${parsed} parsed bodies failed`,
    `${flag(v.memoryOk)} memory: end/start ${ratioOf(s)?.toFixed(3) ?? 'n/a'} (target <= 1.10)`,
  ];
}

/** Prints the counts, the effects of the writes, the memory figures and the PASS/MISS lines to stdout. */
export function printReport(s: RunSummary, v: Verdict): void {
  const sections = [runLines(s), responseLines(s), writeEffectLines(s), serverLines(s), memoryLines(s), verdictLines(s, v)];
  console.log(['', '== load under writes ==', ...sections.flat()].join('\n'));
}
