import type { LoadFigure } from './load.ts';
import type { ClassId, SizeResult } from './results.ts';
import { formatMs, formatRatio } from './table.ts';

/** One evaluated target. */
export interface TargetLine {
  status: 'PASS' | 'MISS' | 'n/a';
  text: string;
}

const FEED_CLASSES: ClassId[] = ['site', 'large', 'mid', 'small'];

function check(ok: boolean, text: string): TargetLine {
  return { status: ok ? 'PASS' : 'MISS', text };
}

function valid(f: LoadFigure | undefined): f is LoadFigure {
  return f !== undefined && f.unexpected === 0 && f.requests > 0;
}

function ratioTarget(label: string, ours: LoadFigure | undefined, other: LoadFigure | undefined,
  pick: (f: LoadFigure) => number, limit: number, atLeast: boolean): TargetLine {
  const goal = `${atLeast ? '≥' : '≤'} ${limit}×`;
  if (!valid(ours) || !valid(other)) return check(false, `${label} ${goal}: not measured cleanly`);
  const r = pick(ours) / pick(other);
  // Three digits where two would read as the limit itself (0.899 is not "0.90×" on a 0.9× target).
  const shown = formatRatio(r) === formatRatio(limit) && r !== limit ? `${r.toFixed(3)}×` : formatRatio(r);
  return check(atLeast ? r >= limit : r <= limit, `${label} ${goal} (${shown})`);
}

function throughputTargets(r: SizeResult): TargetLine[] {
  const lines: TargetLine[] = [];
  for (const id of FEED_CLASSES) {
    const [ours, naive, nginx] = [r.ours.load[id], r.naive.load[id], r.nginx?.load[id]];
    const name = `${r.size.label} ${r.labels[id]}:`;
    lines.push(ratioTarget(`${name} req/s vs nginx`, ours, nginx, (f) => f.rps, 0.5, true));
    lines.push(ratioTarget(`${name} req/s vs naive`, ours, naive, (f) => f.rps, 20, true));
    lines.push(ratioTarget(`${name} p99 vs nginx p99`, ours, nginx, (f) => f.p99Ms, 2, false));
  }
  lines.push(ratioTarget(`${r.size.label} 304 answers: rate vs nginx 304 rate`, r.ours.load['304'], r.nginx?.load['304'],
    (f) => f.rps, 0.5, true));
  return lines;
}

/** Every class, the cached archive and the 304s included: what the floor server answers too. */
const FLOOR_CLASSES: ClassId[] = [...FEED_CLASSES, 'archive', '304'];

/**
 * Each class at ≥ 0.9× the node floor's req/s (bench/floor/server.ts: the same bytes from memory and
 * nothing else), both the best of the same interleaved rounds.
 */
function floorTargets(r: SizeResult): TargetLine[] {
  if (!r.floor) return [{ status: 'n/a', text: `${r.size.label} req/s vs node floor ≥ 0.9× (floor not run)` }];
  return FLOOR_CLASSES.map((id) => ratioTarget(`${r.size.label} ${r.labels[id]}: req/s vs node floor`, r.ours.load[id], r.floor!.load[id], (f) => f.rps, 0.9, true));
}

/**
 * Evaluates the issue's targets: at 10k every feed class ≥ 0.5× nginx and ≥ 20× naive
 * req/s with p99 ≤ 2× nginx, 304s ≥ 0.5× nginx's, every class (archive and 304s too) ≥ 0.9× the node floor; at 100k first feed < 3 s and peak
 * RSS < 400 MB, and < 400 MiB during a crawl of every archive; a new article visible in < 1 s (on
 * every size run). Sizes not run are n/a.
 */
export function evaluateTargets(results: SizeResult[]): TargetLine[] {
  const at = (count: number): SizeResult | undefined => results.find((r) => r.size.count === count);
  const lines: TargetLine[] = [];
  const r10k = at(10_000);
  if (r10k) lines.push(...throughputTargets(r10k), ...floorTargets(r10k));
  else lines.push({ status: 'n/a', text: '10k throughput and latency targets (10k not run)' });
  const r100k = at(100_000);
  if (r100k) {
    const first = r100k.ours.firstFeedMs;
    lines.push(check(first !== undefined && first < 3000, `100k first feed < 3 s (${formatMs(first)} ms)`));
    const rss = r100k.ours.peakRssBytes;
    lines.push(check(rss !== undefined && rss < 400e6, `100k peak RSS < 400 MB (${rss === undefined ? '—' : (rss / 1e6).toFixed(0)} MB)`));
    const crawl = r100k.ours.crawl;
    if (crawl) {
      const peak = crawl.peakRssBytes;
      const whole = crawl.documents === crawl.planned ? '' : `, only ${crawl.documents} of ${crawl.planned} documents crawled`;
      lines.push(check(peak !== undefined && peak < 400 * 2 ** 20 && whole === '',
        `100k peak RSS during a crawl of every archive < 400 MiB (${peak === undefined ? '—' : (peak / 2 ** 20).toFixed(0)} MiB${whole})`));
    } else {
      lines.push({ status: 'n/a', text: '100k peak RSS during a crawl of every archive < 400 MiB (crawl not run at 100k)' });
    }
  } else {
    lines.push({ status: 'n/a', text: '100k first feed < 3 s and peak RSS < 400 MB (100k not run)' });
  }
  const fresh = results.map((r) => `${r.size.label}: ${r.ours.newArticleMs === undefined ? 'not seen in 10 s' : `${formatMs(r.ours.newArticleMs)} ms`}`);
  const allFresh = results.length > 0 && results.every((r) => r.ours.newArticleMs !== undefined && r.ours.newArticleMs < 1000);
  lines.push(check(allFresh, `new article visible in its tag feed < 1 s (${fresh.join(', ')})`));
  return lines;
}
