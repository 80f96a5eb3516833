/** Figures of the visibility probe. */
export interface VisibilityResult {
  /** Articles probed. */
  probed: number;
  /** Milliseconds from the writer's announcement to the first 200, sorted, one per article seen. */
  latencies: number[];
  /** Ids not served within the timeout (and not removed meanwhile). */
  missed: string[];
  /** Probes ended because the writer removed or renamed the article first. */
  superseded: number;
}

/**
 * Measures how long a new article takes to be served: for some of the ids the writer announces, polls
 * GET /articles/{id} until 200 (a few probes at a time, each bounded by `timeoutMs`).
 */
export class VisibilityProbe {
  private active = 0;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  private readonly result: VisibilityResult = { probed: 0, latencies: [], missed: [], superseded: 0 };

  constructor(
    private readonly baseUrl: string,
    /** True once the writer has removed the id (the probe then stops). */
    private readonly isGone: (id: string) => boolean,
    private readonly maxActive = 4,
    private readonly intervalMs = 100,
    private readonly timeoutMs = 10_000,
  ) {}

  /** Starts probing `id` (announced now) if a probe slot is free; otherwise lets it pass. */
  offer(id: string): void {
    if (this.stopped || this.active >= this.maxActive) return;
    this.active++;
    this.result.probed++;
    const run = this.poll(id, Date.now()).finally(() => {
      this.active--;
      this.running.delete(run);
    });
    this.running.add(run);
  }

  private async poll(id: string, since: number): Promise<void> {
    const url = `${this.baseUrl}/articles/${encodeURIComponent(id)}`;
    while (Date.now() - since < this.timeoutMs) {
      if (this.isGone(id)) {
        this.result.superseded++;
        return;
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.timeoutMs) });
        await res.arrayBuffer();
        if (res.status === 200) {
          this.result.latencies.push(Date.now() - since);
          return;
        }
      } catch {
        // The status counts belong to the load clients; here only the first 200 matters.
      }
      await new Promise((resolve) => setTimeout(resolve, this.intervalMs));
    }
    if (this.isGone(id)) this.result.superseded++;
    else this.result.missed.push(id);
  }

  /** Takes no new probes and waits for the running ones (each ends within its timeout). */
  async finish(): Promise<VisibilityResult> {
    this.stopped = true;
    await Promise.all([...this.running]);
    this.result.latencies.sort((a, b) => a - b);
    return this.result;
  }
}
