/** Renders rows as a Markdown table with padded columns (readable in a terminal and pasteable into RESULTS.md). */
export function renderTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : `:${'-'.repeat(w + 1)}`)).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Formats a count with thousands separators, or an em dash when missing. */
export function formatCount(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '—' : Math.round(value).toLocaleString('en-US');
}

/** Formats milliseconds with two significant decimals below 10 ms, one below 100 ms, none above. */
export function formatMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0);
}

/** Formats bytes as decimal megabytes. */
export function formatMB(bytes: number | undefined): string {
  return bytes === undefined ? '—' : (bytes / 1e6).toFixed(0);
}

/** Formats a ratio as e.g. `0.62×` or `35×`. */
export function formatRatio(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return `${value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0)}×`;
}
