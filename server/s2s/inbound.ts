// An inbound server-to-server stream (RFC 6120 §4–§8 for jabber:server): header checks, STARTTLS (required by
// default), peer authentication by SASL EXTERNAL (XEP-0178, when the peer's certificate validates for the domain it
// claims) or by dialback (XEP-0220: <db:result/> verified with the authoritative server, <db:verify/> answered for
// keys we made), then stanza intake: every stanza needs `to` and `from` (improper-addressing), `from` in a domain
// authenticated on this stream (invalid-from), `to` in a domain we serve (host-unknown), and goes to the router
// like a local one, with origin null and replies sent back over federation.
import type net from 'node:net';
import type { StreamHeader } from '../core/framing.js';
import { checkHeader, newStreamId } from '../core/stream-header.js';
import { stanzaErrorReply, stanzaErrorElement, type StanzaErrorCondition } from '../core/errors.js';
import { el, childElements, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { prepDomainpart, tryParseJid } from '../core/jid.js';
import type { StanzaKind } from '../core/router.js';
import { NS_DIALBACK, NS_DIALBACK_FEATURE } from './namespaces.js';
import { S2sStream, s2sOpening } from './stream.js';
import { SocketTransport } from '../core/socket-transport.js';
import type { StreamOpening } from '../core/stream-header.js';
import { certificateValidFor } from './tls-trust.js';
import type { S2sHost, VerifyOutcome } from './types.js';

const NS_REGISTER = 'jabber:iq:register';

export function domainOrNull(d: string | undefined): string | null {
  if (d === undefined || d === '') return null;
  try {
    return prepDomainpart(d);
  } catch {
    return null;
  }
}

export class InboundS2s extends S2sStream {
  /** Our domain the peer addressed in its header. */
  localDomain: string;
  /** The domain the peer named in its header `from` (needed for SASL EXTERNAL), or null. */
  peerDomain: string | null = null;
  /** Remote domains authenticated on this stream: stanzas may come from these (RFC 6120 §8.1.2.2). */
  readonly authenticated = new Set<string>();
  /** Remote domains whose dialback key is being checked with their authoritative server. */
  private readonly verifying = new Set<string>();
  private peerCertOk = false;
  /** The peer asked us as authoritative server (a verification-only stream is legitimate; idle sweep ends it). */
  private answeredVerify = false;
  private saslDone = false;
  private lang = 'en';

  constructor(private readonly host: S2sHost, socket: net.Socket, private readonly onEnded: (s: InboundS2s) => void) {
    super(host.ctx, 's2sin');
    this.localDomain = host.ctx.config.domain;
    this.attachTransport(new SocketTransport(socket));
    // A peer that never authenticates does not keep the connection (BAD-12 for s2s).
    this.armTimer(host.ctx.config.limits.preAuthTimeoutSeconds);
  }

  protected override negotiationTimedOut(): void {
    if (this.authenticated.size === 0 && !this.answeredVerify) this.closeWithError('connection-timeout', 'no authentication within the time allowed');
  }

  /** Nothing happens here but waiting for the peer: the idle sweep may close it. */
  get waiting(): boolean {
    return this.verifying.size > 0;
  }

  protected errorOpening(): StreamOpening {
    if (!this.streamId) this.streamId = newStreamId();
    return s2sOpening({ from: this.localDomain, id: this.streamId });
  }

  protected ended(): void {
    this.onEnded(this);
    this.host.events.emit('stream-closed', this.id, 'in', this.peerDomain ?? '');
  }

  // ---- header and features ----------------------------------------------------------------------------------

  protected header(h: StreamHeader): void {
    const check = checkHeader(h, NS.server, (d) => this.ctx.isLocalDomain(d), domainOrNull);
    this.lang = check.lang;
    const to = domainOrNull(h.attrs.to);
    if (to !== null && this.ctx.isLocalDomain(to)) this.localDomain = to;
    this.peerDomain = domainOrNull(h.attrs.from);
    this.streamId = newStreamId();
    this.sendOpening(s2sOpening({ from: this.localDomain, to: this.peerDomain ?? undefined, id: this.streamId, version: check.version, lang: this.lang }));
    if (check.error) {
      this.closeWithError(check.error.condition, check.error.text);
      return;
    }
    const socket = this.tlsSocket;
    this.peerCertOk = this.secure && this.peerDomain !== null && socket !== null && certificateValidFor(socket, this.peerDomain);
    this.writeElement(this.features());
  }

  private features(): Element {
    const dialback = el('dialback', { xmlns: NS_DIALBACK_FEATURE }, el('errors'));
    const f = el('stream:features');
    if (!this.secure && this.host.tls.serverContext()) {
      const required = this.host.settings.requireTls;
      f.children.push(el('starttls', { xmlns: NS.tls }, required ? el('required') : null));
      if (!required) f.children.push(dialback);
    } else {
      if (!this.saslDone && this.peerCertOk) f.children.push(el('mechanisms', { xmlns: NS.sasl }, el('mechanism', null, 'EXTERNAL')));
      f.children.push(dialback);
    }
    for (const c of f.children) if (typeof c !== 'string') c.parent = f;
    return f;
  }

  // ---- elements ---------------------------------------------------------------------------------------------

  protected element(e: Element): void | Promise<void> {
    const ns = e.getNS() ?? NS.server;
    const name = e.getName();
    if (name === 'message' || name === 'presence' || name === 'iq') {
      if (ns === NS.server) return this.stanza(e, name);
      if (ns === NS.client) return this.closeWithError('invalid-namespace', 'stanzas between servers are in the jabber:server namespace');
    }
    if (ns === NS.streams && name === 'error') {
      // The peer is closing with an error (e.g. system-shutdown): answer with our closing tag only.
      const cond = e.children.find((c): c is Element => typeof c !== 'string' && c.getName() !== 'text');
      this.ctx.log.debug('s2s', `${this.id}: the peer closed with <${cond?.getName() ?? 'stream-error'}/>`);
      return this.closeStream();
    }
    if (ns === NS_DIALBACK && name === 'result') return this.dialbackResult(e);
    if (ns === NS_DIALBACK && name === 'verify') return this.dialbackVerify(e);
    if (ns === NS.tls && name === 'starttls') return this.startTls();
    if (ns === NS.sasl && name === 'auth') return this.saslExternal(e);
    this.closeWithError('unsupported-stanza-type', `<${name}/> in ${ns} is not accepted on a server-to-server stream`);
  }

  private startTls(): void {
    const context = this.host.tls.serverContext();
    if (this.secure || !context || this.authenticated.size > 0) {
      this.writeElement(el('failure', { xmlns: NS.tls }));
      this.closeStream();
      return;
    }
    this.writeElement(el('proceed', { xmlns: NS.tls }));
    // The peer's certificate is asked for (for SASL EXTERNAL) but not required: dialback works without one. A failed
    // handshake just ends the connection (RFC 6120 §5.4.3.2): the transport closes; the peer restarts the stream.
    this.upgradeTransport((raw, done) => {
      if (!this.host.tls.acceptTls(raw, done)) done(null, new Error('no certificate'));
    }, () => undefined);
  }

  /** XEP-0178 §3 / RFC 6120 §6.3.8 (S2S-13): EXTERNAL with the certificate, authzid absent or the header's `from`. */
  private saslExternal(e: Element): void {
    const fail = (condition: string, close: boolean): void => {
      this.writeElement(el('failure', { xmlns: NS.sasl }, el(condition)));
      if (close) this.closeStream();
    };
    if (e.attrs.mechanism !== 'EXTERNAL' || !this.secure || this.saslDone) return fail('invalid-mechanism', false);
    if (!this.peerCertOk || this.peerDomain === null) return fail('not-authorized', true);
    const text = e.getText().trim();
    if (text !== '' && text !== '=') {
      const authzid = domainOrNull(Buffer.from(text, 'base64').toString('utf8'));
      if (authzid !== this.peerDomain) return fail('invalid-authzid', true);
    }
    this.writeElement(el('success', { xmlns: NS.sasl }));
    this.ctx.log.info('s2s', `${this.id}: ${this.peerDomain} authenticated by certificate (SASL EXTERNAL)`);
    this.authenticated.add(this.peerDomain);
    this.host.events.emit('inbound-authenticated', this.peerDomain, this.localDomain, 'external');
    this.saslDone = true;
    this.expectRestart();
  }

  private dialbackError(name: 'result' | 'verify', from: string, to: string, id: string | undefined, condition: StanzaErrorCondition, text?: string): void {
    this.writeElement(el(`db:${name}`, { from, to, id, type: 'error' }, stanzaErrorElement(condition, { text })));
  }

  /** XEP-0220 §2.2.1: the peer (Initiating Server) asks to send from `from` to our `to`; ask `from`'s server. */
  private dialbackResult(e: Element): void {
    if (e.attrs.type !== undefined) {
      // Only meaningful with XEP-0288 (not offered): an unsolicited answer is ignored (XEP-0220 §4.1).
      this.ctx.log.debug('s2s', `${this.id}: ignored a <db:result type='${String(e.attrs.type)}'/> on an inbound stream`);
      return;
    }
    const from = domainOrNull(e.attrs.from as string | undefined);
    const to = domainOrNull(e.attrs.to as string | undefined);
    if (from === null || to === null) return this.closeWithError('improper-addressing', '<db:result/> needs valid from and to');
    if (!this.ctx.isLocalDomain(to)) return this.dialbackError('result', to, from, undefined, 'item-not-found', `this server does not serve ${to}`);
    if (this.host.settings.requireTls && !this.secure) return this.dialbackError('result', to, from, undefined, 'policy-violation', 'use TLS before dialback');
    if (this.authenticated.has(from)) {
      this.writeElement(el('db:result', { from: to, to: from, type: 'valid' }));
      return;
    }
    if (this.verifying.has(from)) return;
    this.verifying.add(from);
    const streamId = this.streamId;
    this.host.verifyKey(from, to, streamId, e.getText()).then((outcome) => this.verified(from, to, outcome), (err: unknown) => {
      this.ctx.log.error('s2s', `${this.id}: verifying ${from} failed: ${err instanceof Error ? err.message : String(err)}`);
      this.verified(from, to, { type: 'error', condition: 'internal-server-error' });
    });
  }

  private verified(from: string, to: string, outcome: VerifyOutcome): void {
    this.verifying.delete(from);
    if (!this.usable) return;
    if (outcome.type === 'valid') {
      this.authenticated.add(from);
      this.ctx.log.info('s2s', `${this.id} (${this.remoteAddress}): ${from} authenticated by dialback`);
      this.writeElement(el('db:result', { from: to, to: from, type: 'valid' }));
      this.host.events.emit('inbound-authenticated', from, to, 'dialback');
    } else if (outcome.type === 'invalid') {
      // XEP-0220 §2.2.1: someone claims to be `from` without being it; log, refuse and close the stream.
      this.ctx.log.warn('s2s', `${this.id} (${this.remoteAddress}): the server of ${from} says the dialback key is not its own; refused`);
      this.writeElement(el('db:result', { from: to, to: from, type: 'invalid' }));
      this.closeStream();
    } else {
      this.ctx.log.info('s2s', `${this.id}: could not verify ${from}: ${outcome.condition}${outcome.text ? ` (${outcome.text})` : ''}`);
      this.dialbackError('result', to, from, undefined, outcome.condition, outcome.text);
    }
  }

  /** XEP-0220 §2.2.2: we are the authoritative server; was this key made by us for that stream? */
  private dialbackVerify(e: Element): void {
    if (e.attrs.type !== undefined) return;
    const from = domainOrNull(e.attrs.from as string | undefined);
    const to = domainOrNull(e.attrs.to as string | undefined);
    const id = e.attrs.id as string | undefined;
    if (from === null || to === null || !id) return this.closeWithError('improper-addressing', '<db:verify/> needs valid from, to and id');
    if (!this.ctx.isLocalDomain(to)) return this.dialbackError('verify', to, from, id, 'item-not-found', `this server does not serve ${to}`);
    const valid = this.host.keys.verify(from, to, id, e.getText());
    this.answeredVerify = true;
    if (!valid) this.ctx.log.warn('s2s', `${this.id}: ${from} asked about a dialback key for ${to} that this server did not make`);
    this.writeElement(el('db:verify', { from: to, to: from, id, type: valid ? 'valid' : 'invalid' }));
  }

  // ---- stanzas ----------------------------------------------------------------------------------------------

  private stanza(stanza: Element, kind: StanzaKind): void | Promise<void> {
    // S2S-09: nothing before authentication.
    if (this.authenticated.size === 0) return this.closeWithError('not-authorized', 'authenticate (dialback or SASL EXTERNAL) before sending stanzas');
    const a = stanza.attrs as Record<string, string | undefined>;
    // RFC 6120 §4.9.3.7, §8.1.1.2, §8.1.2.2 (S2S-07, BAD-27): both addresses, present and valid.
    if (!a.from || !a.to) return this.closeWithError('improper-addressing', 'stanzas between servers need both from and to');
    const from = tryParseJid(a.from);
    if (!from) return this.closeWithError('improper-addressing', `"${a.from.slice(0, 100)}" is not a valid address`);
    // S2S-08, BAD-26: only from domains authenticated on this stream.
    if (!this.authenticated.has(from.domain)) return this.closeWithError('invalid-from', `${from.domain} is not authenticated on this stream`);
    const to = tryParseJid(a.to);
    if (!to) return this.closeWithError('improper-addressing', `"${a.to.slice(0, 100)}" is not a valid address`);
    // S2S-08, BAD-28: never relay.
    if (!this.ctx.isLocalDomain(to.domain)) return this.closeWithError('host-unknown', `this server does not serve ${to.domain}`);
    // In-band registration manages *local* accounts by the sender's localpart (register.ts): never for a remote
    // sender, whose localpart may name someone else's account here.
    if (kind === 'iq' && a.id !== undefined && (a.type === 'get' || a.type === 'set') && childElements(stanza)[0]?.getNS() === NS_REGISTER) {
      return this.refuse(stanza, 'service-unavailable', 'account management is for this server\'s own users');
    }
    if (this.lang !== 'en' && a['xml:lang'] === undefined) a['xml:lang'] = this.lang;
    this.ctx.stats.stanzasIn++;
    // Type checks and the event are the router's (the one chokepoint); answers go back to the peer through it.
    return this.ctx.router.submit(stanza, 'peer');
  }

  private refuse(stanza: Element, condition: StanzaErrorCondition, text: string): void {
    if (stanza.attrs.type === 'error') return;
    void this.ctx.router.submit(stanzaErrorReply(stanza, condition, { text }), 'server');
  }
}
