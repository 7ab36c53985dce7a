// Discovery: zero-configuration presence of Parley on the LAN. Advertises the XMPP services over DNS-SD, answers
// for the server's .local name, browses for other XMPP servers, says goodbye when stopped or turned off, and
// follows address changes. A name conflict is reported (event + `conflicts`), never silently renamed around.
import { EventEmitter } from 'node:events';
import type { Logger } from '../core/log.js';
import { interfacesKey, isWildcardBind, listLanInterfaces, reachableFrom, type LanInterface } from './interfaces.js';
import { MdnsTransport } from './transport.js';
import { LocalNameResponder, hostNameFor } from './local-name-responder.js';
import { ServiceAdvertiser } from './advertiser.js';
import { PeerBrowser, type PeerServer } from './browser.js';
import { Responder, DEFAULT_TIMING, type ConflictSeen, type Timing } from './responder.js';
import { nextName, type ServiceSpec } from './records.js';
import { isLocalNameTaken } from './resolve-local.js';

export type { PeerServer } from './browser.js';
export type { LanInterface } from './interfaces.js';
export { listLanInterfaces } from './interfaces.js';
export { resolveLocal, resolveLocalDetailed, isLocalNameTaken, LocalNameNotFoundError } from './resolve-local.js';

export interface DiscoveryOptions {
  domain: string;
  version: string;
  fingerprintSha256: string;
  /** Bound ports; a service is advertised for each one present (s2s only when federation listens). */
  ports: { c2s?: number; tls?: number; s2s?: number };
  /** Interface names to use; default every LAN interface (no loopback-only, VPN or virtual bridge). */
  interfaces?: readonly string[];
  /** The address the listeners are bound to: only interfaces that can reach it are used (see reachableFrom). */
  bind?: string;
  logger?: Logger;
  /** How often to look for address changes (default 3000 ms). */
  addressPollMs?: number;
  timing?: Timing;
}

export interface DiscoveryConflict {
  /** The name someone else already uses. */
  name: string;
  kind: 'host' | 'service';
  interface: string;
  /** Address of the device that answered for it. */
  from: string;
  /** A domain that nobody on the LAN answered for when we checked. */
  suggestion: string;
  /** A sentence for the GUI. */
  message: string;
  at: number;
}

export interface DiscoveryStatus {
  enabled: boolean;
  domain: string;
  hostName: string;
  instance: string;
  interfaces: { name: string; addresses: string[]; state: string }[];
  conflicts: DiscoveryConflict[];
  peers: PeerServer[];
}

/**
 * Events: 'announced' (interface name), 'withdrawn' (), 'conflict' (DiscoveryConflict), 'peers' (PeerServer[]),
 * 'interfaces' (names), 'status' (DiscoveryStatus) after any of them.
 */
export class Discovery extends EventEmitter {
  readonly conflicts: DiscoveryConflict[] = [];
  private readonly transports = new Map<string, MdnsTransport>();
  private readonly responder: Responder;
  private readonly browser: PeerBrowser;
  private readonly log: Logger | null;
  private poll: NodeJS.Timeout | null = null;
  private ifKey = '';
  private running = false;
  private busy: Promise<void> = Promise.resolve();

  private readonly opts: DiscoveryOptions;

  constructor(opts: DiscoveryOptions) {
    super();
    // From a hand-edited config.json anything may come: keep the interface names that are strings.
    const chosen: unknown = opts.interfaces;
    this.opts = { ...opts, interfaces: Array.isArray(chosen) ? chosen.filter((x): x is string => typeof x === 'string') : typeof chosen === 'string' ? [chosen] : undefined };
    this.log = opts.logger ?? null;
    const host = hostNameFor(opts.domain);
    const services: ServiceSpec[] = [];
    if (opts.ports.c2s) services.push({ type: '_xmpp-client._tcp', port: opts.ports.c2s });
    if (opts.ports.tls) services.push({ type: '_xmpps-client._tcp', port: opts.ports.tls });
    if (opts.ports.s2s) services.push({ type: '_xmpp-server._tcp', port: opts.ports.s2s });
    const info = { domain: opts.domain, version: opts.version, fingerprintSha256: opts.fingerprintSha256 };
    this.responder = new Responder(new LocalNameResponder(host.name, host.owned), new ServiceAdvertiser(info, services, host.name), opts.timing ?? DEFAULT_TIMING);
    this.responder.on('announced', (t: MdnsTransport) => {
      this.log?.info('discovery', `announced ${opts.domain} on ${t.iface.name} (${t.iface.ipv4.map((a) => a.address).join(', ')}): ${services.map((s) => `${s.type} port ${s.port}`).join(', ')}`);
      this.emit('announced', t.iface.name);
      this.emitStatus();
    });
    this.responder.on('conflict', (c: ConflictSeen) => void this.onConflict(c));
    this.responder.on('reprobe', (c: ConflictSeen) => {
      this.log?.warn('discovery', `${c.from} on ${c.interface} now also claims ${c.name}; probing again`);
      for (const t of this.transports.values()) void this.responder.claim(t);
    });
    this.responder.on('lost-tie', (name: string, t: MdnsTransport) => this.log?.debug('discovery', `another device probed for ${name} on ${t.iface.name} at the same time; probing again in 1 s`));
    this.responder.on('warning', (err: Error, t: MdnsTransport) => this.log?.debug('discovery', `${t.iface.name}: ${err.message}`));
    const fingerprint = opts.fingerprintSha256.toUpperCase();
    this.browser = new PeerBrowser((txt) => txt.domain === opts.domain && (txt.sha256 ?? '').toUpperCase() === fingerprint);
    this.browser.on('change', (peers: PeerServer[]) => {
      this.emit('peers', peers);
      this.emitStatus();
    });
  }

  get enabled(): boolean {
    return this.running;
  }

  get hostName(): string {
    return this.responder.host.name;
  }

  peers(): PeerServer[] {
    return this.browser.peers();
  }

  status(): DiscoveryStatus {
    return {
      enabled: this.running,
      domain: this.opts.domain,
      hostName: this.responder.host.name,
      instance: this.responder.services.instance,
      interfaces: [...this.transports.values()].map((t) => ({ name: t.iface.name, addresses: [...t.iface.ipv4.map((a) => a.address), ...t.iface.ipv6], state: this.responder.conflicted ? 'conflict' : t.state })),
      conflicts: this.conflicts.slice(),
      peers: this.peers(),
    };
  }

  /** Open the sockets and start probing; probing and announcing go on in the background. */
  start(): Promise<void> {
    return this.serialize(async () => {
      if (this.running) return;
      this.running = true;
      this.responder.conflicted = false;
      await this.sync();
      this.poll = setInterval(() => void this.serialize(() => this.sync()), this.opts.addressPollMs ?? 3000);
      this.poll.unref();
    });
  }

  /** Goodbye packets on every interface, then close everything. */
  stop(): Promise<void> {
    return this.serialize(async () => {
      if (!this.running) return;
      this.running = false;
      if (this.poll) clearInterval(this.poll);
      this.poll = null;
      const all = [...this.transports.values()];
      this.transports.clear();
      await Promise.all(all.map(async (t) => {
        await this.responder.goodbye(t);
        this.browser.detach(t);
        await t.close();
      }));
      this.ifKey = '';
      this.log?.info('discovery', 'stopped announcing on the local network');
      this.emit('withdrawn');
      this.emitStatus();
    });
  }

  setEnabled(on: boolean): Promise<void> {
    return on ? this.start() : this.stop();
  }

  /** Try again after a conflict (e.g. once the other device is gone). */
  async retry(): Promise<void> {
    await this.stop();
    this.conflicts.length = 0;
    await this.start();
  }

  private serialize(job: () => Promise<void>): Promise<void> {
    const next = this.busy.then(job, job);
    this.busy = next.catch(() => undefined);
    return next;
  }

  private emitStatus(): void {
    this.emit('status', this.status());
  }

  /** Bring the open sockets in line with the chosen interfaces and their current addresses. */
  private async sync(): Promise<void> {
    if (!this.running) return;
    const wanted = reachableFrom(listLanInterfaces(this.opts.interfaces), this.opts.bind);
    const key = interfacesKey(wanted);
    if (key === this.ifKey) return;
    const first = this.ifKey === '';
    this.ifKey = key;
    const byName = new Map(wanted.map((i) => [i.name, i]));
    for (const [name, t] of [...this.transports]) {
      const now = byName.get(name);
      if (now && interfacesKey([now]) === interfacesKey([t.iface])) continue;
      const stale = now ? this.responder.allRecords(t).filter((r) => (r.type === 'A' || r.type === 'AAAA') && ![...now.ipv4.map((a) => a.address), ...now.ipv6].includes(String(r.data))) : undefined;
      if (now && now.ipv4[0].address === t.address) {
        // Same link, same socket: goodbye for the addresses that went, announce the ones that came.
        await this.responder.sendGoodbyes(t, stale ?? []);
        t.iface = now;
        this.log?.info('discovery', `addresses of ${name} changed; announcing again`);
        void this.responder.reannounce(t);
        continue;
      }
      // Gone, or its main address changed (another network): goodbye for what no longer holds, then start over.
      await this.responder.goodbye(t, stale);
      this.browser.detach(t);
      await t.close();
      this.transports.delete(name);
      if (!first) this.log?.info('discovery', now ? `addresses of ${name} changed; announcing again` : `${name} is gone`);
    }
    for (const iface of wanted) if (!this.transports.has(iface.name)) await this.open(iface);
    if (this.transports.size === 0 && !isWildcardBind(this.opts.bind)) {
      if (first) this.log?.info('discovery', `Parley listens only on ${this.opts.bind} and no LAN interface has that address, so it is not announced on the network; use --bind 0.0.0.0 to be found`);
    } else if (this.transports.size === 0) this.log?.warn('discovery', this.opts.interfaces?.length ? `none of the chosen interfaces (${this.opts.interfaces.join(', ')}) is up with an IPv4 address; nothing is announced` : 'no LAN interface is up; Parley will announce itself when one is');
    this.emit('interfaces', [...this.transports.keys()]);
    this.emitStatus();
  }

  private async open(iface: LanInterface): Promise<void> {
    const t = new MdnsTransport(iface, (addr, self) => this.accepts(addr, self));
    try {
      await t.open(
        (p, r, tt) => this.responder.onQuery(p, r, tt),
        (p, r, tt) => this.responder.onResponse(p, r, tt),
        (err) => this.log?.debug('discovery', `${iface.name}: ${err.message}`),
      );
    } catch (err) {
      this.log?.warn('discovery', `cannot use ${iface.name} for discovery: ${(err as Error).message}`);
      return;
    }
    this.transports.set(iface.name, t);
    this.browser.attach(t);
    if (!this.responder.conflicted) void this.responder.claim(t);
  }

  /** A packet belongs to the interface whose subnet its source is on; one from no known subnet, to all. */
  private accepts(address: string, t: MdnsTransport): boolean {
    if (t.owns(address)) return true;
    for (const other of this.transports.values()) if (other !== t && other.owns(address)) return false;
    return true;
  }

  private async onConflict(c: ConflictSeen): Promise<void> {
    // Stop answering everywhere: our records would send clients to the wrong machine, or fight the owner's.
    for (const t of this.transports.values()) this.responder.release(t);
    const suggestion = await this.suggest();
    const what = c.kind === 'host' ? `the name ${c.name}` : `the service name ${c.name}`;
    const message = `Another device on the network (${c.from}, via ${c.interface}) already uses ${what}. Parley is not announcing itself, so that device keeps its name. Choose another domain for this server, for example ${suggestion}.`;
    const conflict: DiscoveryConflict = { ...c, suggestion, message, at: Date.now() };
    this.conflicts.push(conflict);
    this.log?.warn('discovery', `name conflict: ${message}`);
    this.emit('conflict', conflict);
    this.emitStatus();
  }

  /** The first of office-2.local, office-3.local… that nobody answers for (checked for .local names only). */
  private async suggest(): Promise<string> {
    let candidate = nextName(this.opts.domain);
    const ifaces = [...this.transports.values()].map((t) => t.iface);
    if (!/\.local$/i.test(candidate) || ifaces.length === 0) return candidate;
    for (let i = 0; i < 4; i++) {
      const taken = await isLocalNameTaken(candidate, { interfaces: ifaces, timeoutMs: 600 }).catch(() => false);
      if (!taken) return candidate;
      candidate = nextName(candidate);
    }
    return candidate;
  }
}

