import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { AutocannonRequest } from 'autocannon';
import { spawnTracked, stopChild } from './child.ts';
import type { LoadFigure, LoadSettings } from './load.ts';

/** Finds the wrk binary: $WRK, /usr/bin/wrk or /usr/local/bin/wrk; undefined if none. */
export function findWrk(): string | undefined {
  return [process.env.WRK, '/usr/bin/wrk', '/usr/local/bin/wrk'].find((c): c is string => !!c && existsSync(c));
}

/** Renders a wrk Lua script cycling through `requests` and printing a JSON summary line at the end. */
export function renderWrkScript(requests: AutocannonRequest[]): string {
  // JSON string literals are valid Lua string literals for the ASCII paths and ETags used here.
  const entries = requests.map((r) => {
    const headers = Object.entries(r.headers ?? {}).map(([k, v]) => `[${JSON.stringify(k)}]=${JSON.stringify(v)}`).join(', ');
    return `  { ${JSON.stringify(r.path ?? '/')}, { ${headers} } },`;
  });
  return `local specs = {
${entries.join('\n')}
}
local built = nil
local i = 0
request = function()
  if built == nil then
    built = {}
    for k, s in ipairs(specs) do built[k] = wrk.format("GET", s[1], s[2]) end
  end
  i = i % #built + 1
  return built[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCHJSON {"requests":%d,"durationUs":%d,"p99Us":%.1f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\\n',
    summary.requests, summary.duration, latency:percentile(99), e.connect, e.read, e.write, e.status, e.timeout))
end
`;
}

interface WrkSummary {
  requests: number; durationUs: number; p99Us: number;
  connect: number; read: number; write: number; status: number; timeout: number;
}

async function runWrkOnce(binary: string, baseUrl: string, script: string, connections: number, seconds: number): Promise<WrkSummary> {
  const child = spawnTracked('wrk', binary, ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '-s', script, baseUrl]);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), (seconds + 30) * 1000);
  });
  const code = await Promise.race([child.exited, timeout]);
  clearTimeout(timer);
  if (code === 'timeout') await stopChild(child, 1000);
  const line = /^BENCHJSON (.*)$/m.exec(child.output());
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}):\n${child.output()}`);
  return JSON.parse(line[1]!) as WrkSummary;
}

/**
 * Runs wrk (one thread, the same connection count) after an unmeasured warm-up.
 * wrk cannot tell 200 from 304 without a slow per-response hook, so only socket
 * errors, timeouts and statuses ≥ 400 count as unexpected here.
 */
export async function runWrk(binary: string, baseUrl: string, requests: AutocannonRequest[], settings: LoadSettings): Promise<LoadFigure> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tagfeeds-bench-wrk-'));
  try {
    const script = path.join(dir, 'requests.lua');
    await writeFile(script, renderWrkScript(requests));
    if (settings.warmupS > 0) await runWrkOnce(binary, baseUrl, script, settings.connections, Math.ceil(settings.warmupS));
    const s = await runWrkOnce(binary, baseUrl, script, settings.connections, Math.ceil(settings.durationS));
    const unexpected = s.connect + s.read + s.write + s.status + s.timeout;
    return {
      rps: s.requests / (s.durationUs / 1e6),
      p99Ms: s.p99Us / 1000,
      requests: s.requests,
      unexpected,
      detail: `connect ${s.connect}, read ${s.read}, write ${s.write}, status≥400 ${s.status}, timeout ${s.timeout}`,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
