/**
 * Rendering a list of routes in this thread, for an incremental export: each route is requested from
 * the export app and its body written to the file named beside it. `toSSG` is not used here: it would
 * list every value of every parameterised route and could not be told which few of them to render.
 */
import { ContentStore } from '../articles/content.ts';
import type { LoadedSite } from '../articles/load-site.ts';
import type { Config } from '../config.ts';
import { createApp } from '../server/app.ts';
import type { OutputWriter } from './output-writer.ts';
import type { ExportRoute } from './route-inputs.ts';

// Routes rendered at once: enough to overlap reading article files with rendering.
const CONCURRENCY = 8;

/** What rendering the routes did. */
export interface RenderedRoutes {
  /** Routes that did not answer 200 (logged through `logError`). */
  failed: number;
}

/** Renders `routes` and writes each through `writer`; see the module comment. */
export async function renderRoutes(
  options: { config: Config; site: Pick<LoadedSite, 'index' | 'readOptions'>; writer: OutputWriter; logError: (message: string) => void },
  routes: readonly ExportRoute[],
): Promise<RenderedRoutes> {
  const { config, site, writer, logError } = options;
  const contents = new ContentStore(site.readOptions);
  const { app } = createApp({ config, index: site.index, contents, ssg: true, logError });
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
