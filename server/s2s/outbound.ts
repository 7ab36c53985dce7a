// An outbound server-to-server stream to one remote domain (RFC 6120 §3.2, §5, §6; XEP-0220; XEP-0178): resolve,
// connect, STARTTLS (the peer's certificate need not validate: dialback authenticates us either way), then
// authenticate each local sender domain — SASL EXTERNAL when the peer offers it for our certificate, else dialback
// (<db:result/> with our key). Stanzas wait per sender domain until it is authenticated (S2S-05) and then all go
// over this one stream in order (S2S-10). The stream also carries our <db:verify/> questions to this domain's
// server when it is the authoritative server for a peer that dialed us. Failures bounce what waits (CORE-58):
// a domain that does not resolve → remote-server-not-found; no connection or no authentication in time →
// remote-server-timeout.
import net from 'node:net';
import tls from 'node:tls';
import type { StreamHeader } from '../core/framing.js';
import { el, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import type { StanzaErrorCondition } from '../core/errors.js';
import { NS_DIALBACK, NS_DIALBACK_FEATURE } from './namespaces.js';
import { S2sStream, s2sOpening } from './stream.js';
import { SocketTransport } from '../core/socket-transport.js';
import type { StreamOpening } from '../core/stream-header.js';
import { certificateValidFor } from './tls-trust.js';
import { resolveTargets, RemoteNotFoundError, type Target } from './resolve.js';
import { domainOrNull } from './inbound.js';
import type { S2sHost, VerifyOutcome } from './types.js';

type Stage = 'resolving' | 'connecting' | 'opening' | 'starttls' | 'sasl' | 'negotiated';
type PairState = 'wanted' | 'requested' | 'valid';

/** Stanzas kept per sender domain while it authenticates; more are bounced (resource-constraint). */
const MAX_WAITING = 1000;

interface PendingVerify {
  key: string;
  sent: boolean;
  done: (o: VerifyOutcome) => void;
}

export class OutboundS2s extends S2sStream {
  stage: Stage = 'resolving';
  failed = false;
  /** What the remote end offered after negotiation. */
  private offer = { dialback: false, external: false };
  private headerHadDialback = false;
  /** The peer's certificate validated for the remote domain (logged; dialback does not need it). */
  tlsVerified = false;
  private externalTried = false;
  private readonly pairs = new Map<string, PairState>();
  private readonly queues = new Map<string, Element[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Our <db:verify/> questions by "<our domain> <stream id>". */
  private readonly verifies = new Map<string, PendingVerify>();

  constructor(private readonly host: S2sHost, readonly remote: string, readonly localFrom: string, private readonly onEnded: (s: OutboundS2s) => void) {
    super(host.ctx, 's2sout');
  }

  /** Something is waiting for this stream (stanzas, an authentication, a verification): not idle. */
  get waiting(): boolean {
    for (const s of this.pairs.values()) if (s !== 'valid') return true;
    return this.verifies.size > 0;
  }

  /** Sender domains authenticated on this stream. */
  get authenticatedDomains(): string[] {
    return [...this.pairs].filter(([, s]) => s === 'valid').map(([d]) => d);
  }

  start(): void {
    this.arm('negotiation', () => this.fail('remote-server-timeout', `no stream to ${this.remote} within ${this.host.settings.timeoutMs / 1000} s`));
    this.connect().catch((err: unknown) => this.fail('remote-server-timeout', err instanceof Error ? err.message : String(err)));
  }

  // ---- timers -----------------------------------------------------------------------------------------------

  private arm(name: string, fire: () => void): void {
    this.disarm(name);
    const t = setTimeout(() => {
      this.timers.delete(name);
      fire();
    }, this.host.settings.timeoutMs);
    t.unref();
    this.timers.set(name, t);
  }

  private disarm(name: string): void {
    const t = this.timers.get(name);
    if (t) clearTimeout(t);
    this.timers.delete(name);
  }

  // ---- connecting -------------------------------------------------------------------------------------------

  private async connect(): Promise<void> {
    const { settings, ctx } = this.host;
    let targets: Target[];
    try {
      targets = await resolveTargets(this.remote, { hosts: settings.hosts(), timeoutMs: settings.timeoutMs, interfaces: ctx.config.discoveryInterfaces });
    } catch (err) {
      const why = err instanceof RemoteNotFoundError ? err.message : `cannot resolve ${this.remote}: ${(err as Error).message}`;
      this.fail('remote-server-not-found', why);
      return;
    }
    if (this.failed) return;
    this.stage = 'connecting';
    let last = '';
    for (const t of targets) {
      try {
        const socket = await this.open(t);
        if (this.failed) {
          socket.destroy();
          return;
        }
        this.ctx.log.debug('s2s', `${this.id}: connected to ${this.remote} at ${t.host}:${t.port}${t.directTls ? ' (direct TLS)' : ''}`);
        this.attachTransport(new SocketTransport(socket));
        if (socket instanceof tls.TLSSocket) this.tlsVerified = certificateValidFor(socket, this.remote);
        this.sendHeader();
        return;
      } catch (err) {
        last = `${t.host}:${t.port}: ${(err as Error).message}`;
        this.ctx.log.debug('s2s', `${this.id}: ${this.remote} at ${last}`);
      }
    }
    this.fail('remote-server-timeout', `cannot connect to ${this.remote} (${last || 'no address'})`);
  }

  private open(t: Target): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
      const socket: net.Socket = t.directTls
        ? tls.connect({
          host: t.host, port: t.port, servername: this.servername(), secureContext: this.host.tls.clientContext(),
          rejectUnauthorized: false, ALPNProtocols: ['xmpp-server'], minVersion: 'TLSv1.2',
        })
        : net.connect({ host: t.host, port: t.port });
      const ready = t.directTls ? 'secureConnect' : 'connect';
      const onError = (err: Error): void => {
        socket.removeListener(ready, onReady);
        socket.destroy();
        reject(err);
      };
      const onReady = (): void => {
        socket.removeListener('error', onError);
        resolve(socket);
      };
      socket.once('error', onError);
      socket.once(ready, onReady);
    });
  }

  private servername(): string | undefined {
    return net.isIP(this.remote) ? undefined : this.remote;
  }

  private sendHeader(): void {
    this.parser.reset();
    this.sendOpening(s2sOpening({ from: this.localFrom, to: this.remote }));
    this.stage = 'opening';
  }

  protected errorOpening(): StreamOpening {
    return s2sOpening({ from: this.localFrom, to: this.remote });
  }

  // ---- negotiation ------------------------------------------------------------------------------------------

  protected header(h: StreamHeader): void {
    if (h.uri !== NS.streams || h.prefix !== 'stream' || h.defaultNs !== NS.server) {
      this.fail('remote-server-timeout', `${this.remote} did not answer with a jabber:server stream`, 'invalid-namespace');
      return;
    }
    this.streamId = h.attrs.id ?? '';
    this.headerHadDialback = Object.entries(h.attrs).some(([k, v]) => k.startsWith('xmlns:') && v === NS_DIALBACK);
    if (h.attrs.version === undefined) {
      // A pre-1.0 peer sends no features (RFC 6120 §4.7.5): dialback over plain TCP or nothing.
      if (this.host.settings.requireTls && !this.secure) {
        this.fail('remote-server-timeout', `${this.remote} does not support TLS (no XMPP 1.0)`, 'policy-violation');
        return;
      }
      this.negotiated({ dialback: this.headerHadDialback, external: false });
    }
  }

  protected element(e: Element): void {
    const ns = e.getNS();
    const name = e.getName();
    if (ns === NS.streams && name === 'features') return this.onFeatures(e);
    if (ns === NS.streams && name === 'error') {
      const cond = e.children.find((c): c is Element => typeof c !== 'string' && c.getName() !== 'text')?.getName() ?? 'undefined-condition';
      // The peer does not serve the domain (any more): that is "not found" for the senders (XEP-0220 §2.4.2).
      const bounce = cond === 'host-unknown' || cond === 'host-gone' ? 'remote-server-not-found' : 'remote-server-timeout';
      this.fail(bounce, `${this.remote} closed the stream: ${cond}`, null);
      return;
    }
    if (ns === NS.tls && this.stage === 'starttls') {
      if (name === 'proceed') return this.upgrade();
      return this.fail('remote-server-timeout', `${this.remote} refused STARTTLS`, null);
    }
    if (ns === NS.sasl && this.stage === 'sasl') return this.saslAnswer(e);
    if (ns === NS_DIALBACK && name === 'result') return this.dialbackResult(e);
    if (ns === NS_DIALBACK && name === 'verify') return this.dialbackVerifyAnswer(e);
    // Stanzas on our outbound stream would need XEP-0288 (not negotiated): nothing to do with them.
    this.ctx.log.debug('s2s', `${this.id}: ignored <${name}/> in ${ns ?? NS.server} from ${this.remote}`);
  }

  private onFeatures(f: Element): void {
    if (this.stage !== 'opening') return;
    if (!this.secure && f.getChild('starttls', NS.tls)) {
      this.stage = 'starttls';
      this.writeElement(el('starttls', { xmlns: NS.tls }));
      return;
    }
    if (!this.secure && this.host.settings.requireTls) {
      this.fail('remote-server-timeout', `${this.remote} does not offer TLS`, 'policy-violation');
      return;
    }
    const mechanisms = f.getChild('mechanisms', NS.sasl)?.getChildren('mechanism').map((m) => m.getText().trim()) ?? [];
    this.negotiated({ dialback: f.getChild('dialback', NS_DIALBACK_FEATURE) !== undefined || this.headerHadDialback, external: mechanisms.includes('EXTERNAL') });
  }

  private upgrade(): void {
    this.upgradeTransport((raw, done) => {
      const secure = tls.connect({
        socket: raw, servername: this.servername(), secureContext: this.host.tls.clientContext(),
        rejectUnauthorized: false, minVersion: 'TLSv1.2',
      });
      secure.once('secureConnect', () => done(secure));
      secure.once('error', (err) => done(null, err));
      secure.once('close', () => done(null));
    }, () => {
      const secure = this.tlsSocket!;
      this.tlsVerified = certificateValidFor(secure, this.remote);
      this.ctx.log.debug('s2s', `${this.id}: TLS to ${this.remote}, certificate ${this.tlsVerified ? 'valid' : `not verified (${String(secure.authorizationError ?? 'wrong name')})`}`);
      this.sendHeader();
    });
  }

  /** Features after TLS (and after SASL): send pending verifications, authenticate waiting pairs, flush. */
  private negotiated(offer: { dialback: boolean; external: boolean }): void {
    this.stage = 'negotiated';
    this.offer = offer;
    this.disarm('negotiation');
    for (const [k, v] of this.verifies) {
      if (v.sent) continue;
      v.sent = true;
      const [from, id] = k.split(' ');
      this.writeElement(el('db:verify', { from, to: this.remote, id }, v.key));
    }
    for (const [domain, state] of this.pairs) if (state === 'valid') this.flush(domain);
    this.authenticate();
  }

  private authenticate(): void {
    if (this.stage !== 'negotiated') return;
    for (const [domain, state] of this.pairs) {
      if (state !== 'wanted') continue;
      if (domain === this.localFrom && this.offer.external && this.secure && !this.externalTried) {
        // XEP-0178 §3: the peer accepts our certificate; authzid = the `from` of our header.
        this.externalTried = true;
        this.pairs.set(domain, 'requested');
        this.stage = 'sasl';
        this.arm(`pair ${domain}`, () => this.failPair(domain, 'remote-server-timeout', 'no answer to SASL EXTERNAL'));
        this.writeElement(el('auth', { xmlns: NS.sasl, mechanism: 'EXTERNAL' }, Buffer.from(domain, 'utf8').toString('base64')));
        return;   // other domains after the restart
      }
      if (!this.offer.dialback) {
        this.failPair(domain, 'remote-server-timeout', `${this.remote} offers no way for ${domain} to authenticate`);
        continue;
      }
      this.pairs.set(domain, 'requested');
      this.arm(`pair ${domain}`, () => this.failPair(domain, 'remote-server-timeout', `${this.remote} did not confirm ${domain} in time`));
      this.writeElement(el('db:result', { from: domain, to: this.remote }, this.host.keys.generate(this.remote, domain, this.streamId)));
    }
  }

  private saslAnswer(e: Element): void {
    const domain = this.localFrom;
    this.disarm(`pair ${domain}`);
    if (e.getName() === 'success') {
      this.ctx.log.info('s2s', `${this.id}: ${domain} → ${this.remote} authenticated by certificate (SASL EXTERNAL)`);
      this.pairs.set(domain, 'valid');
      this.host.events.emit('outbound-authenticated', domain, this.remote, 'external');
      this.sendHeader();   // RFC 6120 §6.4.6: restart; queued stanzas go after the new features
      return;
    }
    this.ctx.log.debug('s2s', `${this.id}: SASL EXTERNAL to ${this.remote} failed; trying dialback`);
    this.stage = 'negotiated';
    this.pairs.set(domain, 'wanted');
    this.authenticate();
  }

  /** XEP-0220 §2.1.1 step 4: the Receiving Server's verdict on one of our sender domains. */
  private dialbackResult(e: Element): void {
    const from = domainOrNull(e.attrs.from as string | undefined);
    const to = domainOrNull(e.attrs.to as string | undefined);
    if (from !== this.remote || to === null || this.pairs.get(to) !== 'requested') {
      // XEP-0220 §4.1: answers nobody asked for are dropped.
      this.ctx.log.warn('s2s', `${this.id}: ignored an unsolicited <db:result/> from ${this.remote}`);
      return;
    }
    this.disarm(`pair ${to}`);
    const type = e.attrs.type as string | undefined;
    if (type === 'valid') {
      this.ctx.log.info('s2s', `${this.id}: ${to} → ${this.remote} authenticated by dialback`);
      this.pairs.set(to, 'valid');
      this.flush(to);
      this.host.events.emit('outbound-authenticated', to, this.remote, 'dialback');
    } else if (type === 'invalid') {
      // XEP-0220 §2.1.1: queued stanzas go back with internal-server-error; the peer closes the stream.
      this.failPair(to, 'internal-server-error', `${this.remote} refused ${to}'s dialback key`);
    } else {
      const cond = e.getChild('error')?.children.find((c): c is Element => typeof c !== 'string' && c.getName() !== 'text')?.getName();
      this.failPair(to, 'remote-server-timeout', `${this.remote} could not verify ${to}${cond ? ` (${cond})` : ''}`);
    }
  }

  /** XEP-0220 §2.1.2 step 3: the authoritative server's answer to our <db:verify/>. */
  private dialbackVerifyAnswer(e: Element): void {
    const from = domainOrNull(e.attrs.from as string | undefined);
    const to = domainOrNull(e.attrs.to as string | undefined);
    const k = `${to ?? ''} ${String(e.attrs.id ?? '')}`;
    const v = this.verifies.get(k);
    if (from !== this.remote || !v) {
      this.ctx.log.warn('s2s', `${this.id}: ignored an unsolicited <db:verify/> from ${this.remote}`);
      return;
    }
    const type = e.attrs.type as string | undefined;
    v.done(type === 'valid' ? { type: 'valid' } : type === 'invalid' ? { type: 'invalid' } : { type: 'error', condition: 'remote-server-not-found', text: `${this.remote} could not answer` });
  }

  // ---- stanzas and verifications ----------------------------------------------------------------------------

  /** Send (or queue until `fromDomain` is authenticated) a stanza from one of our domains. */
  send(stanza: Element, fromDomain: string): void {
    const state = this.pairs.get(fromDomain);
    if (state === 'valid' && this.stage === 'negotiated') {
      this.ctx.stats.stanzasOut++;
      this.writeElement(stanza);
      return;
    }
    let q = this.queues.get(fromDomain);
    if (!q) this.queues.set(fromDomain, (q = []));
    if (q.length >= MAX_WAITING) {
      this.host.bounce(stanza, 'resource-constraint', `too many stanzas waiting for ${this.remote}`);
      return;
    }
    q.push(stanza);
    if (state === undefined) {
      this.pairs.set(fromDomain, 'wanted');
      this.authenticate();
    }
  }

  /** Ask this domain's server whether it made `key` (XEP-0220 §2.1.2). */
  requestVerify(receiving: string, streamId: string, key: string): Promise<VerifyOutcome> {
    return new Promise((resolve) => {
      const k = `${receiving} ${streamId}`;
      this.verifies.get(k)?.done({ type: 'error', condition: 'conflict' });
      const v: PendingVerify = {
        key: key.trim(),
        sent: false,
        done: (o) => {
          if (this.verifies.get(k) === v) this.verifies.delete(k);
          this.disarm(`verify ${k}`);
          resolve(o);
        },
      };
      this.verifies.set(k, v);
      this.arm(`verify ${k}`, () => v.done({ type: 'error', condition: 'remote-server-timeout', text: `${this.remote} did not answer in time` }));
      if (this.stage === 'negotiated') {
        v.sent = true;
        this.writeElement(el('db:verify', { from: receiving, to: this.remote, id: streamId }, v.key));
      }
    });
  }

  private flush(domain: string): void {
    const q = this.queues.get(domain);
    this.queues.delete(domain);
    if (!q) return;
    for (const s of q) {
      this.ctx.stats.stanzasOut++;
      this.writeElement(s);
    }
  }

  private failPair(domain: string, condition: StanzaErrorCondition, why: string): void {
    this.ctx.log.info('s2s', `${this.id}: ${why}`);
    this.pairs.delete(domain);
    this.disarm(`pair ${domain}`);
    const q = this.queues.get(domain);
    this.queues.delete(domain);
    for (const s of q ?? []) this.host.bounce(s, condition, why);
    if (this.stage === 'sasl') this.stage = 'negotiated';
  }

  /**
   * Give up on this stream: bounce everything waiting, fail pending verifications, close (with a stream error
   * when the peer broke the protocol). New stanzas for the domain will start a new stream.
   */
  fail(condition: StanzaErrorCondition, why: string, streamError: 'invalid-namespace' | 'policy-violation' | null = null): void {
    if (this.failed) return;
    this.failed = true;
    this.ctx.log.info('s2s', `${this.id}: ${why}`);
    this.dropWaiting(condition, why);
    if (streamError) this.closeWithError(streamError, why);
    else this.closeStream();
  }

  private dropWaiting(condition: StanzaErrorCondition, why: string): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    const queued = [...this.queues.values()].flat();
    this.queues.clear();
    for (const [d, s] of this.pairs) if (s !== 'valid') this.pairs.delete(d);
    for (const v of [...this.verifies.values()]) {
      v.done({ type: 'error', condition: condition === 'remote-server-not-found' ? 'remote-server-not-found' : 'remote-server-timeout', text: why });
    }
    for (const s of queued) this.host.bounce(s, condition, why);
  }

  protected ended(): void {
    if (!this.failed) {
      this.failed = true;
      this.dropWaiting('remote-server-timeout', `the connection to ${this.remote} closed`);
    }
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.onEnded(this);
    this.host.events.emit('stream-closed', this.id, 'out', this.remote);
  }
}
