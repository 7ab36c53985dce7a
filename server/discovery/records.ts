// DNS-SD / mDNS resource records for Parley (RFC 6762, RFC 6763): service types, instance names, TXT, host
// records, goodbyes, and the comparisons that conflict detection and simultaneous-probe tie-breaking need.
import net from 'node:net';
import type { MdnsRecord } from 'multicast-dns';

/** Host-related records (A, AAAA, SRV) live 120 s, the rest 75 min (RFC 6762 §10). */
export const TTL_HOST = 120;
export const TTL_OTHER = 4500;
export const SERVICES_META = '_services._dns-sd._udp.local';

export type XmppServiceType = '_xmpp-client._tcp' | '_xmpps-client._tcp' | '_xmpp-server._tcp';
export const XMPP_SERVICE_TYPES: readonly XmppServiceType[] = ['_xmpp-client._tcp', '_xmpps-client._tcp', '_xmpp-server._tcp'];

export interface ServiceSpec { type: XmppServiceType; port: number }

export interface AdvertisedInfo {
  domain: string;
  version: string;
  fingerprintSha256: string;
}

export function sameName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

export function isLocalName(name: string): boolean {
  return /\.local\.?$/i.test(name);
}

/**
 * The DNS-SD instance name for a domain. The domain itself is the intended name, but the DNS encoder in use
 * (dns-packet, as bonjour-service) cannot carry a dot inside a label, so dots become hyphens just as
 * bonjour-service does it (office.local → office-local); the exact domain is in the TXT record.
 */
export function instanceName(domain: string): string {
  return domain.replace(/\.$/, '').split('.').join('-').slice(0, 63);
}

export function serviceFqdn(instance: string, type: XmppServiceType): string {
  return `${instance}.${type}.local`;
}

/** TXT keys stay within nine characters (RFC 6763 §6.4). */
export function txtStrings(info: AdvertisedInfo): string[] {
  return ['txtvers=1', `domain=${info.domain}`, 'server=Parley', `version=${info.version}`, `sha256=${info.fingerprintSha256}`];
}

export function serviceRecords(instance: string, spec: ServiceSpec, host: string, txt: string[]): MdnsRecord[] {
  const fqdn = serviceFqdn(instance, spec.type);
  return [
    { name: `${spec.type}.local`, type: 'PTR', ttl: TTL_OTHER, data: fqdn },
    { name: fqdn, type: 'SRV', ttl: TTL_HOST, flush: true, data: { priority: 0, weight: 0, port: spec.port, target: host } },
    { name: fqdn, type: 'TXT', ttl: TTL_OTHER, flush: true, data: txt },
    { name: SERVICES_META, type: 'PTR', ttl: TTL_OTHER, data: `${spec.type}.local` },
  ];
}

export function hostRecords(host: string, ipv4: readonly string[], ipv6: readonly string[]): MdnsRecord[] {
  return [
    ...ipv4.map((a): MdnsRecord => ({ name: host, type: 'A', ttl: TTL_HOST, flush: true, data: a })),
    ...ipv6.map((a): MdnsRecord => ({ name: host, type: 'AAAA', ttl: TTL_HOST, flush: true, data: a })),
  ];
}

export function goodbyes(records: readonly MdnsRecord[]): MdnsRecord[] {
  return records.map((r) => ({ ...r, ttl: 0 }));
}

/** Records as a legacy unicast reply wants them: TTL at most 10 s, no cache-flush bit (RFC 6762 §6.7). */
export function forLegacyUnicast(records: readonly MdnsRecord[]): MdnsRecord[] {
  return records.map((r) => ({ ...r, ttl: Math.min(r.ttl ?? TTL_HOST, 10), flush: false }));
}

export function normalizeAddress(a: string): string {
  const bare = a.split('%')[0].toLowerCase();
  if (net.isIPv6(bare)) return expandIpv6(bare);
  return bare;
}

function expandIpv6(a: string): string {
  const [head, tail = ''] = a.includes('::') ? a.split('::') : [a, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const missing = a.includes('::') ? 8 - h.length - t.length : 0;
  return [...h, ...Array(missing).fill('0'), ...t].map((g) => g.padStart(4, '0')).join(':');
}

function rdataBytes(r: MdnsRecord): Buffer {
  switch (r.type) {
    case 'A':
      return Buffer.from(String(r.data).split('.').map(Number));
    case 'AAAA':
      return Buffer.from(normalizeAddress(String(r.data)).replace(/:/g, ''), 'hex');
    case 'SRV': {
      const d = r.data as { priority?: number; weight?: number; port: number; target: string };
      const b = Buffer.alloc(6);
      b.writeUInt16BE(d.priority ?? 0, 0);
      b.writeUInt16BE(d.weight ?? 0, 2);
      b.writeUInt16BE(d.port, 4);
      return Buffer.concat([b, Buffer.from(d.target.toLowerCase())]);
    }
    case 'TXT':
      return Buffer.concat((r.data as (string | Buffer)[]).map((s) => Buffer.from(s)));
    default:
      return Buffer.from(JSON.stringify(r.data ?? null));
  }
}

const TYPE_CODE: Record<string, number> = { A: 1, PTR: 12, TXT: 16, AAAA: 28, SRV: 33 };

/** Same name, type and data (TTL and flags aside). */
export function sameRecord(a: MdnsRecord, b: MdnsRecord): boolean {
  return a.type === b.type && sameName(a.name, b.name) && rdataBytes(a).equals(rdataBytes(b));
}

/**
 * RFC 6762 §8.2 tie-break between two sets of records proposed for one name: > 0 when `ours` wins, < 0 when
 * `theirs` wins, 0 when they are identical (the other prober is ourselves, or asks for exactly what we do).
 */
export function compareProposals(ours: readonly MdnsRecord[], theirs: readonly MdnsRecord[]): number {
  const key = (r: MdnsRecord): [number, Buffer] => [TYPE_CODE[r.type] ?? 0, rdataBytes(r)];
  const cmp = (x: [number, Buffer], y: [number, Buffer]): number => (x[0] - y[0]) || Buffer.compare(x[1], y[1]);
  const a = ours.map(key).sort(cmp);
  const b = theirs.map(key).sort(cmp);
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = cmp(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/** The next name to suggest after a conflict: office.local → office-2.local → office-3.local. */
export function nextName(domain: string): string {
  const m = /^(.*?)(?:-(\d+))?(\.local)$/i.exec(domain);
  if (m) return `${m[1]}-${m[2] ? Number(m[2]) + 1 : 2}${m[3]}`;
  const [first, ...rest] = domain.split('.');
  const n = /^(.*?)-(\d+)$/.exec(first);
  return [n ? `${n[1]}-${Number(n[2]) + 1}` : `${first}-2`, ...rest].join('.');
}
