/**
 * A real WebSub subscriber for the tests: an HTTP server on 127.0.0.1 that answers the hub's
 * verification GETs (echoing the challenge, or not, as each callback path is told) and records every
 * content POST with its headers and bytes, answering with the statuses each path is given.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A verification request the hub made. */
export interface Verification {
  path: string;
  mode: string;
  topic: string;
  challenge: string;
  leaseSeconds: string | null;
}

/** A content delivery the hub made. */
export interface Delivery {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  at: number;
}

/** How one callback path behaves. */
export interface CallbackBehaviour {
  /** `echo` (default): answer the challenge; `wrong`: answer something else; `refuse`: 404. */
  verify?: 'echo' | 'wrong' | 'refuse';
  /** Statuses for successive deliveries; the last one repeats (default 204). */
  statuses?: number[];
  /** How long to wait before answering a delivery, in ms. */
  delayMs?: number;
}

/** The running subscriber. */
export interface Subscriber {
  base: string;
  /** Every request the server received, verifications and deliveries alike, in order. */
  requests: { method: string; path: string }[];
  verifications: Verification[];
  deliveries: Delivery[];
  /** Most deliveries that were being answered at the same time. */
  maxConcurrent(): number;
  behave(path: string, behaviour: CallbackBehaviour): void;
  url(path: string): string;
  close(): Promise<void>;
}

/** Starts a subscriber on 127.0.0.1 and a free port. */
export async function startSubscriber(): Promise<Subscriber> {
  const behaviours = new Map<string, CallbackBehaviour>();
  const posted = new Map<string, number>();
  const requests: Subscriber['requests'] = [];
  const verifications: Verification[] = [];
  const deliveries: Delivery[] = [];
  let concurrent = 0;
  let maxConcurrent = 0;
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    requests.push({ method: req.method ?? '', path });
    const behaviour = behaviours.get(path) ?? {};
    if (req.method === 'GET') {
      const challenge = url.searchParams.get('hub.challenge') ?? '';
      verifications.push({
        path,
        mode: url.searchParams.get('hub.mode') ?? '',
        topic: url.searchParams.get('hub.topic') ?? '',
        challenge,
        leaseSeconds: url.searchParams.get('hub.lease_seconds'),
      });
      const verify = behaviour.verify ?? 'echo';
      if (verify === 'refuse') return void res.writeHead(404).end('not mine');
      return void res.writeHead(200, { 'Content-Type': 'text/plain' }).end(verify === 'echo' ? challenge : `${challenge}x`);
    }
    const chunks: Buffer[] = [];
    maxConcurrent = Math.max(maxConcurrent, ++concurrent);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      deliveries.push({ path, headers: req.headers, body: Buffer.concat(chunks), at: Date.now() });
      const n = posted.get(path) ?? 0;
      posted.set(path, n + 1);
      const statuses = behaviour.statuses ?? [204];
      setTimeout(() => {
        concurrent--;
        if (!res.destroyed) res.writeHead(statuses[Math.min(n, statuses.length - 1)]!).end();
      }, behaviour.delayMs ?? 0);
    });
    req.on('close', () => {
      if (!res.writableEnded && behaviour.delayMs === undefined) concurrent--;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    verifications,
    deliveries,
    maxConcurrent: () => maxConcurrent,
    behave: (path, behaviour) => void behaviours.set(path, behaviour),
    url: (path) => `${base}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Sends a subscription request to a hub, as a subscriber does (WebSub §5.1). */
export async function requestSubscription(
  hub: string,
  fields: { mode?: 'subscribe' | 'unsubscribe'; topic: string; callback: string; secret?: string; leaseSeconds?: number },
): Promise<{ status: number; body: string }> {
  const form = new URLSearchParams({ 'hub.mode': fields.mode ?? 'subscribe', 'hub.topic': fields.topic, 'hub.callback': fields.callback });
  if (fields.secret !== undefined) form.set('hub.secret', fields.secret);
  if (fields.leaseSeconds !== undefined) form.set('hub.lease_seconds', String(fields.leaseSeconds));
  const res = await fetch(hub, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form.toString() });
  return { status: res.status, body: await res.text() };
}
