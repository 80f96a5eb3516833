import { describe, expect, it } from 'vitest';
import { parseExportArgs } from '../../src/export/args.ts';
import { ConfigError } from '../../src/config.ts';

describe('parseExportArgs', () => {
  it('takes --out and --jobs out and leaves the config flags', () => {
    expect(parseExportArgs(['--out', 'site', '--feed-limit', '20', '--jobs=2', '--base-url=https://x.example'])).toEqual({
      out: 'site',
      jobs: 2,
      rest: ['--feed-limit', '20', '--base-url=https://x.example'],
    });
  });

  it('exports to dist when no folder is given', () => {
    expect(parseExportArgs([])).toEqual({ out: 'dist', jobs: undefined, rest: [] });
  });

  it('rejects --out without a folder and --jobs without a whole number', () => {
    expect(() => parseExportArgs(['--out'])).toThrow(ConfigError);
    expect(() => parseExportArgs(['--out', '--feed-limit', '3'])).toThrow(ConfigError);
    expect(() => parseExportArgs(['--jobs', 'many'])).toThrow(/--jobs/);
    expect(() => parseExportArgs(['--jobs=0'])).toThrow(/--jobs/);
  });
});
