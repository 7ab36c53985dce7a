// Presence a local client sends to a JID on another server (RFC 6121 §3, §4.6): the same bookkeeping as for local
// contacts — subscription stanzas go through the subscription state machine (roster update and push first, then
// the stanza leaves over federation via routePresence), directed presence is remembered so the contact hears
// when the resource goes away — then the stanza goes out.
import type { Element } from '../core/xml.js';
import { tryParseJid } from '../core/jid.js';
import type { LocalSession } from '../core/session-registry.js';
import type { ModuleContext } from '../modules/module.js';
import { processOutbound, SUB_TYPE_SET } from '../modules/subscription.js';
import type { SubType } from '../modules/subscription-states.js';
import { rememberDirected, forgetDirected } from '../modules/presence-helpers.js';

export function remotePresenceFromClient(ctx: ModuleContext, stanza: Element, type: string, origin: LocalSession, send: (stanza: Element) => void): void | Promise<void> {
  const to = tryParseJid(stanza.attrs.to as string | undefined);
  if (!to) return;
  if (SUB_TYPE_SET.has(type)) {
    // Subscription stanzas are about bare JIDs and travel from the user's bare JID (RFC 6121 §3, IM-09).
    return processOutbound(ctx, origin.jid.bare, to.bare, type as SubType, stanza).then(() => undefined);
  }
  if (type === 'available') rememberDirected(origin, to);
  else if (type === 'unavailable') forgetDirected(origin, to);
  send(stanza);
}
