import { describe, expect, it } from 'vitest';
import { guardedLookup, refusedAddress, refusedHost } from '../../src/net/address-guard.ts';

describe('refusedAddress', () => {
  it.each([
    ['127.0.0.1', /loopback/u],
    ['127.255.0.9', /loopback/u],
    ['::1', /loopback/u],
    ['10.0.0.1', /private/u],
    ['172.16.4.4', /private/u],
    ['192.168.1.1', /private/u],
    ['169.254.169.254', /link-local/u],
    ['fe80::1', /link-local/u],
    ['fc00::1', /unique-local/u],
    ['100.64.0.1', /carrier-grade NAT/u],
    ['0.0.0.0', /unspecified/u],
    ['::', /unspecified/u],
    ['224.0.0.1', /multicast/u],
    ['255.255.255.255', /broadcast/u],
    ['::ffff:127.0.0.1', /loopback/u],
    ['::ffff:10.1.1.1', /private/u],
    ['192.0.2.1', /special-purpose/u],
  ])('refuses %s', (address, why) => {
    expect(refusedAddress(address)).toMatch(why);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows the public address %s', (address) => {
    expect(refusedAddress(address)).toBeUndefined();
  });
});

describe('refusedHost', () => {
  it('refuses a name that resolves to loopback, and IP literals in brackets', async () => {
    expect(await refusedHost('localhost')).toMatch(/localhost resolves to .*loopback/u);
    expect(await refusedHost('[::1]')).toMatch(/loopback/u);
    expect(await refusedHost('127.0.0.1')).toMatch(/loopback/u);
  });

  it('refuses a name that does not resolve, saying so', async () => {
    expect(await refusedHost('no-such-host.invalid')).toMatch(/does not resolve/u);
  });
});

describe('guardedLookup', () => {
  it('fails the connection’s lookup when the name resolves to a refused address', async () => {
    const error = await new Promise<Error | null>((resolve) => guardedLookup('localhost', {}, (e) => resolve(e)));
    expect(error?.message).toMatch(/localhost resolves to .*loopback/u);
    expect((error as NodeJS.ErrnoException).code).toBe('EREFUSEDADDRESS');
  });
});
