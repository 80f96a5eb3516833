/**
 * One thread's part of a full export: the routes of the export (route-inputs.ts) that this shard owns
 * (shard.ts assigns them by route pattern), rendered and written by render-routes.ts. Used in the main
 * thread and in each worker thread.
 */
import type { LoadedSite } from '../articles/load-site.ts';
import type { Config } from '../config.ts';
import { PARAMETERISED_ROUTES } from '../server/app.ts';
import { OutputWriter, type WriteCounts } from './output-writer.ts';
import { renderRoutes } from './render-routes.ts';
import { listExportRoutes } from './route-inputs.ts';
import { assignRoutes } from './shard.ts';

/** Which part to render, and where. */
export interface ShardOptions {
  config: Config;
  site: Pick<LoadedSite, 'index' | 'readOptions'>;
  /** The output folder, absolute. */
  outDir: string;
  shard: number;
  shards: number;
  onProgress?: (counts: WriteCounts) => void;
  logError?: (message: string) => void;
}

/** What one shard produced. */
export interface ShardResult extends WriteCounts {
  /** Files produced, relative to the output folder. */
  produced: string[];
  collisions: string[];
  /** Routes that did not render (logged through `logError`), and the error that stopped the shard, if any. */
  failed: number;
  error?: string;
}

// Bodies are read from the article files; each is shown by several feeds (three formats per tag), so the
// export keeps more of them than the server does, and reads each file about once on corpora up to ~25k.
const BODY_CACHE_BYTES = 256 * 1024 * 1024;
// Items rendered once are kept for the other feeds they appear in: at 10k articles, all of one format.
const ITEM_CACHE_BYTES = 256 * 1024 * 1024;
// Every response is requested once, so the response cache need not be large.
const RESPONSE_CACHE_BYTES = 16 * 1024 * 1024;

/** Renders and writes one shard; see the module comment. */
export async function renderShard(options: ShardOptions): Promise<ShardResult> {
  const { config, site, outDir } = options;
  const logError = options.logError ?? ((m: string) => console.error(m));
  const assigned = assignRoutes(PARAMETERISED_ROUTES, options.shards);
  const routes = listExportRoutes(site.index, { feedLimit: config.feedLimit, archiveSize: config.archiveSize })
    .filter((r) => (assigned.get(r.pattern) ?? 0) === options.shard);
  const writer = new OutputWriter(outDir, options.onProgress);
  try {
    const { failed } = await renderRoutes(
      { config, site, writer, logError, bodyCacheBytes: BODY_CACHE_BYTES, itemCacheBytes: ITEM_CACHE_BYTES, responseCacheBytes: RESPONSE_CACHE_BYTES },
      routes,
    );
    return { ...writer.counts, produced: [...writer.produced], collisions: [...writer.collisions], failed };
  } catch (error) {
    return { ...writer.counts, produced: [...writer.produced], collisions: [...writer.collisions], failed: 0, error: String((error as Error)?.message ?? error) };
  }
}
