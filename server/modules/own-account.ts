// Whether an iq addressed to an account comes from that account itself, which decides what modules that keep
// per-account data (roster, vCard, private storage, last activity, disco of an account) tell or allow.
import type { StanzaEvent } from '../core/router.js';

/** The stanza is from the account it is addressed to: it has no `to` (RFC 6120 §10.3.3), or the sender's own bare JID. */
export function isOwnAccount(ev: StanzaEvent): boolean {
  return ev.addressing === 'self' || ev.from.bare.equals(ev.to);
}
