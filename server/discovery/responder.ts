// The mDNS responder: answers queries for Parley's records, probes before claiming its names, announces, says
// goodbye, and watches for anyone else claiming the same names (RFC 6762 §6, §8, §9, §10.1).
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import type { MdnsPacket, MdnsRecord } from 'multicast-dns';
import type { LocalNameResponder } from './local-name-responder.js';
import type { ServiceAdvertiser } from './advertiser.js';
import { MDNS_PORT, type MdnsTransport } from './transport.js';
import { compareProposals, forLegacyUnicast, goodbyes, sameName, sameRecord } from './records.js';

export interface Timing {
  /** Between probes, and after the last one (RFC 6762 §8.1: 250 ms). */
  probeIntervalMs: number;
  /** Between the two announcements (RFC 6762 §8.3: at least 1 s). */
  announceIntervalMs: number;
}
export const DEFAULT_TIMING: Timing = { probeIntervalMs: 250, announceIntervalMs: 1000 };

export interface ConflictSeen { name: string; kind: 'host' | 'service'; interface: string; from: string }

const IN_CLASSES = new Set([undefined, 'IN', 'ANY', 'UNKNOWN_32769', 'UNKNOWN_33023']);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref());

export class Responder extends EventEmitter {
  /** Per transport: bumped to abandon a probe sequence (restart after a lost tie-break, or stop). */
  private generation = new WeakMap<MdnsTransport, number>();
  conflicted = false;

  constructor(readonly host: LocalNameResponder, readonly services: ServiceAdvertiser, private readonly timing: Timing = DEFAULT_TIMING) {
    super();
  }

  allRecords(t: MdnsTransport): MdnsRecord[] {
    return [...this.host.records(t.iface), ...this.services.records()];
  }

  private uniqueRecords(t: MdnsTransport): MdnsRecord[] {
    return [...this.host.uniqueRecords(t.iface), ...this.services.uniqueRecords()];
  }

  private probedNames(): string[] {
    return [...(this.host.owned ? [this.host.name] : []), ...this.services.fqdns];
  }

  /** Probe on one interface, then announce there. Resolves false if a conflict or a stop ended it. */
  async claim(t: MdnsTransport): Promise<boolean> {
    const gen = (this.generation.get(t) ?? 0) + 1;
    this.generation.set(t, gen);
    const current = (): boolean => this.generation.get(t) === gen && !this.conflicted;
    t.state = 'probing';
    await sleep(Math.random() * this.timing.probeIntervalMs);
    const questions = this.probedNames().map((name) => ({ name, type: 'ANY' }));
    for (let i = 0; i < 3; i++) {
      if (!current()) return false;
      await t.query(questions, { authorities: this.uniqueRecords(t) }).catch((err: Error) => this.emit('warning', err, t));
      await sleep(this.timing.probeIntervalMs);
    }
    if (!current()) return false;
    t.state = 'announced';
    return this.announce(t, gen);
  }

  /** Announce again without probing (the same link got another address, or lost one). */
  async reannounce(t: MdnsTransport): Promise<boolean> {
    if (t.state !== 'announced' || this.conflicted) return false;
    const gen = (this.generation.get(t) ?? 0) + 1;
    this.generation.set(t, gen);
    return this.announce(t, gen);
  }

  /** Two unsolicited responses with every record, a second apart (RFC 6762 §8.3). */
  private async announce(t: MdnsTransport, gen: number): Promise<boolean> {
    for (let i = 0; i < 2; i++) {
      if (i > 0) await sleep(this.timing.announceIntervalMs);
      if (this.generation.get(t) !== gen || this.conflicted || t.state !== 'announced') return false;
      await t.respond({ answers: this.allRecords(t) }).catch((err: Error) => this.emit('warning', err, t));
      if (i === 0) this.emit('announced', t);
    }
    return true;
  }

  /** Abandon any probing on t (it is being closed or discovery is turned off). */
  release(t: MdnsTransport): void {
    this.generation.set(t, (this.generation.get(t) ?? 0) + 1);
    t.state = 'idle';
  }

  /** Goodbye packets (TTL 0) for everything announced on t, or for the given records. */
  async goodbye(t: MdnsTransport, records: MdnsRecord[] = this.allRecords(t)): Promise<void> {
    const wasAnnounced = t.state === 'announced';
    this.release(t);
    if (wasAnnounced) await this.sendGoodbyes(t, records);
  }

  /** Goodbyes for some records only, the rest staying announced (addresses that went away). */
  async sendGoodbyes(t: MdnsTransport, records: MdnsRecord[]): Promise<void> {
    if (t.state === 'probing' || records.length === 0) return;
    await t.respond({ answers: goodbyes(records) }).catch((err: Error) => this.emit('warning', err, t));
  }

  onQuery(packet: MdnsPacket, rinfo: RemoteInfo, t: MdnsTransport): void {
    if (packet.authorities.length > 0 && t.state === 'probing') this.tieBreak(packet, t);
    if (t.state !== 'announced') return;
    const hostRecords = this.host.records(t.iface);
    const answers: MdnsRecord[] = [];
    const additionals: MdnsRecord[] = [];
    for (const q of packet.questions) {
      if (!IN_CLASSES.has(q.class)) continue;
      answers.push(...this.host.answer(q, t.iface));
      const s = this.services.answer(q, hostRecords);
      answers.push(...s.answers);
      additionals.push(...s.additionals);
    }
    const legacy = rinfo.port !== MDNS_PORT;
    // Known-answer suppression (RFC 6762 §7.1): the asker already holds these with at least half their TTL.
    const fresh = legacy ? answers : answers.filter((a) => !packet.answers.some((k) => sameRecord(k, a) && (k.ttl ?? 0) >= (a.ttl ?? 0) / 2));
    const unique = dedupe(fresh);
    if (unique.length === 0) return;
    const extra = dedupe(additionals).filter((x) => !unique.some((a) => sameRecord(a, x)));
    const reply = legacy
      // A one-shot query from an ordinary resolver port: answer it by unicast, echoing id and questions (§6.7).
      ? t.respond({ id: packet.id ?? 0, questions: packet.questions, answers: forLegacyUnicast(unique), additionals: forLegacyUnicast(extra) }, { address: rinfo.address, port: rinfo.port })
      : t.respond({ answers: unique, additionals: extra });
    reply.catch((err: Error) => this.emit('warning', err, t));
  }

  onResponse(packet: MdnsPacket, rinfo: RemoteInfo, t: MdnsTransport): void {
    if (this.conflicted) return;
    for (const rr of [...packet.answers, ...packet.additionals]) {
      const kind = this.host.conflicts(rr) ? 'host' : this.services.conflicts(rr) ? 'service' : null;
      if (!kind) continue;
      const seen: ConflictSeen = { name: rr.name, kind, interface: t.iface.name, from: rinfo.address };
      if (t.state === 'probing') {
        this.conflicted = true;
        this.emit('conflict', seen);
      } else if (t.state === 'announced') {
        // A conflict after announcing: go back to probing (RFC 6762 §9); whoever really holds the name answers.
        this.emit('reprobe', seen, t);
      }
      return;
    }
  }

  /** Simultaneous probes for the same name (RFC 6762 §8.2): the lexicographically later proposal wins. */
  private tieBreak(packet: MdnsPacket, t: MdnsTransport): void {
    const ours = this.uniqueRecords(t);
    for (const name of this.probedNames()) {
      const theirs = packet.authorities.filter((r) => sameName(r.name, name));
      if (theirs.length === 0) continue;
      const mine = ours.filter((r) => sameName(r.name, name));
      const c = compareProposals(mine, theirs);
      if (c < 0) {
        this.release(t);
        this.emit('lost-tie', name, t);
        setTimeout(() => { if (!this.conflicted) void this.claim(t); }, 1000).unref();
        return;
      }
    }
  }
}

function dedupe(records: MdnsRecord[]): MdnsRecord[] {
  const out: MdnsRecord[] = [];
  for (const r of records) if (!out.some((o) => sameRecord(o, r))) out.push(r);
  return out;
}
