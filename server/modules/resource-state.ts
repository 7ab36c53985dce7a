// The IM state of one connected resource (RFC 6121), kept by the IM modules rather than on the session: the core
// knows nothing of presence or rosters. Written by the presence and roster modules; read by delivery and offline.
import type { Element } from '../core/xml.js';
import type { LocalSession } from '../core/session-registry.js';

export interface ResourceState {
  /** Last available presence broadcast by this resource (RFC 6121 §4.2); null = not (yet) available. */
  presence: Element | null;
  /** Priority from that presence (−128…127; RFC 6121 §4.7.2.3). */
  priority: number;
  /** The resource asked for the roster, so it gets roster pushes and is "interested" (RFC 6121 §2.1.6). */
  rosterRequested: boolean;
  /** Bare or full JIDs this resource sent directed presence to (RFC 6121 §4.6), created when first needed. */
  directed: Set<string> | null;
  /**
   * Others' available presence delivered to this resource and not yet withdrawn, by full JID: what the client
   * believes is online. Lets the server withdraw it when a rule starts hiding a contact (XEP-0016 §2.10, PRIV-24),
   * for contacts on other servers too. Created when first needed.
   */
  heard: Map<string, Element> | null;
}

// Keyed weakly: the state goes with the session object, with no cleanup to forget when a session ends.
const states = new WeakMap<LocalSession, ResourceState>();

/** The state of a resource, made when first asked for (a session that never sent presence costs nothing here). */
export function resourceState(s: LocalSession): ResourceState {
  let st = states.get(s);
  if (!st) {
    st = { presence: null, priority: 0, rosterRequested: false, directed: null, heard: null };
    states.set(s, st);
  }
  return st;
}

/** The resource's state if it has any (read-only callers on hot paths use this: it creates nothing). */
export function peekResourceState(s: LocalSession): ResourceState | undefined {
  return states.get(s);
}

/** Available: sent initial presence and has not gone unavailable (RFC 6121 §4.1). */
export function isAvailable(s: LocalSession): boolean {
  return states.get(s)?.presence != null;
}

/** At most this many others' presences are remembered per resource (memory bound per session). */
const MAX_HEARD = 2000;

/** Note a presence delivered to `s` from someone else: available is remembered, anything else forgets it. */
export function noteHeard(s: LocalSession, from: string, presence: Element, available: boolean): void {
  if (!available) {
    forgetHeard(s, from);
    return;
  }
  const heard = (resourceState(s).heard ??= new Map());
  if (heard.size < MAX_HEARD || heard.has(from)) heard.set(from, presence);
}

export function forgetHeard(s: LocalSession, from: string): void {
  peekResourceState(s)?.heard?.delete(from);
}
