// Benchmark entry point (`npm run bench`): see bench/README.md.
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseOptions, USAGE } from './lib/args.ts';
import { installChildCleanup } from './lib/child.ts';
import { measureSize } from './lib/measure-size.ts';
import { findNginx, NGINX_WORKERS } from './lib/nginx.ts';
import { renderResults } from './lib/report.ts';
import type { SizeResult } from './lib/results.ts';
import { evaluateTargets } from './lib/targets.ts';

const log = (line: string): void => console.error(line);

async function main(): Promise<number> {
  installChildCleanup();
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const nginx = findNginx();
  if (!nginx) log('warning: nginx not found (set NGINX=/path/to/nginx); nginx columns and targets will be missing');
  const { connections, durationS, warmupS, tool } = options.load;
  const results: SizeResult[] = [];
  for (const size of options.sizes) results.push(await measureSize(size, options.load, options.rounds, options.instances, nginx, log, options.crawl));

  console.log(`\nNode ${process.version}, ${os.cpus().length} CPUs, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB RAM; `
    + `${tool.name === 'wrk' ? 'wrk -t1' : 'autocannon'} ${connections} connections, ${durationS} s per class (+${warmupS} s warm-up), best of ${options.rounds} rounds alternated${options.instances > 1 ? `, ours and the floor the median of ${options.instances} pairs` : ''}, `
    + `each connection rotating rss/atom/json; nginx worker_processes ${NGINX_WORKERS}; ${new Date().toISOString()}\n`);
  console.log(renderResults(results));
  const notes = results.flatMap((r) => r.notes.map((n) => `${r.size.label}: ${n}`));
  if (notes.length > 0) console.log(`\nNotes:\n${notes.map((n) => `  - ${n}`).join('\n')}`);
  const targets = evaluateTargets(results);
  console.log(`\nTargets:\n${targets.map((t) => `  ${t.status.padEnd(4)}  ${t.text}`).join('\n')}`);
  if (options.json) await writeFile(options.json, `${JSON.stringify({ options, results, targets }, null, 2)}\n`);
  return options.strict && targets.some((t) => t.status === 'MISS') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
