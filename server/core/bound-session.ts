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
import { childElements } from './xml.js';
import { NS } from './namespaces.js';
import { type Jid, tryParseJid } from './jid.js';
import { stanzaErrorReply, type StanzaErrorCondition } from './errors.js';
import type { ServerContext } from './context.js';
import type { Addressing, StanzaEvent, StanzaKind } from './router.js';
import type { OutputFilter, SessionConnection, SessionHandle } from './client-stream.js';

const IQ_TYPES = new Set(['get', 'set', 'result', 'error']);
const PRESENCE_TYPES = new Set(['unavailable', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe', 'error']);
const MESSAGE_TYPES = new Set(['chat', 'error', 'groupchat', 'headline', 'normal']);
const SHOW_VALUES = new Set(['away', 'chat', 'dnd', 'xa']);

/** RFC 6121 §4.7: at most one <show/> with a defined value, at most one <priority/> in −128..127 (BAD-38). */
function presenceProblem(presence: Element): string | null {
  let shows = 0;
  let priorities = 0;
  for (const c of childElements(presence)) {
    const ns = c.attrs.xmlns as string | undefined;
    if (ns !== undefined && ns !== NS.client) continue;
    if (c.name === 'show') {
      if (++shows > 1) return 'a presence carries at most one <show/>';
      if (!SHOW_VALUES.has(c.getText())) return `unknown <show/> value "${c.getText()}"`;
    } else if (c.name === 'priority') {
      if (++priorities > 1) return 'a presence carries at most one <priority/>';
      const v = c.getText().trim();
      if (!/^[+-]?\d{1,4}$/.test(v) || Number(v) < -128 || Number(v) > 127) return 'priority must be an integer from -128 to 127';
    }
  }
  return null;
}

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
  // IM state, kept here until the modules that write it keep it themselves (see LocalSession).
  presence: Element | null = null;
  priority = 0;
  rosterRequested = false;
  directed: Set<string> | null = null;
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

  receive(stanza: Element, kind: StanzaKind): void | Promise<void> {
    this.stanzasReceived++;
    return this.intake(stanza, kind);
  }

  /** Validates, stamps and routes one stanza the client sent (CORE-47, CORE-49, CORE-56, BAD-34, BAD-38, BAD-39). */
  intake(stanza: Element, kind: StanzaKind): void | Promise<void> {
    this.ctx.stats.stanzasIn++;
    const a = stanza.attrs as Record<string, string | undefined>;
    const hadTo = a.to !== undefined;
    a.from = this.jid.toString();   // CORE-47: the server sets from; whatever the client wrote is overwritten
    if (this.lang !== 'en' && a['xml:lang'] === undefined) a['xml:lang'] = this.lang;   // CORE-05
    const rawType = a.type;
    let type: string;
    if (kind === 'iq') {
      // Without an id no reply could be correlated: drop it rather than answer (RFC 6120 §8.2.3, BAD-34).
      if (a.id === undefined) return this.ctx.log.debug('c2s', `${this.id} dropped an iq without id`);
      if (rawType === undefined || !IQ_TYPES.has(rawType)) return this.refuse(stanza, 'bad-request', 'an iq needs type get, set, result or error');
      if (rawType === 'get' || rawType === 'set') {
        const payload = childElements(stanza);
        if (payload.length !== 1) return this.refuse(stanza, 'bad-request', 'an iq get or set carries exactly one payload element');
        // A resource is bound already; RFC 6120 has no second bind on one stream (BAD-22).
        if (!hadTo && payload[0].getName() === 'bind' && payload[0].getNS() === NS.bind) return this.refuse(stanza, 'not-allowed', 'a resource is already bound to this stream');
      }
      type = rawType;
    } else if (kind === 'presence') {
      if (rawType !== undefined && !PRESENCE_TYPES.has(rawType)) return this.refuse(stanza, 'bad-request', `unknown presence type "${rawType}"`);
      const problem = presenceProblem(stanza);
      if (problem) return this.refuse(stanza, 'bad-request', problem);
      type = rawType ?? 'available';
    } else {
      // Unknown or missing message types are treated as normal (RFC 6121 §5.2.2, BAD-39).
      type = rawType !== undefined && MESSAGE_TYPES.has(rawType) ? rawType : 'normal';
    }
    let to: Jid;
    let addressing: Addressing;
    if (!hadTo) {
      to = this.jid.bare;
      addressing = kind === 'message' ? 'bare' : 'self';   // CORE-56
    } else {
      const parsed = tryParseJid(a.to);
      if (!parsed) return this.refuse(stanza, 'jid-malformed', `"${a.to}" is not a valid address`, true);
      to = parsed;
      if (!this.ctx.isLocalDomain(to.domain)) return this.remote(stanza, kind, type);
      addressing = this.ctx.router.addressingOf(to, this, true);
    }
    const ev: StanzaEvent = { stanza, kind, type, from: this.jid, to, addressing, origin: this };
    return this.ctx.router.route(ev);
  }

  /** Stanzas for other domains go out over federation; when it is off they cannot be delivered (CORE-58). */
  private remote(stanza: Element, kind: StanzaKind, type: string): void | Promise<void> {
    if (this.ctx.remoteRoute) return this.ctx.remoteRoute(stanza, kind, type, this);
    if (kind === 'presence' || type === 'error' || (kind === 'iq' && (type === 'result'))) return;
    this.refuse(stanza, 'service-unavailable', 'this server does not federate with other servers');
  }

  private refuse(stanza: Element, condition: StanzaErrorCondition, text: string, dropFrom = false): void {
    const a = stanza.attrs as Record<string, string | undefined>;
    if (a.type === 'error') return;
    const reply = stanzaErrorReply(stanza, condition, { text });
    if (dropFrom) delete reply.attrs.from;
    delete reply.attrs.to;
    this.send(reply);
  }
}
