import type { LoadFigure } from './load.ts';
import type { ClassId, SizeResult } from './results.ts';
import { formatCount, formatMB, formatMs, formatRatio, renderTable } from './table.ts';

const CLASS_ORDER: ClassId[] = ['site', 'large', 'mid', 'small', 'archive', '304'];

function ratio(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined || b === 0 ? undefined : a / b;
}

function flagged(text: string, figure: LoadFigure | undefined): string {
  return figure && figure.unexpected > 0 ? `${text}!` : text;
}

/**
 * Renders all sizes as ONE table: per size, startup, peak RSS, req/s and p99 for
 * each class, and new-article latency, with our figures as ratios to naive and nginx.
 * A trailing `!` marks a load run that saw errors or unexpected statuses (see notes).
 */
export function renderResults(results: SizeResult[]): string {
  const rows: string[][] = [];
  for (const r of results) {
    const s = r.size.label;
    rows.push([s, 'first feed after spawn (ms)', formatMs(r.ours.firstFeedMs), formatMs(r.naive.firstFeedMs), '—', '—',
      formatRatio(ratio(r.ours.firstFeedMs, r.naive.firstFeedMs)), '—', '—']);
    rows.push([s, 'peak RSS, VmHWM (MB)', formatMB(r.ours.peakRssBytes), formatMB(r.naive.peakRssBytes), '—', '—',
      formatRatio(ratio(r.ours.peakRssBytes, r.naive.peakRssBytes)), '—', '—']);
    for (const id of CLASS_ORDER) {
      const [ours, naive, nginx, floor] = [r.ours.load[id], r.naive.load[id], r.nginx?.load[id], r.floor?.load[id]];
      if (!ours && !naive && !nginx && !floor) continue;
      rows.push([s, `${r.labels[id]}: req/s`, flagged(formatCount(ours?.rps), ours), flagged(formatCount(naive?.rps), naive),
        flagged(formatCount(nginx?.rps), nginx), flagged(formatCount(floor?.rps), floor), formatRatio(ratio(ours?.rps, naive?.rps)),
        formatRatio(ratio(ours?.rps, nginx?.rps)), formatRatio(ratio(ours?.rps, floor?.rps))]);
      rows.push([s, `${r.labels[id]}: p99 (ms)`, formatMs(ours?.p99Ms), formatMs(naive?.p99Ms), formatMs(nginx?.p99Ms), formatMs(floor?.p99Ms),
        formatRatio(ratio(ours?.p99Ms, naive?.p99Ms)), formatRatio(ratio(ours?.p99Ms, nginx?.p99Ms)), formatRatio(ratio(ours?.p99Ms, floor?.p99Ms))]);
    }
    rows.push([s, 'new article in its tag feed (ms)', r.ours.newArticleMs === undefined ? 'timeout' : formatMs(r.ours.newArticleMs),
      '—', '—', '—', '—', '—', '—']);
    const crawl = r.ours.crawl;
    if (crawl) {
      const what = `archive crawl, cold: ${crawl.documents === crawl.planned ? '' : `${crawl.documents} of `}${crawl.planned} docs (${crawl.formats.join('/')})`;
      rows.push([s, `${what}: time (s)`, crawl.seconds.toFixed(1), '—', '—', '—', '—', '—', '—']);
      rows.push([s, `${what}: peak RSS, VmHWM (MB)`, formatMB(crawl.peakRssBytes), '—', '—', '—', '—', '—', '—']);
    }
  }
  const header = ['size', 'measure', 'ours', 'naive', 'nginx', 'node floor', 'ours/naive', 'ours/nginx', 'ours/floor'];
  return renderTable(header, rows, [false, false, true, true, true, true, true, true, true]);
}
