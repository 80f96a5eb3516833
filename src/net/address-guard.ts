/**
 * Which addresses the hub may call. A hub POSTs wherever a subscriber tells it to, so without a guard it
 * is a tool for reaching the publisher's own network (SSRF). By default only public unicast addresses
 * are allowed: loopback, private, link-local, unique-local, carrier-grade NAT, multicast, unspecified
 * and the other special-purpose ranges are refused (ipaddr.js classifies them, from the IANA registries).
 *
 * The check runs at connection time, in the `lookup` that node:http calls for each connection
 * (`guardedLookup`), so a name that resolved to a public address when the subscription was made cannot
 * later be pointed at a private one (DNS rebinding): every address of every connection is checked.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/** Why an address may not be called, or undefined when it may. */
export function refusedAddress(address: string): string | undefined {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return `${address} is not an IP address`;
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return range === 'unicast' ? undefined : `${address} is a ${describeRange(range)} address`;
}

function describeRange(range: string): string {
  const names: Record<string, string> = {
    loopback: 'loopback',
    private: 'private',
    linkLocal: 'link-local',
    uniqueLocal: 'unique-local (private)',
    unspecified: 'unspecified',
    multicast: 'multicast',
    broadcast: 'broadcast',
    carrierGradeNat: 'carrier-grade NAT',
  };
  return names[range] ?? `special-purpose (${range})`;
}

/** An error for a refused address; `code` lets callers tell it from network errors. */
export class RefusedAddressError extends Error {
  override name = 'RefusedAddressError';
  readonly code = 'EREFUSEDADDRESS';
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http's request options that resolves like `dns.lookup` and fails when any address
 * the name resolves to is refused (all are checked, since the connection may try each).
 */
export function guardedLookup(hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '');
    for (const { address } of addresses) {
      const why = refusedAddress(address);
      if (why) return callback(new RefusedAddressError(`${hostname} resolves to ${why}`), '');
    }
    if ((options as LookupAllOptions).all) return callback(null, addresses);
    const first = addresses[0];
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
    callback(null, first.address, first.family);
  });
}

/**
 * Why the host of a URL may not be called (resolving its name), or undefined when it may. Used to
 * refuse a subscription at once, before anything calls it; connections are checked again by
 * `guardedLookup`.
 */
export async function refusedHost(hostname: string): Promise<string | undefined> {
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare)) return refusedAddress(bare);
  const addresses = await new Promise<LookupAddress[] | Error>((resolve) =>
    dnsLookup(bare, { all: true }, (error, found) => resolve(error ?? found)),
  );
  if (addresses instanceof Error) return `${bare} does not resolve (${(addresses as NodeJS.ErrnoException).code ?? addresses.message})`;
  for (const { address } of addresses) {
    const why = refusedAddress(address);
    if (why) return `${bare} resolves to ${why}`;
  }
  return undefined;
}
