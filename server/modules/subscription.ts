// RFC 6121 §3: processing of presence subscription stanzas, outbound (sent by a local user) and inbound (for a
// local account), driven entirely by the state table in subscription-states.ts. Every change is on disk before
// anyone is told about it: roster writes are awaited, then pushes, then the stanzas that follow from it.
import * as ltx from 'ltx';
import { el, type Element } from '../core/xml.js';
import { type Jid, parseJid } from '../core/jid.js';
import { peekResourceState } from './resource-state.js';
import { rosterChanged } from './roster-events.js';
import type { ModuleContext } from './module.js';
import { emptyItem, itemSize, rosterStore, type RosterItem } from '../storage/roster.js';
import { StanzaError } from '../core/errors.js';
import { ensureQuota } from './storage-quota.js';
import {
  OUTBOUND, inboundRule, stateOf, partsOf, type SubType, type SubState, type OutboundRule, type InboundRule,
} from './subscription-states.js';
import {
  availableSessions, interestedSessions, pushRoster, routePresence, withAttrs, forgetDirectedContact, isAccountJid,
} from './presence-helpers.js';

export const SUB_TYPE_SET: ReadonlySet<string> = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']);

interface Change {
  before: RosterItem | null;
  after: RosterItem | null;
  /** Version string to push with, or null when nothing visible changed. */
  pushVer: string | null;
  removed: boolean;
}

/** What a subscription rule decides for one item, given the item and its state. */
type Decide = (item: RosterItem | null, state: SubState) => {
  next: SubState; push: boolean; approval?: 'set' | 'clear' | 'consume'; pending?: string; listIt?: boolean;
};

/**
 * Apply a new state (and approval change) to a user's item under its roster lock; writes only real changes. A new
 * item past the roster size limit is refused with `whenFull` (nothing written), a write past the user's storage
 * quota with resource-constraint (storage-quota.ts).
 */
async function applyState(ctx: ModuleContext, user: Jid, contact: string, whenFull: StanzaError, decide: Decide): Promise<Change & { state: SubState }> {
  const change = await writeState(ctx, user, contact, whenFull, decide);
  if (change.before !== change.after) rosterChanged(ctx.router, { user, contact, before: change.before, after: change.after });
  return change;
}

/** applyState's write, under the roster lock; the change event fires once the lock is released. */
async function writeState(ctx: ModuleContext, user: Jid, contact: string, whenFull: StanzaError, decide: Decide): Promise<Change & { state: SubState }> {
  const store = ctx.storage.get(rosterStore);
  return store.lock(user.local, async () => {
    const before = await store.get(user.local, contact);
    const state = stateOf(before);
    const d = decide(before, state);
    const after: RosterItem = before ? { ...before, groups: [...before.groups] } : emptyItem(contact);
    Object.assign(after, partsOf(d.next));
    if (!after.pendingIn) delete after.pendingStanza;
    else if (d.pending !== undefined) after.pendingStanza = d.pending;
    if (d.approval === 'set') after.approved = true;
    if (d.approval === 'clear' || d.approval === 'consume') after.approved = false;
    // Approval only means something while the contact has no subscription yet (§3.4).
    if (after.subscription === 'from' || after.subscription === 'both') after.approved = false;
    // An item the user will see: a subscription, a request of theirs, a pre-approval (§3.1.2, §3.1.5, §3.4).
    if (d.listIt || after.subscription !== 'none' || after.ask || after.approved) after.listed = true;
    const approvalChanged = (before?.approved ?? false) !== after.approved;
    const visible = after.listed && (d.push || approvalChanged || !(before?.listed ?? false));
    const changed = visible || !same(before, after);
    if (!changed) return { before, after: before, pushVer: null, removed: false, state };
    if (!after.listed && !after.pendingIn) {
      await store.remove(user.local, contact);
      return { before, after: null, pushVer: null, removed: true, state };
    }
    if (before === null && (await store.count(user.local)) >= ctx.config.limits.maxRosterItems) throw whenFull;
    await ensureQuota(ctx, user.local, itemSize(after), before ? itemSize(before) : 0);
    const ver = await store.put(user.local, after, visible);
    return { before, after, pushVer: visible ? ver : null, removed: false, state };
  });
}

function same(a: RosterItem | null, b: RosterItem): boolean {
  if (!a) return false;
  return a.subscription === b.subscription && a.ask === b.ask && a.pendingIn === b.pendingIn && a.approved === b.approved
    && a.listed === b.listed && a.pendingStanza === b.pendingStanza;
}

/** A subscription stanza as it travels: from the user's bare JID to the contact's bare JID (§3, IM-09). */
function stamped(stanza: Element, from: Jid, to: Jid): Element {
  return withAttrs(stanza, { from: from.toString(), to: to.toString() });
}

/** Send each available resource's current presence (or `unavailable`) from its full JID to a contact. */
async function presenceOfResources(ctx: ModuleContext, user: Jid, to: Jid, unavailable: boolean): Promise<void> {
  for (const s of availableSessions(ctx, user)) {
    const p = unavailable
      ? el('presence', { from: s.jid.toString(), to: to.toString(), type: 'unavailable' })
      : withAttrs(peekResourceState(s)!.presence!, { from: s.jid.toString(), to: to.toString() });
    await routePresence(ctx, p);
  }
}

/**
 * Outbound: a local user sent a subscription stanza to `contact` (a bare JID on a local domain). Updates the user's
 * roster per Tables 2–5, pushes, then routes (the contact's side is processed before this resolves).
 */
export async function processOutbound(ctx: ModuleContext, user: Jid, contact: Jid, type: SubType, stanza: Element): Promise<OutboundRule> {
  let rule!: OutboundRule;
  const full = new StanzaError('not-allowed', { text: `your roster is full (${ctx.config.limits.maxRosterItems} contacts); remove someone first` });
  const change = await applyState(ctx, user, contact.toString(), full, (_item, state) => {
    rule = OUTBOUND[type][state];
    return { next: rule.next, push: rule.push, approval: rule.approval, listIt: rule.approval === 'set' };
  });
  if (change.pushVer !== null && change.after) pushRoster(ctx, user, change.after, change.pushVer);
  if (rule.unavailableFirst) {
    // "While the user is still subscribed" the contact gets unavailable from each resource first (§3.2.2).
    await presenceOfResources(ctx, user, contact, true);
    forgetDirectedContact(ctx, user, contact.toString());
  }
  if (rule.route) await routePresence(ctx, stamped(stanza, user, contact));
  if (rule.presenceAfter) {
    // The contact may now see the user: current presence of every available resource (§3.1.5, IM-13); the
    // subscription supersedes directed-presence bookkeeping for it (§4.6, IM-27).
    forgetDirectedContact(ctx, user, contact.toString());
    await presenceOfResources(ctx, user, contact, false);
  }
  return rule;
}

/**
 * Inbound: a subscription stanza from `from` (bare) for the local account `user`. Silently dropped when the account
 * does not exist (§8.5.1, IM-21). Per Tables 6–9 and §3.4: record, deliver, push, auto-reply.
 */
export async function processInbound(ctx: ModuleContext, from: Jid, user: Jid, type: SubType, stanza: Element): Promise<InboundRule | null> {
  if (!isAccountJid(ctx, user) || !(await ctx.accounts.exists(user.local))) return null;
  const out = stamped(stanza, from, user);
  let rule!: InboundRule;
  // The recipient's roster cannot take a new contact: the sender is told the request could not be kept (type wait).
  const full = new StanzaError('resource-constraint', { text: 'the contact cannot take more subscription requests now' });
  const change = await applyState(ctx, user, from.toString(), full, (item, state) => {
    rule = inboundRule(type, state, item?.approved ?? false);
    return {
      next: rule.next,
      push: rule.push,
      approval: rule.consumesApproval ? 'consume' : undefined,
      // The full request (with any extensions, e.g. a nickname) is kept to redeliver at the next login (§3.1.3).
      pending: type === 'subscribe' && rule.deliver ? out.toString() : undefined,
    };
  });
  if (rule.deliver) {
    // Requests go to available resources (kept for later if there are none); the rest to interested ones (§3.1.3,
    // §3.1.6, §3.2.3, §3.3.3) — before the roster push (IM-14).
    const targets = type === 'subscribe' ? availableSessions(ctx, user) : interestedSessions(ctx, user);
    for (const s of targets) s.send(out);
  }
  if (change.pushVer !== null && change.after) pushRoster(ctx, user, change.after, change.pushVer);
  if (rule.unavailableAfter) {
    await presenceOfResources(ctx, user, from, true);
    forgetDirectedContact(ctx, user, from.toString());
  }
  if (rule.autoReply) {
    const reply = el('presence', { from: user.toString(), to: from.toString(), type: rule.autoReply });
    await routePresence(ctx, reply);
  }
  if (rule.presenceAfter) {
    forgetDirectedContact(ctx, user, from.toString());
    await presenceOfResources(ctx, user, from, false);
  }
  return rule;
}

/** Pending inbound requests of a user, to redeliver to a resource that just became available (§3.1.3). */
export async function pendingRequests(ctx: ModuleContext, user: Jid): Promise<Element[]> {
  const out: Element[] = [];
  for (const item of await ctx.storage.get(rosterStore).all(user.local)) {
    if (!item.pendingIn) continue;
    let p: Element | null = null;
    if (item.pendingStanza) {
      try {
        const parsed = ltx.parse(item.pendingStanza);
        if (parsed.name === 'presence') p = parsed;
      } catch { /* fall back to a plain request */ }
    }
    out.push(p ?? el('presence', { from: parseJid(item.jid).toString(), to: user.toString(), type: 'subscribe' }));
  }
  return out;
}
