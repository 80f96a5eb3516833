/**
 * A subscriber's request to the hub (W3C WebSub §5.1), read from its form body and checked: every
 * problem is a 4xx with a one-line reason. Unknown parameters are ignored, as §5.1 requires.
 */

/** What a subscriber asked for, checked. */
export interface HubRequest {
  mode: 'subscribe' | 'unsubscribe';
  /** The topic as the subscriber wrote it (echoed back in the verification, §5.3). */
  requestedTopic: string;
  /** The canonical URL of the feed it names (what subscriptions are kept under). */
  topic: string;
  callback: string;
  callbackHost: string;
  /** The lease granted, in seconds (clamped to the hub's bounds). */
  leaseSeconds: number;
  secret?: string;
}

/** The hub's bounds on leases, in seconds. */
export interface LeasePolicy {
  minLeaseSeconds: number;
  maxLeaseSeconds: number;
  defaultLeaseSeconds: number;
}

/** The outcome of reading a request. */
export type HubRequestResult = { ok: true; request: HubRequest } | { ok: false; status: number; reason: string };

/** Longest callback URL accepted, in characters. */
export const MAX_CALLBACK_LENGTH = 2048;
/** A secret must be shorter than this many bytes (§5.1). */
export const MAX_SECRET_BYTES = 200;

/**
 * Reads a hub request. `topicOf` gives the canonical URL of a topic this hub serves, or a reason why
 * the URL is none of its topics.
 */
export function readHubRequest(
  form: URLSearchParams,
  lease: LeasePolicy,
  topicOf: (url: string) => { topic: string } | { reason: string },
): HubRequestResult {
  const bad = (reason: string, status = 400): HubRequestResult => ({ ok: false, status, reason });
  const mode = form.get('hub.mode');
  if (mode === null) return bad('hub.mode is missing');
  if (mode !== 'subscribe' && mode !== 'unsubscribe') return bad(`hub.mode must be subscribe or unsubscribe, not ${JSON.stringify(mode.slice(0, 32))}`);

  const callback = form.get('hub.callback');
  if (!callback) return bad('hub.callback is missing');
  if (callback.length > MAX_CALLBACK_LENGTH) return bad(`hub.callback is longer than ${MAX_CALLBACK_LENGTH} characters`);
  let callbackUrl: URL;
  try {
    callbackUrl = new URL(callback);
  } catch {
    return bad('hub.callback is not an absolute URL');
  }
  if (callbackUrl.protocol !== 'http:' && callbackUrl.protocol !== 'https:') return bad('hub.callback must be an http or https URL');
  if (callbackUrl.hash) return bad('hub.callback must not have a fragment');

  const requestedTopic = form.get('hub.topic');
  if (!requestedTopic) return bad('hub.topic is missing');
  const found = topicOf(requestedTopic);
  if ('reason' in found) return bad(found.reason, 404);

  const rawLease = form.get('hub.lease_seconds');
  let leaseSeconds = lease.defaultLeaseSeconds;
  if (rawLease !== null && rawLease !== '') {
    if (!/^\d{1,12}$/u.test(rawLease)) return bad('hub.lease_seconds must be a whole number of seconds');
    leaseSeconds = Number(rawLease);
  }
  leaseSeconds = Math.min(lease.maxLeaseSeconds, Math.max(lease.minLeaseSeconds, leaseSeconds));

  const secret = form.get('hub.secret') ?? undefined;
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') >= MAX_SECRET_BYTES) return bad(`hub.secret must be shorter than ${MAX_SECRET_BYTES} bytes`);

  return {
    ok: true,
    request: {
      mode,
      requestedTopic,
      topic: found.topic,
      callback: callbackUrl.href,
      callbackHost: callbackUrl.hostname.toLowerCase(),
      leaseSeconds,
      secret: secret === '' ? undefined : secret,
    },
  };
}
