// `npm run bench:export`: times the static export of a generated corpus (every tag's feeds in three
// formats, the pages and the OPML) and, when `hugo` is installed, Hugo building the same corpus with an
// RSS feed per tag; prints both times and their ratio. See the usage text below.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { installChildCleanup } from './lib/child.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { repoRoot } from './lib/paths.ts';
import { FEED_LIMIT, writeHugoSite } from './export/hugo-site.ts';
import { median, timeCommand } from './export/timing.ts';

const USAGE = `usage: npm run bench:export -- [options]
  --size N        corpus size: 10k (default), 1k, 2500, ...
  --runs N        timed runs of each build, interleaved; medians are reported (default 3)
  --jobs N        threads for our export (default: the export's own choice)
  --help          show this text`;

const log = (line: string): void => console.error(line);

/** Finds the hugo binary on the PATH (or $HUGO); undefined when it is not installed. */
function findHugo(): { binary: string; version: string } | undefined {
  const binary = process.env.HUGO ?? 'hugo';
  const run = spawnSync(binary, ['version'], { encoding: 'utf8', timeout: 10_000 });
  return run.status === 0 ? { binary, version: run.stdout.trim() } : undefined;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<number> {
  installChildCleanup();
  const { values } = parseArgs({ options: { size: { type: 'string', default: '10k' }, runs: { type: 'string', default: '3' }, jobs: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const runs = Math.max(1, Math.min(20, Number(values.runs) || 3));
  const corpus = await ensureCorpus(parseSize(values.size!), log);
  const work = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-export-'));
  process.once('exit', () => rmSync(work, { recursive: true, force: true }));
  const hugo = findHugo();
  if (!hugo) log('hugo not found (install it or set HUGO=/path/to/hugo): timing our export only');

  const exportArgs = (out: string) => ['--import', 'tsx', 'src/cli.ts', 'export', '--out', out, '--articles-dir', corpus.dir,
    '--feed-limit', String(FEED_LIMIT), ...(values.jobs ? ['--jobs', values.jobs] : [])];
  const env = { ...process.env, CI: 'true' };
  let hugoSite: string | undefined;
  if (hugo) {
    hugoSite = path.join(work, 'hugo-site');
    const pages = await writeHugoSite(corpus.dir, hugoSite);
    log(`hugo site: ${pages} content files in ${hugoSite}`);
  }

  const ours: number[] = [];
  const theirs: number[] = [];
  let summary = '';
  let again = '';
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  for (let run = 1; run <= runs; run++) {
    // Each build writes to a folder of its own, so neither finds the other's or an earlier run's files.
    const out = path.join(work, `ours-${run}`);
    const timed = await timeCommand('export', process.execPath, exportArgs(out), { cwd: repoRoot, env });
    ours.push(timed.ms);
    summary = /^Exported .*$/mu.exec(timed.output)?.[0] ?? '';
    log(`run ${run}: our export ${seconds(timed.ms)} (${summary})`);
    if (run === 1) {
      const second = await timeCommand('export again', process.execPath, exportArgs(out), { cwd: repoRoot, env });
      again = `${seconds(second.ms)} (${/^Exported .*$/mu.exec(second.output)?.[0] ?? ''})`;
      log(`run ${run}: our export again, nothing changed: ${again}`);
    }
    if (hugo && hugoSite) {
      const hugoTimed = await timeCommand('hugo', hugo.binary, ['--quiet', '--source', hugoSite, '--destination', path.join(work, `hugo-${run}`)]);
      theirs.push(hugoTimed.ms);
      log(`run ${run}: hugo ${seconds(hugoTimed.ms)}`);
    }
    // Outputs are removed only at the end: ext4 makes creating files slower for a while after a big
    // deletion (it avoids reusing recently freed inodes), which would tax whichever build came next.
  }
  const loadAfter = os.loadavg().map((l) => l.toFixed(2)).join(' ');

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`\nCorpus: ${corpus.count} articles (${corpus.dir}); feeds of ${FEED_LIMIT} items.`);
  console.log(`Machine: nproc ${os.availableParallelism()}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}${hugo ? `, ${hugo.version}` : ''}.`);
  console.log(`Load average before / after: ${loadBefore} / ${loadAfter}.`);
  console.log(`Runs: ${runs}, interleaved; medians below.\n`);
  console.log('| build | median | runs |');
  console.log('|---|---|---|');
  console.log(`| our export: site + every tag in RSS, Atom and JSON Feed, every page, OPML | ${seconds(median(ours))} | ${ours.map(seconds).join(', ')} |`);
  if (hugo) console.log(`| Hugo: RSS per tag, home and section, HTML per tag and article | ${seconds(median(theirs))} | ${theirs.map(seconds).join(', ')} |`);
  console.log(`\nOur last export: ${summary}`);
  console.log(`Our export again with nothing changed: ${again}`);
  if (hugo) {
    const ratio = median(ours) / median(theirs);
    console.log(`\nRatio ours / Hugo: ${ratio.toFixed(2)} (${ratio < 1 ? `ours is ${(1 / ratio).toFixed(2)}× faster` : `Hugo is ${ratio.toFixed(2)}× faster`}).`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
