/**
 * Publishing scheduled articles at their time, without a request or a file change: one timer is kept
 * set for the next release and set again whenever the index changes. This is the only place that
 * releases articles; readers of the index never do (article-index.ts).
 */
import type { ArticleIndex } from './article-index.ts';

/** Longest delay Node's timers accept, in ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Fired this long after the release time, so that the index's clock has surely reached it. */
const LATE_MS = 5;

/** A running scheduler. */
export interface ReleaseScheduler {
  stop(): void;
}

/** Starts releasing `index`'s scheduled articles on time; `now` is the index's clock. */
export function scheduleReleases(index: ArticleIndex, now: () => number = Date.now): ReleaseScheduler {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = () => {
    if (stopped) return;
    // Releasing emits a change, which calls arm again: the timer is set after it, once.
    index.releaseDue();
    clearTimeout(timer);
    const next = index.nextReleaseAt();
    if (next === undefined) return;
    timer = setTimeout(arm, Math.min(Math.max(next - now(), 0) + LATE_MS, MAX_TIMER_MS));
    timer.unref();
  };
  index.onChange(arm);
  arm();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
