// The SASL exchange on a client stream (RFC 6120 §6): <auth/>, <challenge/>/<response/>, <abort/>, <success/>,
// <failure/>, with per-stream retry limits (CORE-33) and the per-account lockout with backoff.
import { el, type Element } from './xml.js';
import { NS } from './namespaces.js';
import { prepLocalpart, tryParseJid } from './jid.js';
import {
  createMechanism, mechanismNames, decodeSaslBase64, channelBindingData,
  type ChannelBindingType, type SaslCondition, type SaslContext, type SaslMechanism, type SaslStep,
} from './sasl/index.js';
import type tls from 'node:tls';
import type { ServerContext } from './context.js';
import type { ClientStage } from './client-stream.js';
import type { StreamErrorCondition } from './errors.js';

/** What SASL needs of the connection it runs on (C2sConnection), so this file does not import it. */
export interface SaslStream {
  readonly ctx: ServerContext;
  readonly id: string;
  readonly stage: ClientStage;
  readonly closed: boolean;
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** For channel bindings; null without TLS. */
  readonly tlsSocket: tls.TLSSocket | null;
  writeElement(e: Element): void;
  closeWithError(condition: StreamErrorCondition, text?: string): void;
  /** SASL succeeded as this (normalised) localpart: the client must restart the stream. */
  authenticatedAs(username: string): void;
}

export class SaslNegotiation {
  private mechanism: SaslMechanism | null = null;
  private failures = 0;
  private protocolFailures = 0;
  /** The account the current exchange asked about (set by lookup), for the lockout and the log. */
  private attemptUser: string | null = null;
  private lockedSeconds = 0;

  constructor(private readonly session: SaslStream) {}

  private channelBindings(): ChannelBindingType[] {
    const sock = this.session.tlsSocket;
    if (!sock) return [];
    const version = sock.getProtocol();
    // tls-exporter is defined for TLS 1.3 (RFC 9266), tls-unique only below it; tls-server-end-point for both.
    return version === 'TLSv1.3' ? ['tls-exporter', 'tls-server-end-point'] : ['tls-server-end-point', 'tls-unique'];
  }

  private offered(): string[] {
    return mechanismNames({ channelBindings: this.channelBindings(), plain: this.session.secure });
  }

  features(): Element[] {
    const cbs = this.channelBindings();
    return [
      el('mechanisms', { xmlns: NS.sasl }, this.offered().map((m) => el('mechanism', null, m))),
      cbs.length ? el('sasl-channel-binding', { xmlns: NS.saslCb }, cbs.map((t) => el('channel-binding', { type: t }))) : null,
    ].filter((x): x is Element => x !== null);
  }

  handle(e: Element): void | Promise<void> {
    const s = this.session;
    const name = e.getName();
    if (name === 'abort') {
      this.mechanism = null;
      return this.fail('aborted');
    }
    if (s.stage === 'pre-tls' && s.ctx.config.requireTls) return this.fail('encryption-required', 'use STARTTLS first');
    if (name === 'auth') {
      // A new <auth/> discards an exchange in progress (CORE-31).
      this.mechanism = null;
      const mechName = String(e.attrs.mechanism ?? '');
      if (!this.offered().includes(mechName)) return this.fail('invalid-mechanism', `${mechName || 'no mechanism'} is not offered`);
      const mech = createMechanism(mechName, this.context());
      if (!mech) return this.fail('invalid-mechanism');
      this.mechanism = mech;
      this.attemptUser = null;
      this.lockedSeconds = 0;
      const text = e.getText();
      // No initial response at all: start with an empty challenge (RFC 6120 §6.4.2).
      if (text === '') return this.step(Buffer.alloc(0));
      return this.decodeAndStep(text);
    }
    if (name === 'response') {
      if (!this.mechanism) return this.fail('malformed-request', 'no authentication in progress');
      return this.decodeAndStep(e.getText());
    }
    s.closeWithError('unsupported-stanza-type', `<${name}/> is not a SASL element`);
  }

  private decodeAndStep(text: string): void | Promise<void> {
    const data = decodeSaslBase64(text.trim() === text ? text : '\u0000');
    if (!data) {
      this.mechanism = null;
      return this.fail('incorrect-encoding', 'the data is not valid base64');
    }
    return this.step(data);
  }

  private async step(data: Buffer): Promise<void> {
    const mech = this.mechanism!;
    let result: SaslStep;
    try {
      result = await mech.step(data);
    } catch (err) {
      this.session.ctx.log.error('sasl', `${mech.name} failed: ${(err as Error).message}`);
      result = { kind: 'failure', condition: 'temporary-auth-failure' };
    }
    if (this.mechanism !== mech || this.session.closed) return;
    if (result.kind === 'challenge') {
      this.session.writeElement(el('challenge', { xmlns: NS.sasl }, result.data.length ? result.data.toString('base64') : '='));
      return;
    }
    this.mechanism = null;
    if (result.kind === 'failure') {
      if (this.lockedSeconds > 0) return this.fail('temporary-auth-failure', `too many failed logins; try again in ${this.lockedSeconds} seconds`);
      return this.fail(result.condition, result.text);
    }
    await this.succeed(result.username, result.authzid, result.data);
  }

  private async succeed(authcid: string, authzid: string | undefined, data: Buffer | undefined): Promise<void> {
    const s = this.session;
    let user: string;
    try {
      user = prepLocalpart(authcid);
    } catch {
      return this.fail('not-authorized');
    }
    if (authzid !== undefined) {
      // c2s authzid must be the user's own bare JID (CORE-34).
      const j = tryParseJid(authzid);
      if (!j || j.resource !== '' || j.local !== user || j.domain !== s.ctx.config.domain) return this.fail('invalid-authzid', 'you may only act as your own account');
    }
    s.ctx.lockout.succeed(user, s.remoteAddress);
    s.ctx.stats.logins++;
    s.ctx.log.info('c2s', `${s.id} ${user}@${s.ctx.config.domain} logged in from ${s.remoteAddress}`);
    s.writeElement(el('success', { xmlns: NS.sasl }, data && data.length ? data.toString('base64') : null));
    s.authenticatedAs(user);
  }

  private fail(condition: SaslCondition, text?: string): void {
    const s = this.session;
    s.writeElement(el('failure', { xmlns: NS.sasl }, el(condition), text ? el('text', { 'xml:lang': 'en' }, text) : null));
    if (condition === 'aborted') return;
    if (condition === 'not-authorized' || condition === 'temporary-auth-failure') {
      s.ctx.stats.failedLogins++;
      if (this.attemptUser && condition === 'not-authorized') s.ctx.lockout.fail(this.attemptUser, s.remoteAddress);
      s.ctx.log.info('c2s', `${s.id} failed login${this.attemptUser ? ' as ' + this.attemptUser : ''} from ${s.remoteAddress} (${condition})`);
    }
    // Wrong credentials count against the small retry budget of RFC 6120 §6.4.5 (CORE-33). Protocol-level
    // failures (a mechanism the client could not complete, e.g. slixmpp trying tls-unique on TLS 1.3 before
    // falling back) get a separate, larger budget so that a client's fallback chain is not mistaken for guessing.
    const credential = condition === 'not-authorized' || condition === 'temporary-auth-failure' || condition === 'invalid-authzid';
    if (credential) this.failures++;
    else this.protocolFailures++;
    if (this.failures >= s.ctx.config.limits.authAttemptsPerStream || this.protocolFailures >= 2 * s.ctx.config.limits.authAttemptsPerStream) {
      s.closeWithError('policy-violation', 'too many failed authentication attempts');
    }
  }

  private context(): SaslContext {
    const s = this.session;
    const cbs = this.channelBindings();
    return {
      secure: s.secure,
      plusOffered: cbs.length > 0,
      channelBinding: (type) => {
        const sock = s.tlsSocket;
        return sock && cbs.includes(type) ? channelBindingData(sock, type) : null;
      },
      lookup: async (username) => {
        let user: string;
        try {
          user = prepLocalpart(username);
        } catch {
          return null;
        }
        this.attemptUser = user;
        const locked = s.ctx.lockout.lockedFor(user, s.remoteAddress);
        if (locked > 0) {
          this.lockedSeconds = locked;
          return null;
        }
        return s.ctx.accounts.credentials(user);
      },
    };
  }
}
