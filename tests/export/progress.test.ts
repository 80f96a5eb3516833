import { describe, expect, it } from 'vitest';
import { createProgress, showProgress } from '../../src/export/progress.ts';

const stream = (isTTY: boolean) => {
  const written: string[] = [];
  return { written, stream: { isTTY, write: (s: string) => written.push(s) } as unknown as NodeJS.WriteStream };
};

describe('showProgress', () => {
  it('shows progress on a terminal, and not in CI or in a pipe', () => {
    expect(showProgress(stream(true).stream, {})).toBe(true);
    expect(showProgress(stream(true).stream, { CI: 'true' })).toBe(false);
    expect(showProgress(stream(true).stream, { CI: 'false' })).toBe(true);
    expect(showProgress(stream(false).stream, {})).toBe(false);
  });
});

describe('createProgress', () => {
  it('redraws one line and erases it when done', () => {
    const out = stream(true);
    const progress = createProgress({ stream: out.stream, enabled: true });
    progress.update(() => 'Exporting: 10 files');
    progress.update(() => 'Exporting: 11 files'); // within 100 ms of the last redraw: skipped
    progress.done();
    expect(out.written).toEqual(['\r\x1b[2KExporting: 10 files', '\r\x1b[2K']);
  });

  it('writes nothing when disabled', () => {
    const out = stream(true);
    const progress = createProgress({ stream: out.stream, enabled: false });
    progress.update(() => 'Exporting');
    progress.done();
    expect(out.written).toEqual([]);
  });
});
