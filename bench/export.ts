// `npm run bench:export`: times the static export of a generated corpus (every tag's feeds in three
// formats, the pages and the OPML), a re-export after one article changed, and, when `hugo` is
// installed, Hugo building the same outputs (../shared/hugo-like, the main reference) and Hugo's
// RSS-only build (the earlier reference); prints the times and their ratios. See the usage text below.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { installChildCleanup } from './lib/child.ts';
import { ensureCorpus, parseSize } from './lib/corpus.ts';
import { repoRoot } from './lib/paths.ts';
import { ourServerCommand } from './lib/server-process.ts';
import { FEED_LIMIT, writeHugoContent, writeLikeForLikeSite, writeRssOnlySite } from './export/hugo-site.ts';
import { median, timeCommand } from './export/timing.ts';

const USAGE = `usage: npm run bench:export -- [options]
  --size N        corpus size: 10k (default), 1k, 2500, ...
  --runs N        timed runs of each build, interleaved; medians are reported (default 3)
  --jobs N        threads for our export (default: the export's own choice)
  --help          show this text
Hugo's like-for-like site is read from ../shared/hugo-like (or $HUGO_LIKE_DIR).`;

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

  // Our export reads a copy of the corpus, so that one article can be changed between exports.
  const articles = path.join(work, 'articles');
  await cp(corpus.dir, articles, { recursive: true, preserveTimestamps: true });
  const names = (await readdir(articles)).filter((n) => n.endsWith('.txt') || n.endsWith('.md')).sort();
  // `npm run export` runs the bundle `npm start` runs (scripts/start.mjs), built here once before timing.
  const command = ourServerCommand(undefined);
  const exportArgs = (out: string) => [...command, 'export', '--out', out, '--articles-dir', articles,
    '--feed-limit', String(FEED_LIMIT), ...(values.jobs ? ['--jobs', values.jobs] : [])];
  const env = { ...process.env, CI: 'true' };
  const hugoLikeDir = process.env.HUGO_LIKE_DIR ?? path.resolve(repoRoot, '../shared/hugo-like');
  const content = path.join(work, 'hugo-content');
  const likeSite = path.join(work, 'hugo-like');
  const rssSite = path.join(work, 'hugo-rss');
  if (hugo) {
    const pages = await writeHugoContent(corpus.dir, content);
    await writeLikeForLikeSite(hugoLikeDir, likeSite);
    await writeRssOnlySite(rssSite);
    log(`hugo sites: ${pages} content files in ${content}; like for like from ${hugoLikeDir}`);
  }
  const hugoBuild = (site: string, out: string) => timeCommand('hugo', hugo!.binary, ['--quiet', '--source', site, '--contentDir', content, '--destination', out]);
  /**
   * Adds a paragraph before the tag line of one article (a different one each run): one changed article.
   * It is one with a front-matter date: an article dated by its file's mtime moves to the top of every
   * list when edited, which rewrites every page and archive after its old place (correctly, and a
   * different case: the new article below).
   */
  const changeOneArticle = async (run: number) => {
    for (let i = run * 997; ; i++) {
      const file = path.join(articles, names[i % names.length]!);
      const text = await readFile(file, 'utf8');
      if (!/^---\n(?:.*\n)*?date: .*\n(?:.*\n)*?---\n/u.test(text)) continue;
      const lines = text.trimEnd().split('\n');
      lines.splice(lines.length - 1, 0, '', `Edited in bench run ${run}.`, '');
      await writeFile(file, `${lines.join('\n')}\n`);
      return;
    }
  };
  /** Writes a new article dated now (by its file's mtime), tagged with two existing tags and a new one. */
  const addOneArticle = (run: number) => writeFile(path.join(articles, `bench-new-${run}.txt`), `A new article of run ${run}\n\nDated now.\n#Venezuela #Travel #BenchRun${run}\n`);

  const ours: number[] = [];
  const again: number[] = [];
  const added: number[] = [];
  let addedSummary = '';
  const like: number[] = [];
  const rss: number[] = [];
  let summary = '';
  let againSummary = '';
  const exported = (output: string) => /^Exported .*$/mu.exec(output)?.[0] ?? '';
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  for (let run = 1; run <= runs; run++) {
    // Each build writes to a folder of its own, so neither finds the other's or an earlier run's files;
    // the order alternates, so that neither always runs right after the other's file creation.
    const out = path.join(work, `ours-${run}`);
    // A fresh article cache (STATE_DIR) for each full export: it is timed cold, as a first export is;
    // the re-export uses the cache its full export left, as a user's second export does.
    const runEnv = { ...env, STATE_DIR: path.join(work, `state-${run}`) };
    const timeOurs = async () => {
      const timed = await timeCommand('export', process.execPath, exportArgs(out), { cwd: repoRoot, env: runEnv });
      ours.push(timed.ms);
      summary = exported(timed.output);
      log(`run ${run}: our export ${seconds(timed.ms)} (${summary})`);
      await changeOneArticle(run);
      const second = await timeCommand('export again', process.execPath, exportArgs(out), { cwd: repoRoot, env: runEnv });
      again.push(second.ms);
      againSummary = exported(second.output);
      log(`run ${run}: our export again after one article changed: ${seconds(second.ms)} (${againSummary})`);
      await addOneArticle(run);
      const third = await timeCommand('export after a new article', process.execPath, exportArgs(out), { cwd: repoRoot, env: runEnv });
      added.push(third.ms);
      addedSummary = exported(third.output);
      log(`run ${run}: our export again after one new article: ${seconds(third.ms)} (${addedSummary})`);
    };
    const timeHugo = async () => {
      if (!hugo) return;
      const a = await hugoBuild(likeSite, path.join(work, `hugo-like-${run}`));
      like.push(a.ms);
      log(`run ${run}: hugo like for like ${seconds(a.ms)}`);
      const b = await hugoBuild(rssSite, path.join(work, `hugo-rss-${run}`));
      rss.push(b.ms);
      log(`run ${run}: hugo RSS only ${seconds(b.ms)}`);
    };
    if (run % 2 === 1) {
      await timeOurs();
      await timeHugo();
    } else {
      await timeHugo();
      await timeOurs();
    }
    // Outputs are removed only at the end: ext4 makes creating files slower for a while after a big
    // deletion (it avoids reusing recently freed inodes), which would tax whichever build came next.
  }
  const loadAfter = os.loadavg().map((l) => l.toFixed(2)).join(' ');

  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const row = (name: string, values: number[]) => console.log(`| ${name} | ${seconds(median(values))} | ${values.map(seconds).join(', ')} |`);
  console.log(`\nCorpus: ${corpus.count} articles (${corpus.dir}); feeds of ${FEED_LIMIT} items.`);
  console.log(`Machine: nproc ${os.availableParallelism()}, ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}${hugo ? `, ${hugo.version}` : ''}.`);
  console.log(`Load average before / after: ${loadBefore} / ${loadAfter}.`);
  console.log(`Runs: ${runs}, alternated; medians below.\n`);
  console.log('| build | median | runs |');
  console.log('|---|---|---|');
  row('our export: site + every tag in RSS, Atom and JSON Feed, every page, OPML', ours);
  row('our export again, after one article changed (incremental)', again);
  row('our export again, after one new article dated now (incremental)', added);
  if (hugo) {
    row('Hugo like for like (../shared/hugo-like): RSS with full content, Atom, JSON Feed, every page', like);
    row('Hugo RSS only: RSS per tag, home and section, HTML per tag and article', rss);
  }
  console.log(`\nOur last export: ${summary}`);
  console.log(`Our last re-export after one change: ${againSummary}`);
  console.log(`Our last re-export after one new article: ${addedSummary}`);
  const ratio = (name: string, a: number[], b: number[]) => {
    const r = median(a) / median(b);
    const each = a.map((v, i) => (v / b[i]!).toFixed(3)).join(', ');
    console.log(`Ratio ${name}: ${r.toFixed(3)} (medians; per run: ${each})`);
  };
  console.log('');
  ratio('re-export after one change / full export', again, ours);
  ratio('re-export after one new article / full export', added, ours);
  if (hugo) {
    ratio('ours / Hugo like for like', ours, like);
    ratio('ours / Hugo RSS only', ours, rss);
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
