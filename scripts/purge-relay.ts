/**
 * Runs the purge relay (src/net/purge-relay.ts) on 127.0.0.1, for Fastly or Cloudflare:
 *
 *   PURGE_RELAY_PROVIDER=fastly FASTLY_SERVICE_ID=… FASTLY_API_TOKEN=… node --import tsx scripts/purge-relay.ts
 *   PURGE_RELAY_PROVIDER=cloudflare CLOUDFLARE_ZONE_ID=… CLOUDFLARE_API_TOKEN=… node --import tsx scripts/purge-relay.ts
 *
 * then start each instance with PURGE_URLS=http://127.0.0.1:3099/ (PURGE_RELAY_PORT, default 3099).
 * A separate program with its own variables: the tokens never enter the server's configuration.
 */
import { createPurgeRelay, type PurgeTarget } from '../src/net/purge-relay.ts';

const provider = process.env.PURGE_RELAY_PROVIDER;
const fail = (message: string): never => {
  console.error(`purge relay: ${message}`);
  process.exit(2);
};
let target: PurgeTarget;
if (provider === 'fastly') {
  target = { provider, id: process.env.FASTLY_SERVICE_ID ?? fail('FASTLY_SERVICE_ID is not set'), token: process.env.FASTLY_API_TOKEN ?? fail('FASTLY_API_TOKEN is not set') };
} else if (provider === 'cloudflare') {
  target = { provider, id: process.env.CLOUDFLARE_ZONE_ID ?? fail('CLOUDFLARE_ZONE_ID is not set'), token: process.env.CLOUDFLARE_API_TOKEN ?? fail('CLOUDFLARE_API_TOKEN is not set') };
} else {
  target = fail('set PURGE_RELAY_PROVIDER to fastly or cloudflare');
}
if (process.env.PURGE_RELAY_API) target.api = process.env.PURGE_RELAY_API;
const port = Number(process.env.PURGE_RELAY_PORT ?? '3099');
const server = createPurgeRelay(target, { timeoutMs: 10_000, log: (line) => console.error(line) });
server.listen(port, '127.0.0.1', () => console.log(`Purge relay for ${target.provider} on http://127.0.0.1:${port}/`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
