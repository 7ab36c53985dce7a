// What the router hands to handlers: one event per stanza, built once where the stanza enters (Router.submit).
import type { Element } from './xml.js';
import type { Jid } from './jid.js';
import type { LocalSession } from './session-registry.js';

export type StanzaKind = 'message' | 'presence' | 'iq';
/** host: a served domain itself; self: no `to` from a local client (acts on its own account); bare/full: an entity. */
export type Addressing = 'host' | 'self' | 'bare' | 'full';

/** 'accounts': users log in here and have rosters; 'service': a server-side service (MUC, upload, a component). */
export type HostKind = 'accounts' | 'service';

/** What an event tells of a served host (the Host class of hosts.ts, which fires events, implements it). */
export interface ServedHost {
  readonly domain: string;
  readonly kind: HostKind;
  /** Shown in disco#items of the server's domain. */
  readonly name?: string;
}

export interface StanzaEvent {
  stanza: Element;
  kind: StanzaKind;
  /** The stanza's type with RFC defaults applied (message: 'normal', presence: 'available'). */
  type: string;
  from: Jid;
  to: Jid;
  addressing: Addressing;
  /** The host `to` is on; null: another server's domain (the `route/remote` event delivers it, or nobody). */
  host: ServedHost | null;
  /** The host `from` is on; null: it comes from another server. Outbound (`pre-…`) events fire on it. */
  senderHost: ServedHost | null;
  /** The local client session the stanza came from, if any. */
  origin: LocalSession | null;
  /**
   * For a stanza the server sends because of one session (its presence broadcast, the unavailable after its
   * connection was lost): that session, even when it has left the registry already. Lets filters apply that
   * session's own rules (an active privacy list) to the server's copies. Null otherwise.
   */
  onBehalfOf: LocalSession | null;
  /** The payload of an iq get/set (exactly one element, checked on entry); null for anything else. */
  payload: Element | null;
  /** How to answer a sender that has no local session: set by the router, routes the answer like any stanza. */
  reply?: (stanza: Element) => void;
}
