/**
 * Bounds how many routes render at once during an export. Hono's `toSSG` pool re-polls every waiting
 * request on a timer, which on a site of tens of thousands of routes costs more than the rendering, so
 * the export runs `toSSG` without a pool (`concurrency: Infinity`) on an outer app whose first
 * middleware is this first-in-first-out limit: waiting costs nothing, and routes render in order.
 */
import { Hono } from 'hono';

/** Mounts `app` under an outer app that renders at most `limit` requests at a time. */
export function withRenderLimit(app: Hono, limit: number): Hono {
  let active = 0;
  // A queue read from `head` on: shift() on tens of thousands of waiting requests would copy them each time.
  const waiting: (() => void)[] = [];
  let head = 0;
  const outer = new Hono();
  outer.use(async (_c, next) => {
    if (active < limit) active++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      await next();
    } finally {
      // Hand the slot to the next request, or free it. The hand-over waits for the event loop's next
      // turn: renders of cached bodies never wait for I/O, and without a turn the files already
      // rendered would not be written until every route had rendered.
      const wake = waiting[head];
      if (wake) {
        waiting[head++] = undefined as never;
        setImmediate(wake);
      } else {
        active--;
        waiting.length = head = 0;
      }
    }
  });
  outer.route('/', app);
  return outer;
}
