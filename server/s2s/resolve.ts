// Where a remote domain's server-to-server service is (RFC 6120 §3.2, XEP-0368): a static route from the
// configuration first; a .local domain by multicast DNS; otherwise DNS SRV for _xmpp-server._tcp (STARTTLS) and
// _xmpps-server._tcp (direct TLS), ordered by priority and weight, and without SRV records the domain's own
// addresses on port 5269. A domain that resolves to nothing is RemoteNotFoundError (→ remote-server-not-found).
import dns from 'node:dns';
import net from 'node:net';
import { resolveLocal } from '../discovery/resolve-local.js';
import { DEFAULT_S2S_PORT } from './namespaces.js';
import type { HostPort } from './settings.js';

export interface Target {
  host: string;
  port: number;
  /** XEP-0368: TLS from the first byte (an _xmpps-server SRV record). */
  directTls: boolean;
}

export class RemoteNotFoundError extends Error {}

/** The parts of node:dns used here, so tests can answer for a DNS server. */
export interface DnsLookups {
  resolveSrv(name: string): Promise<dns.SrvRecord[]>;
  lookup(host: string): Promise<{ address: string; family: number }[]>;
}

export const systemDns: DnsLookups = {
  resolveSrv: (name) => dns.promises.resolveSrv(name),
  lookup: (host) => dns.promises.lookup(host, { all: true, verbatim: true }),
};

export interface ResolveOptions {
  hosts: ReadonlyMap<string, HostPort>;
  timeoutMs: number;
  dns?: DnsLookups;
  /** For .local names (default: discovery's one-shot mDNS query). */
  resolveLocalName?: (name: string, timeoutMs: number) => Promise<string[]>;
  /** Interfaces for mDNS queries (config.discoveryInterfaces). */
  interfaces?: readonly string[];
}

/** RFC 2782 order: lower priority first; within a priority, heavier weight first (deterministic, no lottery). */
function order(records: { rec: dns.SrvRecord; directTls: boolean }[]): Target[] {
  return records
    .sort((a, b) => a.rec.priority - b.rec.priority || b.rec.weight - a.rec.weight || Number(b.directTls) - Number(a.directTls))
    .map(({ rec, directTls }) => ({ host: rec.name.replace(/\.$/, ''), port: rec.port, directTls }));
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RemoteNotFoundError(`${what} took longer than ${ms} ms`)), ms);
      timer.unref();
    }),
  ]);
}

export async function resolveTargets(domain: string, opts: ResolveOptions): Promise<Target[]> {
  const fixed = opts.hosts.get(domain);
  if (fixed) return [{ host: fixed.host, port: fixed.port, directTls: false }];
  const bare = domain.startsWith('[') && domain.endsWith(']') ? domain.slice(1, -1) : domain;
  if (net.isIP(bare)) return [{ host: bare, port: DEFAULT_S2S_PORT, directTls: false }];
  if (/\.local\.?$/i.test(domain)) {
    const ask = opts.resolveLocalName ?? ((name, ms) => resolveLocal(name, { timeoutMs: ms, interfaces: opts.interfaces }));
    let addresses: string[];
    try {
      addresses = await ask(domain, Math.min(3000, opts.timeoutMs));
    } catch (err) {
      throw new RemoteNotFoundError(`nobody on the local network answered for ${domain} (${(err as Error).message})`);
    }
    return addresses.map((address) => ({ host: address, port: DEFAULT_S2S_PORT, directTls: false }));
  }
  const lookups = opts.dns ?? systemDns;
  const [plain, direct] = await Promise.allSettled([
    withTimeout(lookups.resolveSrv(`_xmpp-server._tcp.${domain}`), opts.timeoutMs, 'the SRV lookup'),
    withTimeout(lookups.resolveSrv(`_xmpps-server._tcp.${domain}`), opts.timeoutMs, 'the SRV lookup'),
  ]);
  const records: { rec: dns.SrvRecord; directTls: boolean }[] = [];
  let explicitlyNone = false;
  for (const [result, directTls] of [[plain, false], [direct, true]] as const) {
    if (result.status !== 'fulfilled') continue;
    // RFC 2782: a single record with target "." says the service is decidedly not available at this domain.
    if (result.value.length === 1 && (result.value[0].name === '.' || result.value[0].name === '')) {
      explicitlyNone = true;
      continue;
    }
    for (const rec of result.value) records.push({ rec, directTls });
  }
  if (records.length > 0) return order(records);
  if (explicitlyNone) throw new RemoteNotFoundError(`${domain} says it offers no server-to-server service (SRV target ".")`);
  // No SRV records (or a failed SRV lookup, which proves nothing either way): RFC 6120 §3.2.2's fallback.
  let addresses: { address: string; family: number }[];
  try {
    addresses = await withTimeout(lookups.lookup(domain), opts.timeoutMs, 'the address lookup');
  } catch (err) {
    throw new RemoteNotFoundError(`${domain} has no address in DNS (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (addresses.length === 0) throw new RemoteNotFoundError(`${domain} has no address in DNS`);
  // RFC 6120 §3.2.2: the fallback is the domain itself on the default port; net.connect tries its addresses.
  return addresses.map((a) => ({ host: a.address, port: DEFAULT_S2S_PORT, directTls: false }));
}
