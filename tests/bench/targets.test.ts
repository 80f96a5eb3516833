import { afterEach, describe, expect, it } from 'vitest';
import { boundedOption, parseOptions } from '../../bench/lib/args.ts';
import type { LoadFigure } from '../../bench/lib/load.ts';
import { medianPair } from '../../bench/lib/measure-size.ts';
import type { ClassId, SizeResult } from '../../bench/lib/results.ts';
import { evaluateTargets } from '../../bench/lib/targets.ts';

const IDS: ClassId[] = ['site', 'large', 'mid', 'small', 'archive', '304'];

function figure(rps: number): LoadFigure {
  return { rps, p99Ms: 1, requests: rps * 5, unexpected: 0, detail: '' };
}

/** A 10k result where ours answers `ours[id]` req/s and the floor 1000 in every class. */
function result(ours: Partial<Record<ClassId, number>>, withFloor = true): SizeResult {
  const all = (rps: (id: ClassId) => number) => Object.fromEntries(IDS.map((id) => [id, figure(rps(id))])) as Record<ClassId, LoadFigure>;
  return {
    size: { label: '10k', count: 10_000 },
    labels: Object.fromEntries(IDS.map((id) => [id, id])) as Record<ClassId, string>,
    ours: { load: all((id) => ours[id] ?? 1000) },
    naive: { load: all(() => 10) },
    nginx: { load: all(() => 1000) },
    floor: withFloor ? { load: all(() => 1000) } : undefined,
    notes: [],
  } as SizeResult;
}

const floorLines = (r: SizeResult) => evaluateTargets([r]).filter((t) => t.text.includes('node floor'));

describe('the node floor targets of npm run bench', () => {
  it('checks every class, the archive and the 304s too, at 0.9x of the floor', () => {
    const lines = floorLines(result({ '304': 899, archive: 900 }));
    expect(lines).toHaveLength(6);
    expect(lines.find((t) => t.text.startsWith('10k 304:'))).toMatchObject({ status: 'MISS', text: expect.stringContaining('(0.899×)') });
    expect(lines.find((t) => t.text.startsWith('10k archive:'))?.status).toBe('PASS');
    expect(lines.filter((t) => t.status === 'PASS')).toHaveLength(5);
  });

  it('is n/a when the floor was not run', () => {
    expect(floorLines(result({}, false))).toEqual([{ status: 'n/a', text: '10k req/s vs node floor ≥ 0.9× (floor not run)' }]);
  });
});

describe('npm run bench --rounds', () => {
  it('defaults to 2 and takes 1 to 10', () => {
    expect(parseOptions(['--tool', 'autocannon'])?.rounds).toBe(2);
    expect(parseOptions(['--tool', 'autocannon', '--rounds', '5'])?.rounds).toBe(5);
    for (const bad of ['0', '11', '2.5', 'x']) expect(() => parseOptions(['--tool', 'autocannon', '--rounds', bad])).toThrow(/--rounds/);
  });
});

describe('npm run bench --instances', () => {
  it('defaults to 1 and takes 1 to 5', () => {
    expect(parseOptions(['--tool', 'autocannon'])?.instances).toBe(1);
    expect(parseOptions(['--tool', 'autocannon', '--instances', '3'])?.instances).toBe(3);
    for (const bad of ['0', '6', '1.5']) expect(() => parseOptions(['--tool', 'autocannon', '--instances', bad])).toThrow(/--instances/);
  });

  it('keeps, per class, the pair whose ours/floor is the median (the lower middle one of an even count)', () => {
    const pair = (ours: number, floor: number) => ({ ours: { site: figure(ours) }, floor: { site: figure(floor) } });
    // Ratios 0.5, 0.8, 1.0: the 0.8 pair, though neither of its figures is the median of its column.
    const odd = medianPair([pair(500, 1000), pair(900, 900), pair(400, 500)]);
    expect([odd.ours.site?.rps, odd.floor.site?.rps]).toEqual([400, 500]);
    const even = medianPair([pair(1, 1), pair(3, 4), pair(1, 4), pair(1, 2)]);
    expect([even.ours.site?.rps, even.floor.site?.rps]).toEqual([1, 2]);
  });
});

describe('boundedOption (the single-purpose bench scripts)', () => {
  const argv = [...process.argv];
  afterEach(() => {
    process.argv.splice(0, process.argv.length, ...argv);
  });

  it('reads --name, falls back, and refuses a value out of range or not whole when asked', () => {
    expect(boundedOption('rounds', '3', 1, 10)).toBe(3);
    process.argv.push('--rounds', '2.5');
    expect(boundedOption('rounds', '3', 1, 10)).toBe(2.5);
    expect(() => boundedOption('rounds', '3', 1, 10, true)).toThrow('--rounds must be a whole number from 1 to 10');
    process.argv.push('--copies', '9');
    expect(() => boundedOption('copies', '4', 2, 8, true)).toThrow('--copies must be a whole number from 2 to 8');
  });
});
