// Small shared pieces of the IM modules (RFC 6121): which resources are "available" and "interested", roster
// item XML and roster pushes, routing server-generated presence, and the directed-presence bookkeeping.
import { Element, el } from '../core/xml.js';
import type { Jid } from '../core/jid.js';
import type { LocalSession } from '../core/session-registry.js';
import { isAvailable, peekResourceState, resourceState } from './resource-state.js';
import type { ModuleContext } from './module.js';
import type { RosterItem } from '../storage/roster.js';

export const NS_ROSTER = 'jabber:iq:roster';
export const NS_ROSTERVER_FEATURE = 'urn:xmpp:features:rosterver';
export const NS_PREAPPROVAL_FEATURE = 'urn:xmpp:features:pre-approval';

/** Resources that sent initial presence and have not gone unavailable (RFC 6121 §4.1 "available resource"). */
export function availableSessions(ctx: ModuleContext, bare: Jid): LocalSession[] {
  return ctx.sessions.ofAccount(bare).filter(isAvailable);
}

/** Resources that asked for the roster and so get roster pushes (RFC 6121 §2.2 "interested resource"). */
export function interestedSessions(ctx: ModuleContext, bare: Jid): LocalSession[] {
  return ctx.sessions.ofAccount(bare).filter((s) => peekResourceState(s)?.rosterRequested === true);
}

/** A copy of a stanza with some attributes changed, sharing its (never mutated) children. */
export function withAttrs(stanza: Element, attrs: Record<string, string | undefined>): Element {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...stanza.attrs, ...attrs })) if (v !== undefined) a[k] = v as string;
  const copy = new Element(stanza.name, a);
  copy.children = stanza.children;
  return copy;
}

/** True for JIDs of accounts on the server's own domain (the only ones this server keeps rosters for). */
export function isAccountJid(ctx: ModuleContext, jid: Jid): boolean {
  return jid.local !== '' && jid.domain === ctx.config.domain;
}

// ---- roster items and pushes ----------------------------------------------------------------------------------

/** `<item/>` as RFC 6121 §2.1.2 shows it: pending-in is never visible; ask only as 'subscribe'. */
export function itemElement(item: RosterItem): Element {
  return el('item', {
    jid: item.jid,
    name: item.name,
    subscription: item.subscription,
    ask: item.ask ? 'subscribe' : undefined,
    approved: item.approved ? 'true' : undefined,
  }, item.groups.map((g) => el('group', null, g)));
}

let pushCounter = 0;

/** Sessions whose roster get carried `ver` (they use roster versioning, RFC 6121 §2.6). */
export const versioningSessions = new WeakSet<LocalSession>();

/**
 * Roster push (RFC 6121 §2.1.6) of one item, or of its removal, to every interested resource of the user. No
 * `from` (it comes from the user's own account, IM-07); `ver` for resources that use versioning.
 */
export function pushRoster(ctx: ModuleContext, user: Jid, item: RosterItem | { removed: string }, ver: string | null, only?: LocalSession): void {
  const itemEl = 'removed' in item ? el('item', { jid: item.removed, subscription: 'remove' }) : itemElement(item);
  const targets = only ? [only] : interestedSessions(ctx, user);
  for (const s of targets) {
    const id = `push${(++pushCounter).toString(36)}`;
    s.send(el('iq', { type: 'set', id, to: s.jid.toString() },
      el('query', { xmlns: NS_ROSTER, ver: ver !== null && versioningSessions.has(s) ? ver : undefined }, itemEl)));
  }
}

// ---- routing what the server generates ------------------------------------------------------------------------

/**
 * Route a presence stanza the server sends on a user's behalf (broadcasts, probes' answers, subscription
 * stanzas; `from` and `to` set) through the router like any stanza: outbound filters on the sender's host, then the
 * target's module (this one for accounts, the MUC service for rooms, federation for other domains). `onBehalfOf`:
 * the resource whose presence this is, so its own rules apply to the copy.
 */
export function routePresence(ctx: ModuleContext, stanza: Element, onBehalfOf: LocalSession | null = null): void | Promise<void> {
  return ctx.router.submit(stanza, 'server', onBehalfOf);
}

// ---- directed presence (RFC 6121 §4.6) ------------------------------------------------------------------------

/** At most this many directed-presence targets are remembered per resource (memory bound per session). */
const MAX_DIRECTED = 1000;

export function rememberDirected(s: LocalSession, to: Jid): void {
  const set = (resourceState(s).directed ??= new Set());
  if (set.size < MAX_DIRECTED) set.add(to.toString());
}

export function forgetDirected(s: LocalSession, to: Jid): void {
  peekResourceState(s)?.directed?.delete(to.toString());
}

/** Drop every entry for a contact (its bare JID and any of its full JIDs) from all resources of a user. */
export function forgetDirectedContact(ctx: ModuleContext, user: Jid, contactBare: string): void {
  for (const s of ctx.sessions.ofAccount(user)) {
    const directed = peekResourceState(s)?.directed;
    if (!directed) continue;
    for (const j of directed) if (j === contactBare || j.startsWith(contactBare + '/')) directed.delete(j);
  }
}
