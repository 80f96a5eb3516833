/**
 * One thread's part of an export: the app renders its shard of the routes through hono's `toSSG`, and
 * the writer puts each file in place. Used in the main thread and in each worker thread.
 */
import { toSSG } from 'hono/ssg';
import { ContentStore } from '../articles/content.ts';
import type { LoadedSite } from '../articles/load-site.ts';
import type { Config } from '../config.ts';
import { createApp, PARAMETERISED_ROUTES } from '../server/app.ts';
import { OutputWriter, type WriteCounts } from './output-writer.ts';
import { withRenderLimit } from './render-limit.ts';
import { EXTENSION_MAP } from './routes.ts';
import { shardHook } from './shard.ts';

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
  /** Routes that did not render (logged through `logError`), and the error that stopped `toSSG`, if any. */
  failed: number;
  error?: string;
}

// Bodies are read from the article files; each is shown by several feeds (three formats per tag), so the
// export keeps more of them than the server does, and reads each file about once on corpora up to ~25k.
const BODY_CACHE_BYTES = 256 * 1024 * 1024;
// Items rendered once are kept for the other feeds they appear in: at 10k articles, all of one format.
const ITEM_CACHE_BYTES = 256 * 1024 * 1024;
// Every response is requested once or twice, so the response cache need not be large.
const RESPONSE_CACHE_BYTES = 16 * 1024 * 1024;
// Routes rendered at once: enough to overlap reading article files with rendering.
const RENDER_CONCURRENCY = 8;

/** Renders and writes one shard; see the module comment. */
export async function renderShard(options: ShardOptions): Promise<ShardResult> {
  const { config, site, outDir } = options;
  const contents = new ContentStore(site.readOptions, BODY_CACHE_BYTES);
  const { app } = createApp({ config, index: site.index, contents, ssg: true, cacheBytes: RESPONSE_CACHE_BYTES, itemCacheBytes: ITEM_CACHE_BYTES, logError: options.logError });
  const writer = new OutputWriter(outDir, options.onProgress);
  let failed = 0;
  const result = await toSSG(withRenderLimit(app, RENDER_CONCURRENCY), writer.fileSystem(), {
    dir: outDir,
    // No pool in toSSG: the outer app limits concurrency (see render-limit.ts).
    concurrency: Infinity,
    extensionMap: EXTENSION_MAP,
    plugins: [
      {
        beforeRequestHook: shardHook(PARAMETERISED_ROUTES, options.shard, options.shards),
        afterResponseHook: (res) => {
          if (res.status === 200) return res;
          failed++;
          return false;
        },
      },
    ],
  });
  return {
    ...writer.counts,
    produced: [...writer.produced],
    collisions: [...writer.collisions],
    failed,
    error: result.success ? undefined : String(result.error?.message ?? 'toSSG failed'),
  };
}
