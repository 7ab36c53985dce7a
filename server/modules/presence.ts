// RFC 6121 §3–4: presence subscriptions (state table in subscription-states.ts, processing in subscription.ts) and
// presence: initial presence with probes, broadcasts to From/Both contacts and the user's own resources, directed
// presence and its cleanup, unavailable on graceful and ungraceful loss of a resource, probes answered only to
// subscribers (anti-harvesting), presence validation (§4.7, BAD-38). The presence-leak protection of §8.5.3.1 (an
// iq get/set to a full JID from someone the user shares no presence with is refused) lives in delivery.ts, which
// delivers full-JID IQs; it relies on the roster and on `session.directed`, which this module maintains.
//
// Contract with other modules (message delivery, offline storage): `session.presence !== null` means the resource
// is available (it sent initial presence and has not gone unavailable); `session.priority` is its priority.
import { el, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { type Jid, tryParseJid } from '../core/jid.js';
import { StanzaError } from '../core/errors.js';
import type { StanzaEvent } from '../core/router.js';
import type { LocalSession } from '../core/session-registry.js';
import type { ModuleContext, ServerModule } from './module.js';
import { rosterStore } from '../storage/roster.js';
import { contactSeesUser, userSeesContact, type SubType } from './subscription-states.js';
import { processInbound, processOutbound, pendingRequests, SUB_TYPE_SET } from './subscription.js';
import {
  availableSessions, isAccountJid, routePresence, withAttrs, rememberDirected, forgetDirected,
  NS_PREAPPROVAL_FEATURE,
} from './presence-helpers.js';

const SHOW_VALUES = new Set(['away', 'chat', 'dnd', 'xa']);

/**
 * RFC 6121 §4.7 (IM-28, BAD-38): at most one <show/> with a defined value, at most one <priority/> holding an
 * integer in −128…127, several <status/> only with distinct xml:lang. Extension elements are not looked at.
 */
export function checkPresence(stanza: Element): string | null {
  let shows = 0;
  let priorities = 0;
  const langs = new Set<string>();
  for (const c of stanza.children) {
    if (typeof c === 'string') continue;
    const ns = c.attrs.xmlns as string | undefined;
    if (ns !== undefined && ns !== NS.client) continue;
    if (c.name === 'show') {
      if (++shows > 1) return 'a presence carries at most one <show/>';
      if (!SHOW_VALUES.has(c.getText().trim())) return '<show/> must be away, chat, dnd or xa';
    } else if (c.name === 'priority') {
      if (++priorities > 1) return 'a presence carries at most one <priority/>';
      const t = c.getText().trim();
      if (!/^[+-]?\d{1,6}$/.test(t)) return '<priority/> must be an integer';
      const n = Number(t);
      if (n < -128 || n > 127) return '<priority/> must be between -128 and 127';
    } else if (c.name === 'status') {
      const lang = (c.attrs['xml:lang'] as string | undefined) ?? '';
      if (langs.has(lang)) return 'several <status/> elements need distinct xml:lang values';
      langs.add(lang);
    }
  }
  return null;
}

/** The priority of a (validated) presence; 0 when absent (§4.7.2.3). */
export function priorityOf(stanza: Element): number {
  for (const c of stanza.children) {
    if (typeof c === 'string' || c.name !== 'priority') continue;
    const ns = c.attrs.xmlns as string | undefined;
    if (ns !== undefined && ns !== NS.client) continue;
    const n = Number(c.getText().trim());
    return Number.isInteger(n) ? Math.max(-128, Math.min(127, n)) : 0;
  }
  return 0;
}

/** A broadcast: no `to`, or the user's own bare JID (RFC 6120 §10.3: the same thing). */
function isBroadcast(ev: StanzaEvent): boolean {
  return ev.addressing === 'self' || (ev.addressing === 'bare' && ev.to.equals(ev.from.bare));
}

/** Runs first for every presence from a local client: validation and directed-presence bookkeeping. Synchronous. */
function preflight(ev: StanzaEvent): false {
  const s = ev.origin;
  if (!s || ev.type === 'error') return false;
  const problem = checkPresence(ev.stanza);
  if (problem) throw new StanzaError('bad-request', { text: problem });
  if ((ev.type === 'available' || ev.type === 'unavailable') && !isBroadcast(ev) && !ev.to.bare.equals(ev.from.bare)) {
    // Directed presence (§4.6): remember who was told we are here, to tell them when we leave (IM-27). Contacts
    // with a subscription are skipped at that time (they get the broadcast), so they need no special case here.
    if (ev.type === 'available') rememberDirected(s, ev.to);
    else forgetDirected(s, ev.to);
  }
  return false;
}

/** Broadcasts of one resource run one after the other (an ungraceful close must not overtake a broadcast). */
const chains = new WeakMap<LocalSession, Promise<void>>();

function serially(s: LocalSession, fn: () => Promise<void>): Promise<void> {
  const run = (chains.get(s) ?? Promise.resolve()).then(fn);
  chains.set(s, run.catch(() => undefined));
  return run;
}

/**
 * Broadcast a resource's available or unavailable presence (§4.2.2, §4.4.2, §4.5.2). `connected` is false when
 * the connection is already gone (the unavailable presence is then generated by the server, §4.6.3/IM-26).
 */
async function broadcast(ctx: ModuleContext, s: LocalSession, stanza: Element, available: boolean, connected = true): Promise<void> {
  if (!connected && s.presence === null && !(s.directed && s.directed.size > 0)) return;
  const user = s.jid.bare;
  const full = s.jid.toString();
  const wasAvailable = s.presence !== null;
  const initial = available && !wasAvailable;
  const clean = withAttrs(stanza, { to: undefined, from: full });
  if (available) {
    s.presence = clean;
    s.priority = priorityOf(stanza);
  } else {
    s.presence = null;
    s.priority = 0;
  }
  const roster = await ctx.storage.get(rosterStore).all(user.local);
  // 1. Contacts that may see the user (From/Both). Going unavailable without having been available tells them
  //    nothing new, so they are skipped then.
  const told = new Set<string>();
  if (available || wasAvailable) {
    for (const item of roster) {
      if (!contactSeesUser(item.subscription)) continue;
      const to = tryParseJid(item.jid);
      if (!to) continue;
      told.add(item.jid);
      await routePresence(ctx, withAttrs(clean, { to: item.jid }), s.jid, to);
    }
  }
  // 2. The user's own available resources, including this one while it is connected (§4.2.2 "including the
  //    resource that generated the presence notification").
  if (available || wasAvailable) {
    for (const other of availableSessions(ctx, user)) if (other !== s) other.send(withAttrs(clean, { to: other.jid.toString() }));
    if (connected) s.send(withAttrs(clean, { to: full }));
  }
  // 3. Going unavailable: everyone that got directed presence from this resource and no broadcast (§4.6.3).
  if (!available && s.directed) {
    const targets = [...s.directed];
    s.directed = null;
    for (const j of targets) {
      const to = tryParseJid(j);
      if (!to || told.has(to.bareString())) continue;
      await routePresence(ctx, withAttrs(clean, { to: j }), s.jid, to);
    }
  }
  if (!initial) return;
  // 4. Initial presence: the presence of the user's other available resources, probes to the contacts the user
  //    may see (To/Both; sent from the bare JID, §4.3.1), and the subscription requests still waiting (§3.1.3).
  for (const other of availableSessions(ctx, user)) {
    if (other !== s && other.presence) s.send(withAttrs(other.presence, { to: full }));
  }
  for (const item of roster) {
    if (!userSeesContact(item.subscription)) continue;
    const to = tryParseJid(item.jid);
    if (!to) continue;
    await routePresence(ctx, el('presence', { type: 'probe', from: user.toString(), to: item.jid }), user, to);
  }
  if (connected) for (const p of await pendingRequests(ctx, user)) s.send(p);
}

/**
 * A probe for `target` (an account, bare or full) on behalf of `prober` (bare), answered to `replyTo` (§4.3.2):
 * silence unless `prober` is subscribed to the target (nonexistent accounts look the same: IM-24, IM-29, BAD-33);
 * the last presence of each available resource (only the named one for a full-JID probe), or `unavailable`.
 */
async function answerProbe(ctx: ModuleContext, target: Jid, prober: Jid, replyTo: Jid): Promise<void> {
  const own = prober.equals(target.bare);
  if (!own) {
    const item = await ctx.storage.get(rosterStore).get(target.local, prober.toString());
    if (!item || !contactSeesUser(item.subscription)) return;
  }
  let sessions = availableSessions(ctx, target.bare);
  if (target.resource !== '') sessions = sessions.filter((x) => x.jid.equals(target));
  if (own) sessions = sessions.filter((x) => !x.jid.equals(replyTo));
  if (sessions.length === 0) {
    if (own) return;
    await routePresence(ctx, el('presence', { from: target.toString(), to: replyTo.toString(), type: 'unavailable' }), target, replyTo);
    return;
  }
  for (const x of sessions) await routePresence(ctx, withAttrs(x.presence!, { from: x.jid.toString(), to: replyTo.toString() }), x.jid, replyTo);
}

/** Presence sent by a local client. */
function outbound(ctx: ModuleContext, ev: StanzaEvent): boolean | Promise<boolean> {
  const s = ev.origin!;
  const user = ev.from.bare;
  const type = ev.type;
  if (isBroadcast(ev)) {
    if (type === 'available' || type === 'unavailable') return serially(s, () => broadcast(ctx, s, ev.stanza, type === 'available')).then(() => true);
    if (type === 'probe') return answerProbe(ctx, user, user, ev.from).then(() => true);
    return true;   // subscribing to oneself, or a presence error without `to`: nothing to do
  }
  if (!isAccountJid(ctx, ev.to)) {
    // The server's own domain has nothing to do with presence; another local service (MUC…) handles its own.
    return ev.to.domain === ctx.config.domain;
  }
  if (SUB_TYPE_SET.has(type)) {
    // §3: subscription stanzas are about bare JIDs (a full `to` is treated as the bare JID: IM-09, IM-30).
    if (ev.to.bare.equals(user)) return true;
    return processOutbound(ctx, user, ev.to.bare, type as SubType, ev.stanza).then(() => true);
  }
  if (type === 'probe') return answerProbe(ctx, ev.to, user, ev.from).then(() => true);
  // Directed available/unavailable presence and presence errors: deliver as addressed (§4.6.2).
  const r = routePresence(ctx, withAttrs(ev.stanza, { to: ev.to.toString() }), ev.from, ev.to);
  return r instanceof Promise ? r.then(() => true) : true;
}

/** Presence for a local account from anyone else (or generated by the server on someone's behalf). */
function inbound(ctx: ModuleContext, ev: StanzaEvent): boolean | Promise<boolean> {
  if (!isAccountJid(ctx, ev.to)) return false;
  const type = ev.type;
  if (SUB_TYPE_SET.has(type)) return processInbound(ctx, ev.from.bare, ev.to.bare, type as SubType, ev.stanza).then(() => true);
  if (type === 'probe') return answerProbe(ctx, ev.to, ev.from.bare, ev.from.bare).then(() => true);
  if (ev.to.resource === '') {
    // To the bare JID: every available resource, `to` unchanged (§8.5.2.1.2, IM-23, IM-43).
    for (const s of availableSessions(ctx, ev.to)) s.send(ev.stanza);
  } else {
    // To a full JID: that resource if connected; otherwise ignored (§8.5.3.2.2, IM-30).
    ctx.sessions.get(ev.to)?.send(ev.stanza);
  }
  return true;
}

export const presenceModule: ServerModule = {
  name: 'presence',
  spec: 'RFC 6121 §3, §4: presence subscriptions (incl. pre-approval) and presence',
  stores: [rosterStore],
  async load(ctx) {
    await ctx.storage.open(rosterStore);
    for (const a of ['self', 'bare', 'full', 'host'] as const) {
      ctx.router.hook(`presence/${a}`, preflight, 100);
      ctx.router.hook(`presence/${a}`, (ev) => (ev.origin ? outbound(ctx, ev) : inbound(ctx, ev)));
    }
    ctx.router.events.on('session-ended', (s) => {
      const unavailable = el('presence', { type: 'unavailable' });
      serially(s, () => broadcast(ctx, s, unavailable, false, false)).catch((err: unknown) => {
        ctx.log.error('presence', `unavailable broadcast for ${s.jid.toString()} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      });
    });
    ctx.featureProviders.push({ postAuthFeatures: () => [el('sub', { xmlns: NS_PREAPPROVAL_FEATURE })] });
  },
};
