/**
 * Configuration: environment variables and matching command-line flags (flags win), with defaults and
 * checks. `readConfig` is pure: it is handed the environment and the arguments.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { makeFolder } from './folders.ts';

/** The server's settings. */
export interface Config {
  port: number;
  host: string;
  articlesDir: string;
  baseUrl: string;
  siteTitle: string;
  siteDescription: string;
  siteAuthor: string;
  siteLanguage: string;
  feedLimit: number;
  archiveSize: number;
  maxFileSize: number;
  cacheMaxAge: number;
  cacheSMaxAge: number;
  cacheStaleWhileRevalidate: number;
  archiveMaxAge: number;
  logRequests: boolean;
  stateDir: string;
  websub: boolean;
  websubHubs: string[];
  websubMinLeaseSeconds: number;
  websubMaxLeaseSeconds: number;
  websubDefaultLeaseSeconds: number;
  websubAllowPrivateCallbacks: boolean;
  websubMaxPerTopic: number;
  websubMaxPerHost: number;
  websubRateBurst: number;
  websubRatePerSecond: number;
  websubConcurrency: number;
  websubTimeoutSeconds: number;
  websubAttempts: number;
  websubRetryBaseSeconds: number;
  websubRetryHorizonSeconds: number;
  cacheTagHeaders: CacheTagHeader[];
  purgeUrls: string[];
  purgeDelaySeconds: number;
  purgeTimeoutSeconds: number;
  metrics: boolean;
}

/** A header besides Surrogate-Key that names a response's surrogate keys (see server/surrogate-keys.ts). */
export type CacheTagHeader = 'cache-tag' | 'cache-groups';
const CACHE_TAG_CHOICES: readonly CacheTagHeader[] = ['cache-tag', 'cache-groups'];

interface Option {
  key: keyof Config;
  env: string;
  flag: string;
  kind: 'string' | 'int' | 'bool' | 'url' | 'urls' | 'cache-tags';
  fallback: (c: Partial<Config>) => string;
  help: string;
  min?: number;
  max?: number;
}

/** Every setting, in the order `--help` and the README list them. */
export const OPTIONS: readonly Option[] = [
  { key: 'port', env: 'PORT', flag: '--port', kind: 'int', min: 0, max: 65535, fallback: () => '3000', help: 'TCP port to listen on (0: any free port)' },
  { key: 'host', env: 'HOST', flag: '--host', kind: 'string', fallback: () => '127.0.0.1', help: 'address to listen on (0.0.0.0 for every interface)' },
  { key: 'articlesDir', env: 'ARTICLES_DIR', flag: '--articles-dir', kind: 'string', fallback: () => 'articles', help: 'folder of article files (.txt, .md); subfolders are not scanned' },
  { key: 'baseUrl', env: 'BASE_URL', flag: '--base-url', kind: 'url', fallback: (c) => `http://localhost:${c.port}`, help: 'public base URL of every link and feed id' },
  { key: 'siteTitle', env: 'SITE_TITLE', flag: '--site-title', kind: 'string', fallback: () => 'Tagfeeds', help: 'title of the site and its feeds' },
  { key: 'siteDescription', env: 'SITE_DESCRIPTION', flag: '--site-description', kind: 'string', fallback: () => 'Latest articles', help: 'description of the site feed' },
  { key: 'siteAuthor', env: 'SITE_AUTHOR', flag: '--site-author', kind: 'string', fallback: () => 'Tagfeeds', help: 'author of articles that name none' },
  { key: 'siteLanguage', env: 'SITE_LANGUAGE', flag: '--site-language', kind: 'string', fallback: () => 'en', help: 'language of the feeds (BCP 47)' },
  { key: 'feedLimit', env: 'FEED_LIMIT', flag: '--feed-limit', kind: 'int', min: 1, max: 1000, fallback: () => '50', help: 'items per feed' },
  { key: 'archiveSize', env: 'ARCHIVE_SIZE', flag: '--archive-size', kind: 'int', min: 1, max: 1000, fallback: (c) => String(Math.min(50, c.feedLimit ?? 50)), help: 'items per archive document (RFC 5005), at most FEED_LIMIT (default 50, or FEED_LIMIT when lower)' },
  { key: 'maxFileSize', env: 'MAX_FILE_SIZE', flag: '--max-file-size', kind: 'int', min: 1, max: 64 * 1024 * 1024, fallback: () => String(1024 * 1024), help: 'largest article file read, in bytes' },
  { key: 'cacheMaxAge', env: 'CACHE_MAX_AGE', flag: '--cache-max-age', kind: 'int', min: 0, max: 31536000, fallback: () => '300', help: 'Cache-Control max-age of feeds and pages, in seconds' },
  { key: 'cacheSMaxAge', env: 'CACHE_S_MAXAGE', flag: '--cache-s-maxage', kind: 'int', min: 0, max: 31536000, fallback: (c) => String(c.cacheMaxAge), help: 'Cache-Control s-maxage (shared caches, CDNs), in seconds' },
  { key: 'cacheStaleWhileRevalidate', env: 'CACHE_STALE_WHILE_REVALIDATE', flag: '--cache-stale-while-revalidate', kind: 'int', min: 0, max: 31536000, fallback: () => '60', help: 'Cache-Control stale-while-revalidate, in seconds' },
  { key: 'archiveMaxAge', env: 'ARCHIVE_MAX_AGE', flag: '--archive-max-age', kind: 'int', min: 0, max: 31536000, fallback: () => '86400', help: 'Cache-Control max-age and s-maxage of archive documents, in seconds' },
  { key: 'logRequests', env: 'LOG_REQUESTS', flag: '--log-requests', kind: 'bool', fallback: () => 'false', help: 'log every request (true/false)' },
  { key: 'stateDir', env: 'STATE_DIR', flag: '--state-dir', kind: 'string', fallback: () => '.tagfeeds', help: 'folder of the server\'s own state (WebSub subscriptions), created on first use' },
  { key: 'websub', env: 'WEBSUB', flag: '--websub', kind: 'bool', fallback: () => 'on', help: 'WebSub push: on (the built-in hub, or WEBSUB_HUBS) or off (no hub advertised)' },
  { key: 'websubHubs', env: 'WEBSUB_HUBS', flag: '--websub-hubs', kind: 'urls', fallback: () => '', help: 'outside hubs to advertise and ping on each change, comma-separated, instead of the built-in hub' },
  { key: 'websubMinLeaseSeconds', env: 'WEBSUB_MIN_LEASE_SECONDS', flag: '--websub-min-lease-seconds', kind: 'int', min: 1, max: 31536000, fallback: () => '3600', help: 'shortest lease the hub grants, in seconds' },
  { key: 'websubMaxLeaseSeconds', env: 'WEBSUB_MAX_LEASE_SECONDS', flag: '--websub-max-lease-seconds', kind: 'int', min: 1, max: 31536000, fallback: () => '2592000', help: 'longest lease the hub grants, in seconds' },
  { key: 'websubDefaultLeaseSeconds', env: 'WEBSUB_DEFAULT_LEASE_SECONDS', flag: '--websub-default-lease-seconds', kind: 'int', min: 1, max: 31536000, fallback: () => '864000', help: 'lease granted when a subscriber asks for none, in seconds (clamped to the bounds)' },
  { key: 'websubAllowPrivateCallbacks', env: 'WEBSUB_ALLOW_PRIVATE_CALLBACKS', flag: '--websub-allow-private-callbacks', kind: 'bool', fallback: () => 'false', help: 'let the hub call loopback, private and link-local addresses (tests, intranets)' },
  { key: 'websubMaxPerTopic', env: 'WEBSUB_MAX_SUBSCRIBERS_PER_TOPIC', flag: '--websub-max-subscribers-per-topic', kind: 'int', min: 1, max: 10000000, fallback: () => '100000', help: 'most active subscriptions to one feed' },
  { key: 'websubMaxPerHost', env: 'WEBSUB_MAX_SUBSCRIPTIONS_PER_HOST', flag: '--websub-max-subscriptions-per-host', kind: 'int', min: 1, max: 10000000, fallback: () => '10000', help: 'most active subscriptions whose callbacks are on one host' },
  { key: 'websubRateBurst', env: 'WEBSUB_RATE_BURST', flag: '--websub-rate-burst', kind: 'int', min: 1, max: 1000000, fallback: () => '1000', help: 'subscription requests one client address may send at once' },
  { key: 'websubRatePerSecond', env: 'WEBSUB_RATE_PER_SECOND', flag: '--websub-rate-per-second', kind: 'int', min: 1, max: 1000000, fallback: () => '20', help: 'subscription requests per second one client address may keep sending' },
  { key: 'websubConcurrency', env: 'WEBSUB_CONCURRENCY', flag: '--websub-concurrency', kind: 'int', min: 1, max: 1024, fallback: () => '64', help: 'deliveries in flight at once' },
  { key: 'websubTimeoutSeconds', env: 'WEBSUB_TIMEOUT_SECONDS', flag: '--websub-timeout-seconds', kind: 'int', min: 1, max: 300, fallback: () => '10', help: 'how long the hub waits for a callback to answer, in seconds' },
  { key: 'websubAttempts', env: 'WEBSUB_DELIVERY_ATTEMPTS', flag: '--websub-delivery-attempts', kind: 'int', min: 1, max: 100, fallback: () => '8', help: 'attempts to deliver one version to one subscriber' },
  { key: 'websubRetryBaseSeconds', env: 'WEBSUB_RETRY_BASE_SECONDS', flag: '--websub-retry-base-seconds', kind: 'int', min: 1, max: 3600, fallback: () => '5', help: 'wait before the second attempt; each later wait is three times the one before' },
  { key: 'websubRetryHorizonSeconds', env: 'WEBSUB_RETRY_HORIZON_SECONDS', flag: '--websub-retry-horizon-seconds', kind: 'int', min: 1, max: 31536000, fallback: () => '86400', help: 'no attempt is made later than this after the first, in seconds' },
  { key: 'cacheTagHeaders', env: 'CACHE_TAG_HEADERS', flag: '--cache-tag-headers', kind: 'cache-tags', fallback: () => 'none', help: 'also name the surrogate keys in Cache-Tag (Cloudflare) and/or Cache-Groups (RFC 9875): none, cache-tag, cache-groups, or both comma-separated' },
  { key: 'purgeUrls', env: 'PURGE_URLS', flag: '--purge-urls', kind: 'urls', fallback: () => '', help: 'caches sent PURGE with Surrogate-Key: <changed keys> on each change, comma-separated (Varnish with xkey)' },
  { key: 'purgeDelaySeconds', env: 'PURGE_DELAY_SECONDS', flag: '--purge-delay-seconds', kind: 'int', min: 0, max: 3600, fallback: () => '5', help: 'send each purge again this long after the first, for caches that fetched from an instance that had not seen the change yet (0: no second purge)' },
  { key: 'purgeTimeoutSeconds', env: 'PURGE_TIMEOUT_SECONDS', flag: '--purge-timeout-seconds', kind: 'int', min: 1, max: 300, fallback: () => '5', help: 'how long a purge waits for a cache to answer, in seconds (three attempts)' },
  { key: 'metrics', env: 'METRICS', flag: '--metrics', kind: 'bool', fallback: () => 'on', help: 'serve Prometheus metrics at /metrics (on/off)' },
];

/** A setting that cannot be used, naming the variable or flag and the reason. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Checks that the articles folder exists and is a folder, before a command loads it (serve, check and
 * export): otherwise the first file call fails with a bare ENOENT and a stack trace.
 */
export function requireArticlesFolder(dir: string): void {
  let isFolder: boolean;
  try {
    isFolder = statSync(dir).isDirectory();
  } catch (error) {
    throw new ConfigError(`articles folder ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : (error as Error).message} (--articles-dir, ARTICLES_DIR)`);
  }
  if (!isFolder) throw new ConfigError(`articles folder ${dir}: not a folder (--articles-dir, ARTICLES_DIR)`);
}

/**
 * Checks, for the commands that keep state in it (serve, export), that STATE_DIR is a folder this
 * process can write, making it when it does not exist yet; else a clear configuration error, rather
 * than a stack trace from the first store that opens a file in it.
 */
export function requireStateFolder(dir: string): void {
  let found: ReturnType<typeof statSync> | undefined;
  try {
    found = statSync(dir, { throwIfNoEntry: false });
    if (found?.isDirectory()) accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new ConfigError(`state folder ${dir}: ${(error as NodeJS.ErrnoException).code === 'EACCES' ? 'not writable' : (error as Error).message} (--state-dir, STATE_DIR)`);
  }
  if (found && !found.isDirectory()) throw new ConfigError(`state folder ${dir}: not a folder (--state-dir, STATE_DIR)`);
  if (found) return;
  try {
    makeFolder(dir);
  } catch (error) {
    throw new ConfigError(`state folder ${dir}: cannot be made: ${(error as Error).message} (--state-dir, STATE_DIR)`);
  }
}

/** Reads flags of the form `--name value` or `--name=value`; unknown flags are an error. */
export function parseFlags(argv: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  const known = new Set(OPTIONS.map((o) => o.flag));
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(flag)) throw new ConfigError(`unknown option ${arg} (see --help)`);
    const option = OPTIONS.find((o) => o.flag === flag)!;
    let value = eq > 0 ? arg.slice(eq + 1) : argv[i + 1];
    if (eq < 0) {
      if (option.kind === 'bool' && (value === undefined || value.startsWith('--'))) value = 'true';
      else i++;
    }
    if (value === undefined) throw new ConfigError(`${flag} needs a value`);
    flags.set(flag, value);
  }
  return flags;
}

/** Builds the configuration from the environment and flags; throws `ConfigError` on a bad value. */
export function readConfig(env: Record<string, string | undefined> = {}, argv: readonly string[] = []): Config {
  const flags = parseFlags(argv);
  const config: Partial<Config> = {};
  const target = config as Record<string, unknown>;
  for (const option of OPTIONS) {
    const given = flags.get(option.flag) ?? env[option.env];
    const source = flags.has(option.flag) ? option.flag : option.env;
    const raw = given === undefined || given === '' ? option.fallback(config) : given;
    target[option.key] = convert(option, raw, source);
  }
  const result = config as Config;
  if (result.websubMinLeaseSeconds > result.websubMaxLeaseSeconds) {
    throw new ConfigError(`WEBSUB_MIN_LEASE_SECONDS (${result.websubMinLeaseSeconds}) is above WEBSUB_MAX_LEASE_SECONDS (${result.websubMaxLeaseSeconds})`);
  }
  // The language goes into every feed (RSS <language>, Atom xml:lang, JSON Feed language) and page:
  // a value that is no BCP 47 tag would reach every reader. Intl's own parser of language tags says.
  try {
    Intl.getCanonicalLocales(result.siteLanguage);
  } catch {
    throw new ConfigError(`SITE_LANGUAGE ${JSON.stringify(result.siteLanguage)} is not a BCP 47 language tag (for example en, pt-BR, zh-Hant)`);
  }
  // Only complete pages are archives (see feeds/archives.ts): the newest FEED_LIMIT articles must hold
  // the up to ARCHIVE_SIZE - 1 that no archive has yet, or following the chain would miss them.
  if (result.archiveSize > result.feedLimit) {
    throw new ConfigError(`ARCHIVE_SIZE (${result.archiveSize}) is above FEED_LIMIT (${result.feedLimit}): the subscription feed must hold the articles no archive has yet`);
  }
  return result;
}

function convert(option: Option, raw: string, source: string): string | number | boolean | string[] {
  switch (option.kind) {
    case 'int': {
      const value = Number(raw);
      if (!/^\d+$/u.test(raw) || value < (option.min ?? 0) || value > (option.max ?? Number.MAX_SAFE_INTEGER)) {
        throw new ConfigError(`${source}=${raw}: expected a whole number from ${option.min ?? 0} to ${option.max}`);
      }
      return value;
    }
    case 'bool':
      if (!/^(true|false|1|0|yes|no|on|off)$/iu.test(raw)) throw new ConfigError(`${source}=${raw}: expected true or false (on or off)`);
      return /^(true|1|yes|on)$/iu.test(raw);
    case 'urls':
      return raw
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '')
        .map((part) => {
          // Kept as written (a hub's path may end in a slash), once checked like any URL.
          convert({ ...option, kind: 'url' }, part, source);
          return new URL(part).href;
        });
    case 'url': {
      let url: URL;
      try {
        url = new URL(raw);
      } catch {
        throw new ConfigError(`${source}=${raw}: not an absolute URL`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${source}=${raw}: must be http or https`);
      return url.href.replace(/\/+$/u, '');
    }
    case 'cache-tags': {
      const parts = raw.split(',').map((part) => part.trim().toLowerCase()).filter((part) => part !== '');
      if (parts.length === 1 && parts[0] === 'none') return [];
      for (const part of parts) {
        if (!CACHE_TAG_CHOICES.includes(part as CacheTagHeader)) throw new ConfigError(`${source}=${raw}: expected none, cache-tag, cache-groups, or both comma-separated`);
      }
      return [...new Set(parts)];
    }
    case 'string':
      return raw;
  }
}

/** The `--help` text: every setting with its variable, flag and default. */
export function helpText(): string {
  const defaults = readConfig({}, []);
  const rows = OPTIONS.map((o) => {
    const value = defaults[o.key];
    const fallback = o.key === 'baseUrl' ? 'http://localhost:PORT' : Array.isArray(value) ? (value.length === 0 ? 'none' : value.join(',')) : String(value);
    return `  ${o.flag.padEnd(32)} ${o.env.padEnd(30)} ${o.help} (default: ${fallback})`;
  });
  return [
    'Usage: npm start -- [options]        serve the articles folder',
    '       npm run check -- [options]    validate every article file and exit',
    '       npm run export -- --out DIR [--jobs N] [options]',
    '                                     write every route as static files (N threads; default: one per core, up to 4, on large sites)',
    '',
    'Options (environment variables in the second column; flags win):',
    ...rows,
    '  --help                           show this help',
  ].join('\n');
}
