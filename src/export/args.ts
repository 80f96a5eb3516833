/** The export command's own flag, `--out DIR`, taken out of the arguments; the rest are config flags. */
import { ConfigError } from '../config.ts';

/** Where the export goes when `--out` is not given. */
export const DEFAULT_OUT_DIR = 'dist';

/** The output folder, the thread count if given, and the arguments left for `readConfig`. */
export interface ExportArgs {
  out: string;
  jobs?: number;
  rest: string[];
}

/**
 * Splits `--out DIR` and `--jobs N` (or `--out=DIR`, `--jobs=N`) from the other arguments; throws
 * `ConfigError` on a missing or bad value.
 * @example parseExportArgs(['--out', 'site', '--feed-limit', '20']) // { out: 'site', rest: ['--feed-limit', '20'] }
 */
export function parseExportArgs(argv: readonly string[]): ExportArgs {
  let out: string | undefined;
  let jobs: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const flag = arg.split('=', 1)[0];
    if (flag !== '--out' && flag !== '--jobs') {
      rest.push(arg);
      continue;
    }
    const value = arg === flag ? argv[++i] : arg.slice(flag.length + 1);
    if (value === undefined || value === '' || value.startsWith('--')) throw new ConfigError(`${flag} needs a value`);
    if (flag === '--out') {
      out = value;
    } else {
      if (!/^\d+$/u.test(value) || Number(value) < 1 || Number(value) > 64) throw new ConfigError(`--jobs=${value}: expected a whole number from 1 to 64`);
      jobs = Number(value);
    }
  }
  return { out: out ?? DEFAULT_OUT_DIR, jobs, rest };
}
