// One client connection (RFC 6120) over a transport: the negotiation stages STARTTLS → SASL → bind, the features
// of each stage, the idle check, and the hand-over of stanzas to its bound session. On bind it creates a
// BoundSession (bound-session.ts), which the registry holds and the router delivers to; a module may also attach
// an existing session to it (XEP-0198 resumption) or take its session away.
import tls from 'node:tls';
import type { StreamHeader } from './framing.js';
import { checkHeader, newStreamId, type StreamOpening } from './stream-header.js';
import { el, type Element, childElements } from './xml.js';
import { NS } from './namespaces.js';
import { type Jid, tryParseJid, prepDomainpart, makeJid } from './jid.js';
import { ByteBucket } from './limits.js';
import { stanzaErrorReply } from './errors.js';
import type { ServerContext } from './context.js';
import type { StanzaKind } from './router.js';
import type { ClientStage, ClientStream, SessionConnection, SessionHandle } from './client-stream.js';
import type { Transport } from './transport.js';
import { XmlStream } from './xml-stream.js';
import { SaslNegotiation, type SaslStream } from './sasl-negotiation.js';
import { bindResource, type BindingStream } from './resource-binding.js';
import { BoundSession } from './bound-session.js';

let connectionCounter = 0;

export class C2sConnection extends XmlStream implements ClientStream, SaslStream, BindingStream {
  stage: ClientStage;
  lang = 'en';
  /** The `from` of the client's header when it was a JID (echoed as `to`, CORE-04). */
  clientHeaderFrom: string | undefined = undefined;
  /** The normalised localpart after SASL success. */
  username: string | null = null;
  bindFailures = 0;
  /** The bound session writing here; null before bind (and after it was detached or moved away). */
  session: SessionHandle | null = null;
  /** The client sent its closing tag: a clean end, after which no resumption module keeps the session (MOD-07). */
  private peerClosed = false;
  /** Until SASL succeeds; dropped afterwards (nothing of it is needed once bound). */
  private sasl: SaslNegotiation | null;
  private readonly bucket: ByteBucket | null;
  /** When an idle ping went out (0 = none outstanding); see checkIdle(). */
  private pingSentAt = 0;

  constructor(ctx: ServerContext, transport: Transport, private readonly onClosed: (c: C2sConnection) => void) {
    super(ctx, `c2s${++connectionCounter}`, transport.framing);
    // No STARTTLS stage when TLS is in place, when there is no certificate, or when the transport cannot switch
    // (RFC 7395 §3.5 / MOD-57: never over WebSocket).
    this.stage = transport.secure || !ctx.secureContext() || !transport.startTls ? 'pre-auth' : 'pre-tls';
    const limits = ctx.config.limits;
    this.bucket = limits.enabled ? new ByteBucket(limits.bytesPerSecond, limits.burstBytes) : null;
    this.sasl = new SaslNegotiation(this);
    this.attachTransport(transport);
    this.armTimer(limits.preAuthTimeoutSeconds);
  }

  protected get logTag(): string {
    return 'c2s';
  }

  /** The authenticated account's bare JID (after SASL). */
  get account(): Jid {
    return makeJid(this.username ?? '', this.ctx.config.domain);
  }

  // ---- input ------------------------------------------------------------------------------------------------

  override onData(chunk: Buffer): void {
    this.pingSentAt = 0;
    if (this.bucket) {
      const wait = this.bucket.take(chunk.length);
      if (wait > 0) {
        // Throttle instead of failing: stop reading until the bucket has refilled (BAD-23).
        const t = this.transport!;
        t.pause();
        setTimeout(() => t.resume(), Math.min(wait, 5000)).unref();
      }
    }
    super.onData(chunk);
  }

  /**
   * Silent-peer check, called periodically by the listener (CORE-12): a bound client that has sent nothing for
   * idlePingSeconds gets a ping; one that still sends nothing within pingTimeoutSeconds is gone.
   */
  checkIdle(now: number): void {
    const s = this.session;
    if (s === null || this.closeSent) return;
    const { idlePingSeconds, pingTimeoutSeconds } = this.ctx.config;
    if (this.pingSentAt !== 0) {
      if (now - this.pingSentAt >= pingTimeoutSeconds * 1000) this.closeWithError('connection-timeout', 'no answer to a ping');
    } else if (now - this.lastActivity >= idlePingSeconds * 1000) {
      this.pingSentAt = now;
      this.writeElement(el('iq', { type: 'get', id: `idle-${now}`, from: this.ctx.config.domain, to: s.jid.toString() }, el('ping', { xmlns: NS.ping })));
    }
  }

  // ---- output -----------------------------------------------------------------------------------------------

  /** A stanza from the bound session (after its output filters). */
  writeStanza(stanza: Element, written?: (ok: boolean) => void): void {
    if (this.closeSent) {
      written?.(false);   // nothing after our closing reaches the client
      return;
    }
    this.ctx.stats.stanzasOut++;
    this.write(this.framing.element(stanza), written);
  }

  /**
   * A stanza whose handling failed outside the router (which answers its own handlers' failures): answered with
   * internal-server-error on this stream, which goes on. Errors and iq results are never answered (§8.3.1).
   */
  protected override answerFailed(e: Element): boolean {
    const name = e.getName();
    if (name !== 'message' && name !== 'presence' && name !== 'iq') return false;
    const type = e.attrs.type as string | undefined;
    if (type === 'error' || type === 'result') return true;
    const reply = stanzaErrorReply(e, 'internal-server-error');
    // Before bind the client has no address to send to; after, the router stamped `from` with its full JID.
    if (this.session === null) delete reply.attrs.to;
    this.writeStanza(reply);
    return true;
  }

  /** An element answered on this connection itself (pre-auth iq replies, stream-element handlers). */
  send(element: Element): void {
    this.writeStanza(element);
  }

  // ---- header, features, closing ----------------------------------------------------------------------------

  private opening(to: string | undefined, version: string | null): StreamOpening {
    this.streamId = newStreamId();
    return { ns: NS.client, from: this.ctx.config.domain, id: this.streamId, version, lang: this.lang, to };
  }

  protected errorOpening(): StreamOpening {
    return this.opening(undefined, '1.0');
  }

  protected header(h: StreamHeader): void {
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
    this.sendOpening(this.opening(from, check.version));
    if (check.error) {
      this.closeWithError(check.error.condition, check.error.text);
      return;
    }
    this.writeElement(this.features());
  }

  private features(): Element {
    const f = el('stream:features');
    switch (this.stage) {
      case 'pre-tls':
        f.children.push(el('starttls', { xmlns: NS.tls }, this.ctx.config.requireTls ? el('required') : null));
        if (!this.ctx.config.requireTls && this.sasl) f.children.push(...this.sasl.features());
        break;
      case 'pre-auth':
        if (this.sasl) f.children.push(...this.sasl.features());
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

  protected override describePeer(): string {
    return `${this.remoteAddress}${this.username !== null ? ' ' + (this.session?.jid ?? this.account).toString() : ''}`;
  }

  override onClose(): void {
    this.peerClosed = true;
    super.onClose();
  }

  protected ended(): void {
    const s = this.session;
    this.session = null;
    s?.connectionLost(this, this.peerClosed);
    this.onClosed(this);
  }

  // ---- negotiation ------------------------------------------------------------------------------------------

  protected element(e: Element): void | Promise<void> {
    // The stream's default namespace is jabber:client (checked in the header); framing makes others explicit.
    const ns = (e.attrs.xmlns as string | undefined) ?? NS.client;
    const name = e.getName();
    if (ns === NS.client && (name === 'message' || name === 'presence' || name === 'iq')) return this.stanza(e, name);
    if (ns === NS.tls && name === 'starttls') return this.startTls();
    if (ns === NS.sasl) {
      // SASL is done; a new <auth/> after success is a protocol violation (BAD-22).
      if (!this.sasl) return this.closeWithError('policy-violation', 'already authenticated');
      return this.sasl.handle(e);
    }
    // Modules' elements, at the stages they accept them (before bind too: XEP-0198 <resume/>).
    const handler = this.ctx.streamElements.get(`${ns}|${name}`);
    if (handler !== undefined && handler.stages.includes(this.stage)) return handler.handle(this, e);
    this.closeWithError('unsupported-stanza-type', `<${name}/> in ${ns} is not a stanza this server accepts here`);
  }

  private startTls(): void {
    const context = this.ctx.secureContext();
    if (this.secure || !context || this.stage !== 'pre-tls' || !this.transport?.startTls) {
      // A second STARTTLS (or one we never offered): <failure/> then close (RFC 6120 §5.4.2.2, BAD-22).
      this.writeElement(el('failure', { xmlns: NS.tls }));
      this.closeStream();
      return;
    }
    this.writeElement(el('proceed', { xmlns: NS.tls }));
    this.upgradeTransport((raw, done) => {
      const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context, requestCert: false, SNICallback: (_n, cb) => cb(null, context) });
      secure.once('secure', () => done(secure));
      secure.once('error', (err) => done(null, err));
      secure.once('close', () => done(null));
    }, () => {
      this.stage = 'pre-auth';
    });
  }

  /** SASL succeeded: the client must restart the stream (CORE-35). */
  authenticatedAs(username: string): void {
    this.username = username;
    this.stage = 'pre-bind';
    this.sasl = null;
    this.expectRestart();
  }

  /** Bound (CORE-40): a new session, registered, receives stanzas from now on. */
  bound(jid: Jid): void {
    const session = new BoundSession(this.ctx, this.id, jid, this);
    this.ctx.sessions.add(session);
    this.ctx.router.events.emit('session-bound', session);
  }

  sessionAttached(session: SessionHandle): void {
    if (!this.usable) throw new Error(`connection ${this.id} is closing`);
    if (this.session !== null && this.session !== session) throw new Error(`connection ${this.id} already carries ${this.session.jid.toString()}`);
    this.session = session;
    this.stage = 'bound';
    this.disarmTimer();
  }

  sessionDetached(session: SessionHandle, movedTo: SessionConnection | null): void {
    if (this.session !== session) return;
    this.session = null;
    if (movedTo) this.closeWithError('conflict', 'the session continues on another connection');
    else this.closeStream();
  }

  // ---- stanzas ----------------------------------------------------------------------------------------------

  private stanza(stanza: Element, kind: StanzaKind): void | Promise<void> {
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
    const session = this.session;
    if (session === null) {
      // Stanzas before negotiation completed are refused and never processed (CORE-08, BAD-18).
      this.closeWithError('not-authorized', 'log in and bind a resource before sending stanzas');
      return;
    }
    return session.receive(stanza);
  }
}
