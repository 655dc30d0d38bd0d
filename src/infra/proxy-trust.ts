// TRUST_PROXY: which client address counts (for login limits and the audit log).
// - unset or `false`: the socket's address (no proxy, or a proxy whose X-Forwarded-For must not be believed);
// - `true`: one proxy hop is trusted: the last X-Forwarded-For entry is the client;
// - a comma-separated list of proxy addresses or CIDRs (`127.0.0.1,10.0.0.0/8,::1`): X-Forwarded-For is read from
//   the right through those proxies only; the first address that is not one of them is the client. An address a
//   client wrote into the header itself is never reached while a trusted proxy appends the real one.
import { BlockList, isIP } from 'node:net';

export type ProxyTrust = { kind: 'none' } | { kind: 'one-hop' } | { kind: 'list'; proxies: BlockList };

const V4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

function normalise(address: string): string {
  const trimmed = address.trim().replace(/^\[|\]$/g, '');
  return V4_MAPPED.exec(trimmed)?.[1] ?? trimmed;
}

/** The parsed setting, or an error message naming the bad entry. */
export function parseProxyTrust(value: string | undefined): ProxyTrust | { error: string } {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '' || v === 'false') return { kind: 'none' };
  if (v === 'true') return { kind: 'one-hop' };
  const proxies = new BlockList();
  for (const entry of v
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [address = '', prefix, extra] = entry.split('/');
    const ip = normalise(address);
    const family = isIP(ip);
    const type = family === 6 ? 'ipv6' : 'ipv4';
    const max = family === 6 ? 128 : 32;
    const bits = prefix === undefined ? max : Number(prefix);
    if (family === 0 || extra !== undefined || !Number.isInteger(bits) || bits < 0 || bits > max) {
      return { error: `"${entry}" is not an address or CIDR (use false, true, or e.g. 127.0.0.1,10.0.0.0/8)` };
    }
    proxies.addSubnet(ip, bits, type);
  }
  return { kind: 'list', proxies };
}

function trusted(list: BlockList, address: string): boolean {
  const ip = normalise(address);
  const family = isIP(ip);
  return family !== 0 && list.check(ip, family === 6 ? 'ipv6' : 'ipv4');
}

/** Whether the peer is a proxy whose X-Forwarded-* headers are believed (any peer for `true`, none for `false`). */
export function trustsPeer(trust: ProxyTrust, socket: string): boolean {
  switch (trust.kind) {
    case 'none':
      return false;
    case 'one-hop':
      return true;
    case 'list':
      return trusted(trust.proxies, socket);
  }
}

/** The client's address, from the socket's address and the X-Forwarded-For header, as the setting says. */
export function clientAddress(trust: ProxyTrust, socket: string, forwardedFor: string | undefined): string {
  const hops = (forwardedFor ?? '')
    .split(',')
    .map((h) => normalise(h))
    .filter(Boolean);
  switch (trust.kind) {
    case 'none':
      return normalise(socket);
    case 'one-hop':
      return hops.at(-1) ?? normalise(socket);
    case 'list': {
      let address = normalise(socket);
      for (let i = hops.length - 1; i >= 0 && trusted(trust.proxies, address); i--) address = hops[i]!;
      return address;
    }
  }
}
