// One mDNS socket per chosen interface (224.0.0.251:5353, IPv4). Packets are passed on only when they came from
// this interface's subnets (or from no chosen interface's subnet at all), since on Linux every socket bound to
// 0.0.0.0:5353 hears the group on every interface.
import { EventEmitter } from 'node:events';
import type { RemoteInfo } from 'node:dgram';
import multicastDns, { type MulticastDns, type MdnsPacket, type MdnsRecord, type MdnsQuestion, type Target } from 'multicast-dns';
import { onSubnet, type LanInterface } from './interfaces.js';

export const MDNS_PORT = 5353;
export const MDNS_GROUP = '224.0.0.251';

export type PacketHandler = (packet: MdnsPacket, rinfo: RemoteInfo, transport: MdnsTransport) => void;

/** The surface bonjour-service's Browser needs from a multicast-dns instance. */
export interface BrowserMdns extends EventEmitter {
  query(name: string, type: string): void;
}

export class MdnsTransport {
  private mdns: MulticastDns | null = null;
  /** Filtered responses and a query method, for bonjour-service's Browser. */
  readonly browserView: BrowserMdns;
  state: 'probing' | 'announced' | 'idle' = 'idle';

  constructor(public iface: LanInterface, private readonly accepts: (address: string, t: MdnsTransport) => boolean) {
    const view = new EventEmitter() as BrowserMdns;
    view.setMaxListeners(0);
    view.query = (name: string, type: string) => { void this.query([{ name, type }]).catch(() => undefined); };
    this.browserView = view;
  }

  get address(): string {
    return this.iface.ipv4[0].address;
  }

  /** Does a packet from this source belong to this interface? */
  owns(address: string): boolean {
    return onSubnet(this.iface, address);
  }

  async open(onQuery: PacketHandler, onResponse: PacketHandler, onWarning: (err: Error) => void): Promise<void> {
    const mdns = multicastDns({ interface: this.address, bind: '0.0.0.0', port: MDNS_PORT, reuseAddr: true, loopback: true, ttl: 255 });
    this.mdns = mdns;
    mdns.on('warning', onWarning);
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      mdns.once('error', onError);
      mdns.once('ready', () => {
        mdns.removeListener('error', onError);
        mdns.on('error', onWarning);
        resolve();
      });
    }).catch((err: unknown) => {
      this.mdns = null;
      mdns.destroy();
      throw err;
    });
    mdns.on('query', (p, r) => { if (this.accepts(r.address, this)) onQuery(normalize(p), r, this); });
    mdns.on('response', (p, r) => {
      if (!this.accepts(r.address, this)) return;
      const packet = normalize(p);
      onResponse(packet, r, this);
      this.browserView.emit('response', packet, r);
    });
  }

  private send(packet: Partial<MdnsPacket>, to: Target | null): Promise<void> {
    const mdns = this.mdns;
    if (!mdns) return Promise.resolve();
    return new Promise((resolve, reject) => mdns.send(packet, to ?? { address: MDNS_GROUP, port: MDNS_PORT }, (err) => (err ? reject(err) : resolve())));
  }

  /** A response (authoritative), multicast unless `to` is given. */
  respond(packet: { answers: MdnsRecord[]; additionals?: MdnsRecord[]; questions?: MdnsQuestion[]; id?: number }, to: Target | null = null): Promise<void> {
    return this.send({ type: 'response', flags: 1 << 10, id: 0, ...packet }, to);
  }

  query(questions: MdnsQuestion[], extra: { answers?: MdnsRecord[]; authorities?: MdnsRecord[] } = {}): Promise<void> {
    return this.send({ type: 'query', id: 0, questions, ...extra }, null);
  }

  async close(): Promise<void> {
    const mdns = this.mdns;
    this.mdns = null;
    this.state = 'idle';
    if (mdns) await new Promise<void>((resolve) => mdns.destroy(() => resolve()));
  }
}

function normalize(p: MdnsPacket): MdnsPacket {
  return { ...p, questions: p.questions ?? [], answers: p.answers ?? [], authorities: p.authorities ?? [], additionals: p.additionals ?? [] };
}
