/**
 * Rendering a list of routes in this thread (route-inputs.ts lists them): each route is requested from
 * the export app and its body bytes written to the file named beside it. Hono's `toSSG` is not used: it
 * cannot be told to render a few of a parameterised route's values (an incremental export), and it reads
 * each body as text that the writer then encodes to UTF-8 again (about 1.0 + 2.1 s of a 24 s one-thread
 * export at 10k articles, bench/RESULTS.md). tests/export/route-list.test.ts checks that the list holds
 * exactly the routes `toSSG` would write.
 */
import { ContentStore } from '../articles/content.ts';
import type { LoadedSite } from '../articles/load-site.ts';
import type { Config } from '../config.ts';
import { createApp } from '../server/app.ts';
import type { OutputWriter } from './output-writer.ts';
import type { ExportRoute } from './route-inputs.ts';

// Routes rendered at once: enough to overlap reading article files with rendering.
const CONCURRENCY = 8;

/** What to render with. */
export interface RenderOptions {
  config: Config;
  site: Pick<LoadedSite, 'index' | 'readOptions'>;
  writer: OutputWriter;
  logError: (message: string) => void;
  /** Bytes of article bodies, rendered items and responses to keep (defaults: the server's). */
  bodyCacheBytes?: number;
  itemCacheBytes?: number;
  responseCacheBytes?: number;
}

/** What rendering the routes did. */
export interface RenderedRoutes {
  /** Routes that did not answer 200 (logged through `logError`). */
  failed: number;
}

/** Renders `routes` and writes each through `writer`; see the module comment. */
export async function renderRoutes(options: RenderOptions, routes: readonly ExportRoute[]): Promise<RenderedRoutes> {
  const { config, site, writer, logError } = options;
  const contents = new ContentStore(site.readOptions, options.bodyCacheBytes);
  const { app } = createApp({ config, index: site.index, contents, ssg: true, logError, cacheBytes: options.responseCacheBytes, itemCacheBytes: options.itemCacheBytes });
  let failed = 0;
  let next = 0;
  const work = async () => {
    while (next < routes.length) {
      const route = routes[next++]!;
      const res = await app.request(route.path);
      if (res.status !== 200) {
        failed++;
        logError(`error: ${route.path} answered ${res.status}, not 200`);
        continue;
      }
      writer.write(route.file, new Uint8Array(await res.arrayBuffer()));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, routes.length) }, work));
  return { failed };
}
