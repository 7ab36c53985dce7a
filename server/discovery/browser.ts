// Browses the LAN for other XMPP servers (_xmpp-client._tcp, _xmpps-client._tcp, _xmpp-server._tcp) with
// bonjour-service's Browser on Parley's own per-interface mDNS sockets, for the setup wizard and the dashboard.
import { EventEmitter } from 'node:events';
import BonjourPkg from 'bonjour-service';
import type { MdnsTransport } from './transport.js';
import type { XmppServiceType } from './records.js';

type BonjourBrowser = InstanceType<typeof BonjourPkg.Browser>;
type BonjourService = InstanceType<typeof BonjourPkg.Service>;

export interface PeerServer {
  /** DNS-SD instance name as advertised. */
  name: string;
  /** The XMPP domain from TXT `domain=`, or the instance name when the peer gives none. */
  domain: string;
  /** SRV target (a .local host name). */
  host: string;
  ports: Partial<Record<XmppServiceType, number>>;
  addresses: string[];
  software?: string;
  version?: string;
  fingerprintSha256?: string;
  /** Interface it was seen on. */
  interface: string;
  lastSeen: number;
}

const TYPES: [string, XmppServiceType][] = [['xmpp-client', '_xmpp-client._tcp'], ['xmpps-client', '_xmpps-client._tcp'], ['xmpp-server', '_xmpp-server._tcp']];

interface Attached { browsers: BonjourBrowser[]; timer: NodeJS.Timeout; expiry: NodeJS.Timeout }

export class PeerBrowser extends EventEmitter {
  private readonly attached = new Map<MdnsTransport, Attached>();
  private readonly found = new Map<string, PeerServer>();

  /** `isSelf` tells our own advertisement apart (it comes back to us over multicast loopback). */
  constructor(private readonly isSelf: (txt: Record<string, string>, host: string) => boolean = () => false, private readonly maxRequeryMs = 10 * 60_000) {
    super();
  }

  attach(t: MdnsTransport): void {
    if (this.attached.has(t)) return;
    const browsers = TYPES.map(([type, full]) => {
      const b = new BonjourPkg.Browser(t.browserView, { type, protocol: 'tcp' });
      b.on('up', (s: BonjourService) => this.up(s, full, t));
      b.on('srv-update', (s: BonjourService) => this.up(s, full, t));
      b.on('txt-update', (s: BonjourService) => this.up(s, full, t));
      b.on('down', (s: BonjourService) => this.down(s, full));
      return b;
    });
    // Continuous querying with doubling intervals (RFC 6762 §5.2), capped.
    let delay = 1000;
    const requery = (): void => {
      for (const b of browsers) b.update();
      delay = Math.min(delay * 2, this.maxRequeryMs);
      entry.timer = setTimeout(requery, delay).unref();
    };
    const entry: Attached = { browsers, timer: setTimeout(requery, delay).unref(), expiry: setInterval(() => browsers.forEach((b) => b.expire()), 10_000).unref() };
    this.attached.set(t, entry);
  }

  detach(t: MdnsTransport): void {
    const a = this.attached.get(t);
    if (!a) return;
    clearTimeout(a.timer);
    clearInterval(a.expiry);
    for (const b of a.browsers) b.stop();
    this.attached.delete(t);
    let changed = false;
    for (const [k, p] of this.found) if (p.interface === t.iface.name) { this.found.delete(k); changed = true; }
    if (changed) this.emit('change', this.peers());
  }

  peers(): PeerServer[] {
    return [...this.found.values()].sort((a, b) => a.domain.localeCompare(b.domain));
  }

  private key(s: BonjourService): string {
    return `${s.name}|${(s.host ?? '').toLowerCase()}`;
  }

  private up(s: BonjourService, type: XmppServiceType, t: MdnsTransport): void {
    const txt = (s.txt ?? {}) as Record<string, string>;
    if (this.isSelf(txt, s.host ?? '')) return;
    const key = this.key(s);
    const prev = this.found.get(key);
    const peer: PeerServer = {
      name: s.name,
      domain: txt.domain ?? prev?.domain ?? s.name,
      host: s.host,
      ports: { ...prev?.ports, [type]: s.port },
      addresses: [...new Set([...(prev?.addresses ?? []), ...(s.addresses ?? [])])],
      software: txt.server ?? prev?.software,
      version: txt.version ?? prev?.version,
      fingerprintSha256: txt.sha256 ?? prev?.fingerprintSha256,
      interface: t.iface.name,
      lastSeen: Date.now(),
    };
    this.found.set(key, peer);
    this.emit('change', this.peers());
  }

  private down(s: BonjourService, type: XmppServiceType): void {
    const key = this.key(s);
    const p = this.found.get(key);
    if (!p) return;
    delete p.ports[type];
    if (Object.keys(p.ports).length === 0) this.found.delete(key);
    this.emit('change', this.peers());
  }
}
