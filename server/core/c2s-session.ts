// One client-to-server stream (RFC 6120): socket I/O, stream headers, the negotiation stages
// (STARTTLS → SASL → bind), and the intake of stanzas into the router once bound.
import type net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { XmlStreamFraming, type StreamHeader } from './framing.js';
import { checkHeader, newStreamId, responseHeader } from './stream-header.js';
import { streamErrorElement, type StreamErrorCondition } from './errors.js';
import { el, type Element, childElements } from './xml.js';
import { NS } from './namespaces.js';
import { type Jid, tryParseJid, prepDomainpart, parseJid, makeJid } from './jid.js';
import { ByteBucket } from './limits.js';
import { TickCork } from './tick-cork.js';
import { OrderedIntake } from './ordered-intake.js';
import type { ServerContext } from './context.js';
import type { LocalSession } from './session-registry.js';
import type { StanzaKind } from './router.js';
import { SaslNegotiation } from './sasl-negotiation.js';
import { bindResource } from './resource-binding.js';

type Stage = 'pre-tls' | 'pre-auth' | 'pre-bind' | 'ready' | 'closed';

let sessionCounter = 0;

export class C2sSession implements LocalSession {
  readonly id: string;
  jid: Jid;
  readonly remoteAddress: string;
  readonly connectedAt = Date.now();
  secure: boolean;
  authenticated: string | null = null;   // normalised localpart after SASL success
  stage: Stage;
  streamId = '';
  lang = 'en';
  clientHeaderFrom: string | undefined;
  bindFailures = 0;
  private socket: net.Socket;
  private readonly framing: XmlStreamFraming;
  private headerSent = false;
  private closeSent = false;
  private readonly cork = new TickCork();
  private readonly bucket: ByteBucket | null;
  private readonly intake = new OrderedIntake<Element>((e) => this.handleElement(e), { pause: () => this.socket.pause(), resume: () => this.socket.resume() });
  private timer: NodeJS.Timeout | null = null;
  private readonly sasl: SaslNegotiation;
  private closedWaiters: (() => void)[] | null = null;
  /** When data last arrived, and when an idle ping went out (0 = none outstanding); see checkIdle(). */
  private lastActivity = Date.now();
  private pingSentAt = 0;

  constructor(readonly ctx: ServerContext, socket: net.Socket, readonly directTls: boolean, private readonly onClosed: (s: C2sSession) => void) {
    this.id = `c2s${++sessionCounter}`;
    this.socket = socket;
    this.remoteAddress = socket.remoteAddress ?? 'unknown';
    this.secure = directTls;
    this.jid = parseJid(ctx.config.domain);
    this.stage = this.secure || !ctx.secureContext() ? 'pre-auth' : 'pre-tls';
    const limits = ctx.config.limits;
    this.bucket = limits.enabled ? new ByteBucket(limits.bytesPerSecond, limits.burstBytes) : null;
    this.framing = new XmlStreamFraming({
      onHeader: (h) => this.onHeader(h),
      onElement: (e) => this.onElement(e),
      onClose: () => this.onPeerClose(),
      onError: (cond, text) => this.closeWithError(cond, text),
    }, limits);
    this.sasl = new SaslNegotiation(this);
    this.attach(socket);
    this.armTimer(limits.preAuthTimeoutSeconds, 'connection-timeout', 'no login within the time allowed');
  }

  // ---- socket I/O -------------------------------------------------------------------------------------------

  private readonly onData = (chunk: Buffer): void => {
    this.lastActivity = Date.now();
    this.pingSentAt = 0;
    if (this.bucket) {
      const wait = this.bucket.take(chunk.length);
      if (wait > 0) {
        // Throttle instead of failing: stop reading until the bucket has refilled (BAD-23).
        this.socket.pause();
        setTimeout(() => this.socket.resume(), Math.min(wait, 5000)).unref();
      }
    }
    this.framing.write(chunk);
  };

  /**
   * Silent-peer check, called periodically by the listener (CORE-12): a bound client that has sent nothing for
   * idlePingSeconds gets a ping; one that still sends nothing within pingTimeoutSeconds is gone.
   */
  checkIdle(now: number): void {
    if (this.stage !== 'ready' || this.closeSent) return;
    const { idlePingSeconds, pingTimeoutSeconds } = this.ctx.config;
    if (this.pingSentAt !== 0) {
      if (now - this.pingSentAt >= pingTimeoutSeconds * 1000) this.closeWithError('connection-timeout', 'no answer to a ping');
    } else if (now - this.lastActivity >= idlePingSeconds * 1000) {
      this.pingSentAt = now;
      this.write(el('iq', { type: 'get', id: `idle-${now}`, from: this.ctx.config.domain, to: this.jid.toString() }, el('ping', { xmlns: NS.ping })).toString());
    }
  }

  private attach(socket: net.Socket): void {
    socket.on('data', this.onData);
    socket.on('error', (err) => this.ctx.log.debug('c2s', `${this.id} socket error: ${err.message}`));
    socket.on('close', () => this.destroyed());
    socket.setNoDelay(true);
    // The OS notices peers that vanished without a FIN (power cut, Wi-Fi gone) even on idle connections.
    socket.setKeepAlive(true, 60_000);
  }

  private write(data: string, written?: (ok: boolean) => void): void {
    if (this.stage === 'closed' || this.socket.destroyed) {
      written?.(false);
      return;
    }
    this.cork.write(this.socket, data, written ? (err) => written(!err) : undefined);
  }

  send(stanza: Element, written?: (ok: boolean) => void): void {
    if (written && this.closeSent) {
      written(false);   // nothing after our </stream:stream> reaches the client
      return;
    }
    this.ctx.stats.stanzasOut++;
    this.write(stanza.toString(), written);
  }

  // ---- stream header and closing ----------------------------------------------------------------------------

  private sendHeader(to: string | undefined, version: string | null): void {
    this.streamId = newStreamId();
    this.write(responseHeader({ ns: NS.client, from: this.ctx.config.domain, id: this.streamId, version, lang: this.lang, to, withDecl: true }));
    this.headerSent = true;
  }

  private onHeader(h: StreamHeader): void {
    // Clients open streams to a host with accounts, never to a service host such as conference.<domain>.
    const check = checkHeader(h, NS.client, (d) => this.ctx.router.hostOf(d)?.kind === 'accounts', (d) => {
      try {
        return prepDomainpart(d);
      } catch {
        return null;
      }
    });
    this.lang = check.lang;
    // Echo the initiator's `from` as `to` (CORE-04) only when it is a JID we could talk to.
    const from = h.attrs.from !== undefined && tryParseJid(h.attrs.from) ? h.attrs.from : undefined;
    this.clientHeaderFrom = from;
    this.sendHeader(from, check.version);
    if (check.error) {
      this.closeWithError(check.error.condition, check.error.text);
      return;
    }
    this.write(this.features().toString());
  }

  private features(): Element {
    const f = el('stream:features');
    switch (this.stage) {
      case 'pre-tls':
        f.children.push(el('starttls', { xmlns: NS.tls }, this.ctx.config.requireTls ? el('required') : null));
        if (!this.ctx.config.requireTls) f.children.push(...this.sasl.features());
        break;
      case 'pre-auth':
        f.children.push(...this.sasl.features());
        for (const p of this.ctx.featureProviders) if (p.preAuthFeatures) f.children.push(...p.preAuthFeatures(this));
        break;
      case 'pre-bind':
        f.children.push(el('bind', { xmlns: NS.bind }), el('session', { xmlns: NS.session }, el('optional')));
        for (const p of this.ctx.featureProviders) f.children.push(...p.postAuthFeatures());
        break;
      default:
        break;
    }
    for (const c of f.children) if (typeof c !== 'string') c.parent = f;
    return f;
  }

  /** Send a stream error and close (RFC 6120 §4.9.1.1); a header goes first if none was sent yet (CORE-62). */
  closeWithError(condition: StreamErrorCondition, text?: string, appCondition?: Element): void {
    if (this.stage === 'closed' || this.closeSent) return;
    if (!this.headerSent) this.sendHeader(undefined, '1.0');
    const level = condition === 'system-shutdown' || condition === 'connection-timeout' ? 'debug' : 'info';
    this.ctx.log.log(level, 'c2s', `${this.id} (${this.remoteAddress}${this.authenticated ? ' ' + this.jid.toString() : ''}) stream error ${condition}${text ? ': ' + text : ''}`);
    this.write(streamErrorElement(condition, text, appCondition).toString());
    this.closeStream();
  }

  /** Send our closing tag, then end the connection; drop it if the peer never closes (CORE-10). */
  closeStream(): void {
    if (this.closeSent || this.stage === 'closed') return;
    this.closeSent = true;
    this.framing.pause();
    this.write('</stream:stream>');
    this.socket.end();
    this.armTimer(this.ctx.config.closeTimeoutSeconds, null, '');
  }

  private onPeerClose(): void {
    this.closeStream();
  }

  private armTimer(seconds: number, condition: StreamErrorCondition | null, text: string): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (condition && !this.closeSent) this.closeWithError(condition, text);
      else this.socket.destroy();
    }, seconds * 1000);
    this.timer.unref();
  }

  private destroyed(): void {
    if (this.stage === 'closed') return;
    const wasReady = this.stage === 'ready';
    this.stage = 'closed';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.intake.clear();
    if (wasReady && this.ctx.sessions.remove(this)) this.ctx.router.events.emit('session-ended', this);
    this.onClosed(this);
    this.closedWaiters?.forEach((w) => w());
    this.closedWaiters = null;
  }

  /** Resolves once the connection is gone. */
  whenClosed(): Promise<void> {
    if (this.stage === 'closed') return Promise.resolve();
    return new Promise((resolve) => (this.closedWaiters ??= []).push(resolve));
  }

  /** Forcibly drop the connection (no stream error), e.g. when the server is killed. */
  destroy(): void {
    this.socket.destroy();
  }

  // ---- negotiation --------------------------------------------------------------------------------------------

  /** Elements are handled strictly in order, also when one of them is handled asynchronously (CORE-55). */
  private onElement(e: Element): void {
    this.intake.push(e);
  }

  private handleElement(e: Element): void | Promise<void> {
    if (this.stage === 'closed' || this.closeSent) return;
    // The stream's default namespace is jabber:client (checked in the header); framing makes others explicit.
    const ns = (e.attrs.xmlns as string | undefined) ?? NS.client;
    const name = e.getName();
    try {
      if (ns === NS.client && (name === 'message' || name === 'presence' || name === 'iq')) return this.handleStanza(e, name);
      if (ns === NS.tls && name === 'starttls') return this.startTls();
      if (ns === NS.sasl) return this.sasl.handle(e);
      const handler = this.stage === 'ready' ? this.ctx.streamElements.get(`${ns}|${name}`) : undefined;
      if (handler) return handler(this, e);
      this.closeWithError('unsupported-stanza-type', `<${name}/> in ${ns} is not a stanza this server accepts here`);
    } catch (err) {
      this.internalError(err);
    }
  }

  internalError(err: unknown): void {
    this.ctx.log.error('c2s', `${this.id}: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    this.closeWithError('internal-server-error');
  }

  private startTls(): void {
    const context = this.ctx.secureContext();
    if (this.secure || !context || this.stage !== 'pre-tls') {
      // A second STARTTLS (or one we never offered): <failure/> then close (RFC 6120 §5.4.2.2, BAD-22).
      this.write(el('failure', { xmlns: NS.tls }).toString());
      this.closeStream();
      return;
    }
    this.write(el('proceed', { xmlns: NS.tls }).toString());
    // Nothing received after <starttls/> in cleartext may be processed (§5.4.3.3): stop, then switch layers.
    this.framing.pause();
    const raw = this.socket;
    raw.removeListener('data', this.onData);
    raw.removeAllListeners('close');
    raw.removeAllListeners('error');
    this.cork.flush();
    const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context, requestCert: false, SNICallback: (_n, cb) => cb(null, context) });
    this.socket = secure;
    this.attach(secure);
    secure.once('secure', () => {
      this.secure = true;
      this.stage = 'pre-auth';
      this.headerSent = false;
      this.framing.reset();
    });
  }

  /** SASL succeeded: the client must restart the stream (CORE-35). */
  authenticatedAs(username: string): void {
    this.authenticated = username;
    this.jid = makeJid(username, this.ctx.config.domain);
    this.stage = 'pre-bind';
    this.framing.pause();
    this.framing.reset();
    this.headerSent = false;
  }

  /** Bound: the session now receives stanzas (CORE-40). */
  bound(jid: Jid): void {
    this.jid = jid;
    this.stage = 'ready';
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.ctx.sessions.add(this);
    this.ctx.router.events.emit('session-bound', this);
  }

  get tlsSocket(): tls.TLSSocket | null {
    return this.socket instanceof tls.TLSSocket ? this.socket : null;
  }

  writeElement(e: Element): void {
    this.write(e.toString());
  }

  // ---- stanzas ------------------------------------------------------------------------------------------------

  private handleStanza(stanza: Element, kind: StanzaKind): void | Promise<void> {
    if (this.stage === 'pre-bind' && kind === 'iq') {
      const payload = childElements(stanza)[0];
      if (payload?.getNS() === NS.bind && payload.getName() === 'bind') return bindResource(this, stanza, payload);
    }
    if (this.stage === 'pre-auth' && kind === 'iq') {
      // The one exception before login: an iq get/set for a pre-auth handler (XEP-0077 in-band registration).
      const children = childElements(stanza);
      const handler = children.length === 1 ? this.ctx.preAuthIq.get(children[0].getNS() ?? '') : undefined;
      const type = stanza.attrs.type as string | undefined;
      if (handler && (type === 'get' || type === 'set') && stanza.attrs.id !== undefined) return handler(this, stanza);
    }
    if (this.stage !== 'ready') {
      // Stanzas before negotiation completed are refused and never processed (CORE-08, BAD-18).
      this.closeWithError('not-authorized', 'log in and bind a resource before sending stanzas');
      return;
    }
    this.ctx.stats.stanzasIn++;
    const a = stanza.attrs as Record<string, string | undefined>;
    if (this.lang !== 'en' && a['xml:lang'] === undefined) a['xml:lang'] = this.lang;   // CORE-05
    // Validation, `from` stamping and addressing happen once, in the router (the one chokepoint).
    return this.ctx.router.submit(stanza, this);
  }

  /** A resource nobody else has, for empty bind requests (CORE-41): unpredictable, URL-safe. */
  static randomResource(): string {
    return randomBytes(9).toString('base64url');
  }
}
