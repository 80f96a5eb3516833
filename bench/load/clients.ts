import { createHash } from 'node:crypto';
import http from 'node:http';
import type { RequestSpec } from './requests.ts';
import type { LoadStats } from './stats.ts';
import { expectedContentType, isCheckedFormat, type BodyChecker } from './validate.ts';

/** Settings of one load phase. */
export interface ClientRun {
  baseUrl: string;
  connections: number;
  durationMs: number;
  /** Upper bound on requests per client, whatever the duration. */
  maxRequestsPerClient: number;
  /** Draws the next request. */
  pick: () => RequestSpec;
  stats: LoadStats;
  /** Parses bodies (each distinct body once). */
  checker: BodyChecker;
  /** Last ETag seen per path, shared by the clients, for If-None-Match. */
  etags: Map<string, string>;
  /** Checked before each request: ends the phase early (e.g. the server died). */
  shouldStop: () => boolean;
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const TIMEOUT_MS = 15_000;
const MAX_ETAG_PATHS = 50_000;

function send(agent: http.Agent, base: URL, spec: RequestSpec, etag: string | undefined): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: spec.method,
        path: spec.path,
        headers: etag ? { 'if-none-match': etag } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.setTimeout(TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

function handle(run: ClientRun, spec: RequestSpec, reply: Reply): void {
  run.stats.record(spec, String(reply.status));
  if (reply.status !== 200 || spec.method !== 'GET') return;
  const hash = createHash('sha1').update(reply.body).digest('hex');
  const etag = reply.headers.etag;
  if (etag) {
    if (run.etags.has(spec.path) || run.etags.size < MAX_ETAG_PATHS) run.etags.set(spec.path, etag);
    run.stats.recordEtag(spec.path, etag, hash);
  }
  const wanted = expectedContentType(spec.format);
  if (wanted && !(reply.headers['content-type'] ?? '').startsWith(wanted)) run.stats.contentTypeMismatches++;
  if (isCheckedFormat(spec.format)) run.stats.recordParse(spec, reply.body, run.checker.check(spec.format, reply.body, hash));
}

async function client(run: ClientRun, agent: http.Agent, base: URL, deadline: number): Promise<number> {
  let done = 0;
  while (done < run.maxRequestsPerClient && Date.now() < deadline && !run.shouldStop()) {
    const spec = run.pick();
    const etag = spec.conditional ? run.etags.get(spec.path) : undefined;
    try {
      handle(run, spec, await send(agent, base, spec, etag));
    } catch (error) {
      run.stats.record(spec, `ERR ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    done++;
  }
  return done;
}

/**
 * Runs `connections` concurrent keep-alive clients against the loopback server until the duration, the request
 * bound or `shouldStop` ends them; every response is counted and every 200 feed or OPML body is parsed.
 * @example await runClients({ baseUrl, connections: 32, durationMs: 30_000, ... })
 */
export async function runClients(run: ClientRun): Promise<{ requests: number; elapsedMs: number }> {
  const base = new URL(run.baseUrl);
  if (base.hostname !== '127.0.0.1') throw new Error(`refusing to load a non-loopback host: ${base.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: run.connections });
  const started = Date.now();
  const deadline = started + run.durationMs;
  try {
    const counts = await Promise.all(Array.from({ length: run.connections }, () => client(run, agent, base, deadline)));
    return { requests: counts.reduce((a, b) => a + b, 0), elapsedMs: Date.now() - started };
  } finally {
    agent.destroy();
  }
}
