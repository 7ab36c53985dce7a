// A bound client session (RFC 6120 §7): what the session registry holds and the router delivers to, apart from
// the connection that negotiated it (DESIGN.md "connection apart from session"). A connection creates it on bind;
// it writes through that connection until it is detached or moved to another one (XEP-0198 resumption).
//
// Output: send() runs the output filter chain (XEP-0198 counting/resending, XEP-0352 holding, carbons hook here),
// then writes to the current connection. With no filters that costs one length check.
//
// Detached (connection lost without the client closing and a resumption module kept the session, or detach() called): the session stays in
// the registry under its JID and keeps its IM state; send() still runs the filters (so a XEP-0198 filter can queue
// what arrives for replay), and whatever passes them is dropped with written(false) (offline delivery then keeps
// the message stored). A detached session ends only when told: end() (the module's resumption timeout),
// closeWithError() (kick, account removal, shutdown, conflict), or a new connection taking over with attach().
//
// Inbound: the connection hands each stanza to intake() once bound, and counts it (XEP-0198's `h`).
import type { Element } from './xml.js';
import type { Jid } from './jid.js';
import type { ServerContext } from './context.js';
import type { OutputFilter, SessionConnection, SessionHandle } from './client-stream.js';
import type { StanzaKind } from './stanza-event.js';
import { StanzaRateLimiter } from './stanza-rate.js';
import { stanzaErrorReply } from './errors.js';

interface FilterEntry {
  readonly run: OutputFilter;
  readonly order: number;
}

/** Shared by every session without filters: the hot path only checks its length. */
const NO_FILTERS: readonly FilterEntry[] = Object.freeze([]);

export class BoundSession implements SessionHandle {
  connection: SessionConnection | null = null;
  /** The xml:lang of the stream it was bound (or last attached) on, stamped on stanzas without one (CORE-05). */
  lang = 'en';
  readonly connectedAt = Date.now();
  stanzasReceived = 0;
  ended = false;
  onConnectionLost: ((session: SessionHandle) => void) | null = null;
  /** Stanza rate buckets, made on the first stanza while limits are on. */
  private rates: StanzaRateLimiter | null = null;
  /** Sorted by order, ties in the order added; replaced, never changed in place (safe while a send runs). */
  private filters: readonly FilterEntry[] = NO_FILTERS;

  /** `id`: that of the connection it was bound on, kept when it moves (logs, admin console). */
  constructor(readonly ctx: ServerContext, readonly id: string, readonly jid: Jid, connection: SessionConnection) {
    this.attach(connection);
  }

  /** Admin console details: of the current connection ('' / false while detached). */
  get remoteAddress(): string {
    return this.connection?.remoteAddress ?? '';
  }

  get secure(): boolean {
    return this.connection?.secure ?? false;
  }

  // ---- output -----------------------------------------------------------------------------------------------

  send(stanza: Element, written?: (ok: boolean) => void): void {
    if (this.filters.length !== 0) {
      this.sendPast(-Infinity, stanza, written);
      return;
    }
    const c = this.connection;
    if (c !== null) c.writeStanza(stanza, written);
    else written?.(false);
  }

  sendPast(order: number, stanza: Element, written?: (ok: boolean) => void): void {
    const list = this.filters;
    let s: Element | null = stanza;
    for (let i = 0; i < list.length; i++) {
      if (list[i].order <= order) continue;
      s = list[i].run(s, this, written);
      if (s === null) return;
    }
    const c = this.connection;
    if (c !== null) c.writeStanza(s, written);
    else written?.(false);
  }

  /** Filters run by ascending `order` (ties: in the order added); XEP-0198 counting belongs last, CSI before it. */
  addOutputFilter(filter: OutputFilter, order = 0): void {
    const next = [...this.filters];
    let i = next.length;
    while (i > 0 && next[i - 1].order > order) i--;
    next.splice(i, 0, { run: filter, order });
    this.filters = next;
  }

  removeOutputFilter(filter: OutputFilter): boolean {
    const i = this.filters.findIndex((f) => f.run === filter);
    if (i < 0) return false;
    const next = this.filters.filter((_, j) => j !== i);
    this.filters = next.length === 0 ? NO_FILTERS : next;
    return true;
  }

  // ---- connection -------------------------------------------------------------------------------------------

  /** Write through `connection` from now on; a connection it wrote to before ends with <conflict/>. */
  attach(connection: SessionConnection): void {
    if (this.ended) throw new Error(`session ${this.id} has ended`);
    if (connection.username !== this.jid.local) throw new Error(`connection ${connection.id} is not authenticated as ${this.jid.bareString()}`);
    const old = this.connection;
    if (old === connection) return;
    connection.sessionAttached(this);   // first: it refuses (throws) when closing or bound to another session
    this.connection = connection;
    this.lang = connection.lang;
    old?.sessionDetached(this, connection);
  }

  /** Stop writing to the current connection (which then closes); the session stays, detached. */
  detach(): void {
    const old = this.connection;
    if (old === null) return;
    this.connection = null;
    old.sessionDetached(this, null);
  }

  /**
   * The connection is gone: end the session, unless it was lost (not closed by the client's closing tag) and a
   * resumption module keeps it (then it stays, detached).
   */
  connectionLost(connection: SessionConnection, clean: boolean): void {
    if (this.connection !== connection) return;
    this.connection = null;
    if (this.onConnectionLost && !clean) this.onConnectionLost(this);
    else this.end();
  }

  /** Out of the registry for good; the connection, if any, closes. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const c = this.connection;
    this.connection = null;
    this.filters = NO_FILTERS;
    if (this.ctx.sessions.remove(this)) this.ctx.router.events.emit('session-ended', this);
    c?.sessionDetached(this, null);
  }

  /**
   * The server ends this session (replaced, kicked, account removed, shutdown): with a stream error on its
   * connection, and for good — a resumption module does not keep a session closed this way.
   */
  closeWithError(condition: 'conflict' | 'system-shutdown' | 'not-authorized' | 'policy-violation' | 'reset', text?: string): void {
    this.onConnectionLost = null;
    const c = this.connection;
    if (c !== null) c.closeWithError(condition, text);
    else this.end();
  }

  // ---- stanzas from the client ------------------------------------------------------------------------------

  /** Per-kind stanza rates (stanza-rate.ts); false when the stanza was refused (answered, or the stream closed). */
  private withinRate(stanza: Element): boolean {
    const kind = stanza.name as StanzaKind;
    const verdict = (this.rates ??= new StanzaRateLimiter(this.ctx.config.limits)).take(kind);
    if (verdict === 'ok') return true;
    if (verdict === 'close') {
      this.ctx.log.info('c2s', `${this.jid.toString()} kept sending ${kind} stanzas over the rate limit`);
      this.closeWithError('policy-violation', `too many ${kind} stanzas: slow down`);
      return false;
    }
    const type = stanza.attrs.type as string | undefined;
    // Errors are never answered (§8.3.1), nor iq results: they are just not processed.
    if (type !== 'error' && !(kind === 'iq' && type === 'result')) {
      const reply = stanzaErrorReply(stanza, 'policy-violation', { type: 'wait', text: `too many ${kind} stanzas: wait a moment and try again` });
      delete reply.attrs.from;
      reply.attrs.to = this.jid.toString();
      const to = stanza.attrs.to as string | undefined;
      if (to !== undefined) reply.attrs.from = to;
      this.send(reply);
    }
    return false;
  }

  receive(stanza: Element): void | Promise<void> {
    this.stanzasReceived++;
    return this.intake(stanza);
  }

  /** One stanza the client sent: stamped with the stream's xml:lang, then checked, stamped and routed by the router. */
  intake(stanza: Element): void | Promise<void> {
    this.ctx.stats.stanzasIn++;
    if (this.ctx.config.limits.enabled && !this.withinRate(stanza)) return;
    const a = stanza.attrs as Record<string, string | undefined>;
    if (this.lang !== 'en' && a['xml:lang'] === undefined) a['xml:lang'] = this.lang;   // CORE-05
    // Validation, `from` stamping (CORE-47) and addressing happen once, in the router (the one chokepoint).
    return this.ctx.router.submit(stanza, this);
  }
}
