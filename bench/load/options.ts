import { parseArgs } from 'node:util';

/** Settings of one load-under-writes run, read from the command line. */
export interface LoadOptions {
  /** Articles in the generated corpus. */
  count: number;
  /** Seconds of load while the writer runs. */
  duration: number;
  /** Concurrent HTTP clients (one keep-alive connection each); 0 runs the writer alone, to tell write bugs from load. */
  connections: number;
  /** Seconds of load before the first memory reading (no writes yet). */
  warmup: number;
  /** Idle seconds after the load before the last memory reading. */
  idle: number;
  /** Milliseconds between two writer operations. */
  writeInterval: number;
  /** Upper bound on writer operations. */
  maxWrites: number;
  /** Seed of the corpus, the request mix and the writer. */
  seed: number;
  /** Server entry point, relative to the repository root. */
  serverEntry: string;
  /** Keep the temporary directory (corpus) after the run. */
  keep: boolean;
}

const USAGE = `usage: npm run bench:load -- [--count 2000] [--duration 30] [--connections 32] [--warmup 3] [--idle 15]
                          [--write-interval 25] [--max-writes 5000] [--seed 1] [--server-entry src/cli.ts] [--keep]`;

function toNumber(name: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < min || n > max) throw new Error(`--${name} must be a number in [${min}, ${max}], got ${value}\n${USAGE}`);
  return n;
}

function parseArgsOrThrow(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      options: {
        count: { type: 'string', default: '2000' },
        duration: { type: 'string', default: '30' },
        connections: { type: 'string', default: '32' },
        warmup: { type: 'string', default: '3' },
        // V8 gives memory back after some idle seconds; 5 s was too short to see it (ratio 1.104 vs 1.079).
        idle: { type: 'string', default: '15' },
        'write-interval': { type: 'string', default: '25' },
        'max-writes': { type: 'string', default: '5000' },
        seed: { type: 'string', default: '1' },
        'server-entry': { type: 'string', default: 'src/cli.ts' },
        keep: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
}

/**
 * Parses the command line of `bench/load-writes.ts`; throws with the usage text on a bad option.
 * @example parseLoadOptions(['--duration', '10']).duration === 10
 */
export function parseLoadOptions(argv: string[]): LoadOptions {
  const { values } = parseArgsOrThrow(argv);
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  return {
    count: Math.floor(toNumber('count', values.count, 50, 200_000)),
    duration: toNumber('duration', values.duration, 1, 3600),
    connections: Math.floor(toNumber('connections', values.connections, 0, 1024)),
    warmup: toNumber('warmup', values.warmup, 0, 600),
    idle: toNumber('idle', values.idle, 0, 600),
    writeInterval: toNumber('write-interval', values['write-interval'], 1, 60_000),
    maxWrites: Math.floor(toNumber('max-writes', values['max-writes'], 0, 1_000_000)),
    seed: Math.floor(toNumber('seed', values.seed, 0, 2 ** 31)),
    serverEntry: values['server-entry'],
    keep: values.keep,
  };
}
