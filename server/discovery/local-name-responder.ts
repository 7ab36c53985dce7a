// Answers mDNS A/AAAA queries for the server's .local name with the addresses of the interface the query came in
// on (RFC 6762 §6.2), and tells conflicting claims on that name apart from our own records.
import os from 'node:os';
import type { MdnsQuestion, MdnsRecord } from 'multicast-dns';
import { hostRecords, isLocalName, normalizeAddress, sameName } from './records.js';
import type { LanInterface } from './interfaces.js';

/** The .local host name that SRV records point at: the domain itself if it is a .local name, else <hostname>.local. */
export function hostNameFor(domain: string): { name: string; owned: boolean } {
  if (isLocalName(domain)) return { name: domain.replace(/\.$/, '').toLowerCase(), owned: true };
  const host = os.hostname().split('.')[0].toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'parley';
  // The machine's own name belongs to the operating system's responder (Avahi, mDNSResponder, Windows): Parley
  // answers it too, with identical data, but neither probes nor defends it.
  return { name: `${host}.local`, owned: false };
}

export class LocalNameResponder {
  /** Every address we have ever announced in this run: our own looped-back or late packets are no conflict. */
  private readonly announced = new Set<string>();

  constructor(readonly name: string, readonly owned: boolean) {}

  records(iface: LanInterface): MdnsRecord[] {
    const v4 = iface.ipv4.map((a) => a.address);
    for (const a of [...v4, ...iface.ipv6]) this.announced.add(normalizeAddress(a));
    return hostRecords(this.name, v4, iface.ipv6);
  }

  /** The records to probe for and defend: ours alone when the name is ours. */
  uniqueRecords(iface: LanInterface): MdnsRecord[] {
    return this.owned ? this.records(iface) : [];
  }

  answer(q: MdnsQuestion, iface: LanInterface): MdnsRecord[] {
    if (!sameName(q.name, this.name)) return [];
    const all = this.records(iface);
    if (q.type === 'ANY') return all;
    return all.filter((r) => r.type === q.type);
  }

  /** A live A/AAAA record for our name with an address that was never ours: someone else claims the name. */
  conflicts(rr: MdnsRecord): boolean {
    if (!this.owned || !sameName(rr.name, this.name) || (rr.ttl ?? 0) === 0) return false;
    if (rr.type !== 'A' && rr.type !== 'AAAA') return false;
    return !this.announced.has(normalizeAddress(String(rr.data)));
  }
}
