// DNS-SD advertisement of Parley's XMPP services (RFC 6763, XEP-0368 for _xmpps-client): PTR, SRV and TXT
// records, and the answers to service queries.
import type { MdnsQuestion, MdnsRecord } from 'multicast-dns';
import { SERVICES_META, instanceName, sameName, sameRecord, serviceFqdn, serviceRecords, txtStrings, type AdvertisedInfo, type ServiceSpec } from './records.js';

export class ServiceAdvertiser {
  readonly instance: string;
  private readonly all: MdnsRecord[];

  constructor(readonly info: AdvertisedInfo, readonly services: readonly ServiceSpec[], readonly host: string) {
    this.instance = instanceName(info.domain);
    const txt = txtStrings(info);
    this.all = services.flatMap((s) => serviceRecords(this.instance, s, host, txt));
  }

  get fqdns(): string[] {
    return this.services.map((s) => serviceFqdn(this.instance, s.type));
  }

  records(): MdnsRecord[] {
    return this.all.slice();
  }

  /** SRV and TXT are unique to this instance: probed before use and defended after. */
  uniqueRecords(): MdnsRecord[] {
    return this.all.filter((r) => r.type === 'SRV' || r.type === 'TXT');
  }

  /** Answers to one question; `hostRecords` go along as additionals wherever an SRV does (RFC 6763 §12). */
  answer(q: MdnsQuestion, hostRecords: MdnsRecord[]): { answers: MdnsRecord[]; additionals: MdnsRecord[] } {
    const answers: MdnsRecord[] = [];
    const additionals: MdnsRecord[] = [];
    const any = q.type === 'ANY';
    for (const r of this.all) {
      if (!sameName(r.name, q.name) || !(any || r.type === q.type)) continue;
      if (r.type === 'PTR' && sameName(r.name, SERVICES_META) && answers.some((a) => sameRecord(a, r))) continue;
      answers.push(r);
      if (r.type === 'PTR' && !sameName(r.name, SERVICES_META)) {
        additionals.push(...this.all.filter((x) => (x.type === 'SRV' || x.type === 'TXT') && sameName(x.name, String(r.data))));
        additionals.push(...hostRecords);
      } else if (r.type === 'SRV') {
        additionals.push(...hostRecords);
      }
    }
    return { answers, additionals };
  }

  /** A live SRV for one of our instance names that is not ours. */
  conflicts(rr: MdnsRecord): boolean {
    if (rr.type !== 'SRV' || (rr.ttl ?? 0) === 0) return false;
    const ours = this.all.filter((r) => r.type === 'SRV' && sameName(r.name, rr.name));
    return ours.length > 0 && !ours.some((r) => sameRecord(r, rr));
  }
}
