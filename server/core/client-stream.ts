// The client side of the seam "connection apart from session" (DESIGN.md), as interfaces only, so that modules,
// the context, the bound session and the connection can name each other without importing each other:
//   - a ClientStream is a client *connection* (C2sConnection now; WebSocket/BOSH later) as modules see it;
//   - a SessionHandle is the *bound session* (BoundSession) as modules see it: what the router delivers to, with
//     an output filter chain, an inbound stanza count, and detach/attach for resumption (XEP-0198).
import type { Element } from './xml.js';
import type { StreamErrorCondition } from './errors.js';
import type { LocalSession } from './session-registry.js';

/** Where a client connection is in its negotiation (RFC 6120 §4.3): before TLS, before SASL, before bind, bound. */
export type ClientStage = 'pre-tls' | 'pre-auth' | 'pre-bind' | 'bound';

/**
 * Sees (and may change) every stanza on its way to one session's client. Returns the stanza to pass on (the same
 * one or another), or null when it keeps it back: dropped, or held to be passed on later with
 * `session.sendPast(order, …)` (XEP-0352 holding). A filter that returns null owns `written` from then on: it must
 * call it once (false when dropped) or hand it on with the stanza. Filters must not throw.
 */
export type OutputFilter = (stanza: Element, session: SessionHandle, written: ((ok: boolean) => void) | undefined) => Element | null;

/** What a bound session needs of the connection it writes to. */
export interface SessionConnection {
  readonly id: string;
  /** The stream's xml:lang (CORE-05), stamped on stanzas that carry none. */
  readonly lang: string;
  readonly secure: boolean;
  readonly remoteAddress: string;
  /** The authenticated account (localpart) after SASL, else null. */
  readonly username: string | null;
  /** Write a stanza that went through the session's filters; `written` as in LocalSession.send. */
  writeStanza(stanza: Element, written?: (ok: boolean) => void): void;
  closeWithError(condition: StreamErrorCondition, text?: string): void;
  /**
   * Called by SessionHandle.attach only: the session writes here from now on (the connection is bound). Throws,
   * changing nothing, when the connection is closing or already carries another session.
   */
  sessionAttached(session: SessionHandle): void;
  /**
   * Called by SessionHandle.detach/attach only: the session no longer writes here. `movedTo` is the connection it
   * went to (this one then ends with a <conflict/> stream error), or null (it ends with its closing tag).
   */
  sessionDetached(session: SessionHandle, movedTo: SessionConnection | null): void;
}

/** A client connection as stream-element handlers see it. */
export interface ClientStream extends SessionConnection {
  readonly stage: ClientStage;
  /** The bound session, once bound (or once a module attached one to this connection); else null. */
  readonly session: SessionHandle | null;
  /** Write a top-level element on this connection itself (not through a session's output filters). */
  send(element: Element): void;
}

/**
 * A top-level element other than a stanza (XEP-0198 <enable/>, <resume/>, <r/>, <a/>; XEP-0352 <active/>), by
 * namespace and name. `stages` says where it is accepted; anywhere else it is an unknown element and the stream
 * ends with <unsupported-stanza-type/>. The handler answers on the stream itself; it must not throw or reject.
 */
export interface StreamElementHandler {
  readonly stages: readonly ClientStage[];
  handle(stream: ClientStream, element: Element): void | Promise<void>;
}

/** The bound session as modules see it (see bound-session.ts for the rules). */
export interface SessionHandle extends LocalSession {
  /** The connection it writes to; null while detached. */
  readonly connection: SessionConnection | null;
  /** Stanzas received from the client since bind (XEP-0198's `h` for the inbound direction). */
  readonly stanzasReceived: number;
  /** Ended: out of the registry, never attached again. */
  readonly ended: boolean;
  /**
   * Set by a resumption module (XEP-0198): called instead of ending the session when its connection is lost without
   * the client closing the stream; the session is then detached, and the module ends it (end()) when it gives up.
   */
  onConnectionLost: ((session: SessionHandle) => void) | null;
  addOutputFilter(filter: OutputFilter, order?: number): void;
  removeOutputFilter(filter: OutputFilter): boolean;
  /** Pass a stanza through the filters with an order above `order`, then to the connection. */
  sendPast(order: number, stanza: Element, written?: (ok: boolean) => void): void;
  detach(): void;
  attach(connection: SessionConnection): void;
  end(): void;
  /** Called by the connection: one stanza from the client (counted, then validated and routed). */
  receive(stanza: Element): void | Promise<void>;
  /** Called by the connection when its transport is gone; `clean`: the client had closed the stream itself. */
  connectionLost(connection: SessionConnection, clean: boolean): void;
}
