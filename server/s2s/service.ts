// Federation (RFC 6120 server-to-server): the s2s listener (config.s2sPort), the inbound streams, one outbound
// stream per remote domain, and the router's `route/remote` handler through which the server reaches other domains.
// Runs only while s2sPort is set: dialback needs peers to be able to call back, so there is no outbound-only mode.
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { el, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { tryParseJid } from '../core/jid.js';
import { stanzaErrorReply, type StanzaErrorCondition } from '../core/errors.js';
import { listen } from '../core/listeners.js';
import { ConnectionCounter } from '../core/limits.js';
import { REMOTE_KEY, type StanzaKind } from '../core/router.js';
import type { ModuleContext } from '../modules/module.js';
import type { CertBundle } from '../certs/index.js';
import { DialbackKeys } from './dialback-key.js';
import { s2sSettings, type S2sSettings } from './settings.js';
import { S2sTls } from './tls-trust.js';
import { InboundS2s } from './inbound.js';
import { OutboundS2s } from './outbound.js';
import type { S2sEvents, S2sHost, VerifyOutcome } from './types.js';

export interface S2sOptions {
  /** The server's current certificate (for TLS and SASL EXTERNAL). */
  certificate: () => CertBundle | null;
}

export class S2sService implements S2sHost {
  readonly keys = new DialbackKeys();
  readonly events = new EventEmitter<S2sEvents>();
  readonly tls: S2sTls;
  /** The bound s2s port (config.s2sPort with 0 resolved). */
  port = 0;
  private server: net.Server | null = null;
  private readonly inbound = new Set<InboundS2s>();
  private readonly outbound = new Map<string, OutboundS2s>();
  /** Outbound streams replaced by a newer one for their domain but not closed yet. */
  private readonly retired = new Set<OutboundS2s>();
  private sweeper: NodeJS.Timeout | null = null;
  private unhookRemote: (() => void) | null = null;
  private stopping = false;

  private constructor(readonly ctx: ModuleContext, readonly settings: S2sSettings, opts: S2sOptions) {
    this.tls = new S2sTls(opts.certificate, settings.trustedCas);
  }

  /** Check the settings, listen on config.s2sPort and deliver what the router has for other domains. */
  static async start(ctx: ModuleContext, opts: S2sOptions): Promise<S2sService> {
    const port = ctx.config.s2sPort;
    if (port === null) throw new Error('federation is off (s2sPort is not set)');
    const svc = new S2sService(ctx, s2sSettings(ctx.config), opts);
    await svc.listen(port);
    // Delivery to another domain is a router handler like any other: outbound filters have run before it.
    svc.unhookRemote = ctx.router.hook(REMOTE_KEY, (ev) => {
      svc.sendRemote(ev.stanza);
      return true;
    });
    return svc;
  }

  private async listen(port: number): Promise<void> {
    const { config, log } = this.ctx;
    const limits = config.limits;
    const counter = new ConnectionCounter(limits.maxConnectionsPerIp, limits.maxConnections);
    const server = net.createServer((socket) => {
      const ip = socket.remoteAddress ?? 'unknown';
      const refused = counter.acquire(ip);
      const s = new InboundS2s(this, socket, (x) => {
        this.inbound.delete(x);
        if (!refused) counter.release(ip);
      });
      this.inbound.add(s);
      if (refused) s.closeWithError(refused === 'per-ip' ? 'policy-violation' : 'resource-constraint', 'too many connections');
    });
    this.port = await listen(server, config.bind, port, 'server-to-server connections', '--s2s-port');
    this.server = server;
    log.info('server', `listening for other servers (federation) on ${config.bind}:${this.port}`);
    const sweepMs = Math.max(1000, Math.min(this.settings.idleMs / 4, 60_000));
    this.sweeper = setInterval(() => this.sweep(), sweepMs);
    this.sweeper.unref();
  }

  /** RFC 6120 has no idle limit; we close streams nobody used for s2sIdleSeconds (they are reopened on demand). */
  private sweep(): void {
    const limit = Date.now() - this.settings.idleMs;
    for (const s of [...this.inbound, ...this.outbound.values()]) {
      if (s.usable && !s.waiting && s.lastActivity < limit) {
        this.ctx.log.debug('s2s', `${s.id}: idle, closing`);
        s.closeStream();
      }
    }
  }

  // ---- to other domains -------------------------------------------------------------------------------------

  sendRemote(stanza: Element): void {
    const a = stanza.attrs as Record<string, string | undefined>;
    const to = tryParseJid(a.to);
    const from = tryParseJid(a.from);
    if (!to || !from || this.ctx.isLocalDomain(to.domain) || !this.ctx.isLocalDomain(from.domain)) {
      // Only our own entities' stanzas go out, and only to other domains: never relay (BAD-28).
      this.ctx.log.debug('s2s', `not sending a ${stanza.name} from ${String(a.from)} to ${String(a.to)} over federation`);
      return;
    }
    if (this.stopping) return this.bounce(stanza, 'remote-server-timeout', 'the server is stopping');
    this.outboundFor(to.domain, from.domain).send(serverNamespace(stanza), from.domain);
  }

  /**
   * The one outbound stream to `domain` (S2S-10): every local domain — the main one and each service host
   * (conference.<domain>…) — authenticates on it as a sender of its own (XEP-0220 multiplexing; Prosody accepts it).
   * A new stream's header names `localFrom`, the local domain it is opened for: a service host's first stanza to a
   * domain opens it as that host, so SASL EXTERNAL (XEP-0178, authzid = the header's `from`) can authenticate it with
   * our certificate (which names conference.<domain> too) instead of dialback.
   */
  private outboundFor(domain: string, localFrom: string): OutboundS2s {
    let o = this.outbound.get(domain);
    if (!o || !o.usable || o.failed) {
      if (o) this.retired.add(o);
      o = new OutboundS2s(this, domain, localFrom, (x) => this.outboundEnded(x));
      this.outbound.set(domain, o);
      o.start();
    }
    return o;
  }

  private outboundEnded(o: OutboundS2s): void {
    this.retired.delete(o);
    if (this.outbound.get(o.remote) === o) this.outbound.delete(o.remote);
  }

  verifyKey(authoritative: string, receiving: string, streamId: string, key: string): Promise<VerifyOutcome> {
    // A peer claiming to be one of our own domains: we are the authority, no need to ask over the network.
    if (this.ctx.isLocalDomain(authoritative)) {
      return Promise.resolve(this.keys.verify(receiving, authoritative, streamId, key) ? { type: 'valid' } : { type: 'invalid' });
    }
    if (this.stopping) return Promise.resolve({ type: 'error', condition: 'remote-server-timeout', text: 'the server is stopping' });
    // Asked as the domain the peer dialed (`receiving`, one of ours): the header of a new stream names it.
    return this.outboundFor(authoritative, receiving).requestVerify(receiving, streamId, key);
  }

  /**
   * A stanza from a local entity that cannot reach its remote recipient comes back as an error (RFC 6120 §10.4,
   * CORE-58), delivered like any stanza for a local account. Errors and iq results are dropped (RFC 6120 §8.3.1).
   * A user's presence other than a subscription request is dropped too: nobody would act on an error about a
   * broadcast. A service host's presence is bounced: a room broadcasting to an occupant whose server is gone acts
   * on the error by removing the ghost (MUC-25, XEP-0045 ghost removal), as Prosody's MUC does.
   */
  bounce(stanza: Element, condition: StanzaErrorCondition, text?: string): void {
    const a = stanza.attrs as Record<string, string | undefined>;
    const kind = stanza.name as StanzaKind;
    const type = a.type;
    if (type === 'error' || type === 'result') return;
    if (kind === 'presence' && type !== 'subscribe' && !this.fromServiceHost(a.from)) return;
    if (kind === 'iq' && type !== 'get' && type !== 'set') return;
    const reply = stanzaErrorReply(stanza, condition, { text });
    const to = tryParseJid(reply.attrs.to as string | undefined);
    const from = tryParseJid(reply.attrs.from as string | undefined);
    if (!to || !from || !this.ctx.isLocalDomain(to.domain)) return;
    const r = this.ctx.router.submit(reply, 'server');
    if (r instanceof Promise) r.catch(() => undefined);
  }

  private fromServiceHost(from: string | undefined): boolean {
    const jid = tryParseJid(from);
    return jid !== null && (this.ctx.router.hostOf(jid.domain)?.kind ?? 'accounts') !== 'accounts';
  }

  // ---- status and shutdown ----------------------------------------------------------------------------------

  /** Remote domains with an authenticated stream in each direction (for the admin console and tests). */
  status(): { inbound: string[]; outbound: string[] } {
    const inbound = new Set<string>();
    for (const s of this.inbound) for (const d of s.authenticated) inbound.add(d);
    const outbound = [...this.outbound.values()].filter((o) => o.authenticatedDomains.length > 0).map((o) => o.remote);
    return { inbound: [...inbound].sort(), outbound: outbound.sort() };
  }

  /** Stop listening, close every stream with system-shutdown (CORE-63), give peers 2 s to close theirs. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unhookRemote?.();
    this.unhookRemote = null;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const server = this.server;
    this.server = null;
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    const streams = [...this.inbound, ...this.outbound.values(), ...this.retired];
    const waits = streams.map((s) => s.whenClosed());
    for (const s of streams) {
      if (s instanceof OutboundS2s && s.stage !== 'negotiated') s.fail('remote-server-timeout', 'the server is stopping');
      else s.closeWithError('system-shutdown', 'the server is stopping');
    }
    const grace = setTimeout(() => streams.forEach((s) => s.destroy()), 2000);
    await Promise.all(waits);
    clearTimeout(grace);
    await closed;
  }
}

/** The stanza as it goes to a peer: never in jabber:client (S2S-01); the stream's default namespace is jabber:server. */
function serverNamespace(stanza: Element): Element {
  if (stanza.attrs.xmlns !== NS.client) return stanza;
  const attrs = { ...stanza.attrs };
  delete attrs.xmlns;
  const copy = el(stanza.name, attrs);
  copy.children = stanza.children;
  return copy;
}

