/** A fetched response reduced to what the benchmark needs. */
export interface Fetched {
  status: number;
  headers: Headers;
  body: Buffer;
}

/** GETs a URL once with a timeout and returns status, headers and the whole body. */
export async function fetchOnce(url: string, headers: Record<string, string> = {}, timeoutMs = 10_000): Promise<Fetched> {
  const response = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

/** How a poll loop is bounded: by wall-clock time and by number of attempts. */
export interface PollOptions {
  intervalMs: number;
  timeoutMs: number;
  /** Stop early (with the reason as error) when this returns a string, e.g. because the server died. */
  abort?: () => string | undefined;
}

/**
 * Fetches `url` every `intervalMs` until `accept` returns true for a response, and
 * returns the moment (performance.now()) that response arrived. Gives up after
 * `timeoutMs` or timeoutMs / intervalMs + 1 attempts, whichever comes first.
 */
export async function pollUntil(url: string, accept: (response: Fetched) => boolean, options: PollOptions): Promise<number> {
  const deadline = performance.now() + options.timeoutMs;
  const maxAttempts = Math.ceil(options.timeoutMs / options.intervalMs) + 1;
  let last = 'no attempt';
  for (let attempt = 0; attempt < maxAttempts && performance.now() < deadline; attempt++) {
    const reason = options.abort?.();
    if (reason) throw new Error(`stopped polling ${url}: ${reason}`);
    const remaining = Math.max(1, Math.ceil(deadline - performance.now()));
    try {
      const response = await fetchOnce(url, {}, Math.min(remaining, 5000));
      if (accept(response)) return performance.now();
      last = `HTTP ${response.status}`;
    } catch (error) {
      last = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  throw new Error(`gave up polling ${url} after ${options.timeoutMs} ms (last: ${last})`);
}
