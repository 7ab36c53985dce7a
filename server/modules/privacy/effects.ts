// What follows a change of lists, before the request is answered: privacy list pushes to every connected resource
// (XEP-0016 §2.6, PRIV-08), blocklist pushes to the resources that asked for the blocklist (XEP-0191 §3, MOD-27,
// MOD-30), and presence as a list starts or stops applying to a resource: unavailable to the contacts a
// `presence-out` rule now hides it from, its current presence to those it no longer hides it from (PRIV-23, MOD-27,
// MOD-30), and the unavailable of whoever a `presence-in` rule starts hiding, on any server, from what the resource
// heard (PRIV-24); their presence again (shown, or probed for on another server) when it stops. The same follows a
// roster change that makes a group or subscription rule decide otherwise (PRIV-25).
import { el, type Element } from '../../core/xml.js';
import { makeJid, tryParseJid, type Jid } from '../../core/jid.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { ModuleContext } from '../module.js';
import { forgetHeard, noteHeard, peekResourceState } from '../resource-state.js';
import type { RosterChange } from '../roster-events.js';
import { availableSessions, routePresence, withAttrs } from '../presence-helpers.js';
import { contactSeesUser, userSeesContact } from '../subscription-states.js';
import { rosterStore, type RosterItem } from '../../storage/roster.js';
import { K_PRESENCE_IN, K_PRESENCE_OUT, STRANGER, type CompiledList, type RosterFacts } from './matcher.js';
import type { SubscriptionValue } from './model.js';
import type { ChangeReport, PrivacyEngine } from './engine.js';
import { NS_PRIVACY } from './list-xml.js';

export const NS_BLOCKING = 'urn:xmpp:blocking';

let pushes = 0;
const pushId = (): string => `privacy-push-${(++pushes).toString(36)}`;

function allows(list: CompiledList | null, peer: Jid, kind: number, facts: RosterFacts): boolean {
  if (list === null) return true;
  const r = list.decide(peer, kind, facts);
  return r === null || r.allow;
}

export class Effects {
  /** Resources that fetched the blocklist get its pushes (XEP-0191 §3). */
  readonly blocklistInterest = new WeakSet<LocalSession>();

  constructor(private readonly ctx: ModuleContext, private readonly engine: PrivacyEngine) {}

  async afterChange(r: ChangeReport): Promise<void> {
    const bare = makeJid(r.user, this.ctx.config.domain);
    const sessions = this.ctx.sessions.ofAccount(bare);
    for (const name of r.pushNames) {
      for (const s of sessions) s.send(el('iq', { type: 'set', id: pushId(), to: s.jid.toString() }, el('query', { xmlns: NS_PRIVACY }, el('list', { name }))));
    }
    this.pushBlocklist(sessions, r.blockedBefore, r.blockedAfter, r.unblockAll);
    const acc = this.engine.account(r.user);
    for (const s of sessions) {
      const before = r.before.get(s) ?? null;
      const after = acc ? this.engine.governing(s, acc) : null;
      if (before !== after) await this.presenceShift(s, before, after);
    }
  }

  private pushBlocklist(sessions: LocalSession[], before: string[], after: string[], all: boolean): void {
    const added = after.filter((j) => !before.includes(j));
    const removed = before.filter((j) => !after.includes(j));
    const out: Element[] = [];
    if (added.length > 0) out.push(el('block', { xmlns: NS_BLOCKING }, added.map((jid) => el('item', { jid }))));
    if (all) out.push(el('unblock', { xmlns: NS_BLOCKING }));   // XEP-0191 §3.4: unblock-all is pushed as sent
    else if (removed.length > 0) out.push(el('unblock', { xmlns: NS_BLOCKING }, removed.map((jid) => el('item', { jid }))));
    if (out.length === 0) return;
    for (const s of sessions) {
      if (!this.blocklistInterest.has(s)) continue;
      for (const payload of out) s.send(el('iq', { type: 'set', id: pushId(), to: s.jid.toString() }, payload));
    }
  }

  /** One resource now follows `after` instead of `before`: tell whoever gained or lost sight of whom. */
  private async presenceShift(s: LocalSession, before: CompiledList | null, after: CompiledList | null): Promise<void> {
    const presence = peekResourceState(s)?.presence;
    if (!presence) return;   // not available: it showed itself to nobody and sees nobody yet
    const user = s.jid.bare;
    const roster = await this.ctx.storage.get(rosterStore).all(user.local);
    const facts = new Map<string, RosterFacts>();
    for (const i of roster) if (i.listed) facts.set(i.jid, { subscription: i.subscription, groups: i.groups });
    const factsOf = (peer: Jid): RosterFacts => facts.get(peer.bareString()) ?? STRANGER;
    // Who may see this resource: subscribers (From/Both) and whoever got directed presence from it.
    const watchers = new Set<string>();
    for (const i of roster) if (i.listed && contactSeesUser(i.subscription)) watchers.add(i.jid);
    for (const j of peekResourceState(s)?.directed ?? []) watchers.add(j);
    for (const w of watchers) {
      const peer = tryParseJid(w);
      if (!peer) continue;
      const f = factsOf(peer);
      await this.showOrHide(s, presence, w, allows(before, peer, K_PRESENCE_OUT, f), allows(after, peer, K_PRESENCE_OUT, f));
    }
    // What this resource sees: presence-in starting to hide someone withdraws what it heard from them (PRIV-24), on
    // any server; stopping to hide a contact it may see (To/Both) brings their presence back.
    for (const [from] of [...(peekResourceState(s)?.heard ?? [])]) {
      const peer = tryParseJid(from);
      if (!peer) continue;
      const f = factsOf(peer);
      if (allows(before, peer, K_PRESENCE_IN, f) && !allows(after, peer, K_PRESENCE_IN, f)) this.withdraw(s, from);
    }
    for (const i of roster) {
      if (!i.listed || !userSeesContact(i.subscription)) continue;
      const peer = tryParseJid(i.jid);
      if (!peer) continue;
      const f = factsOf(peer);
      if (!allows(before, peer, K_PRESENCE_IN, f) && allows(after, peer, K_PRESENCE_IN, f)) await this.restore(s, peer);
    }
  }

  /**
   * A roster item changed (its groups or subscription): for each available resource of the user, a presence-out
   * or presence-in rule may now decide otherwise for that contact (PRIV-23, PRIV-24, PRIV-25). Changes of who may
   * see whom at all are the subscription module's (it sends the presence RFC 6121 asks for, through these filters).
   */
  async rosterChanged(c: RosterChange): Promise<void> {
    const acc = this.engine.account(c.user.local);
    if (!acc) return;
    const peer = tryParseJid(c.contact);
    if (!peer) return;
    const factsOf = (i: RosterItem | null): RosterFacts => (i && i.listed ? { subscription: i.subscription, groups: i.groups } : STRANGER);
    const fb = factsOf(c.before);
    const fa = factsOf(c.after);
    const sub = (i: RosterItem | null): SubscriptionValue => (i ? i.subscription : 'none');
    const watched = contactSeesUser(sub(c.before)) && contactSeesUser(sub(c.after));
    const seen = userSeesContact(sub(c.before)) && userSeesContact(sub(c.after));
    for (const s of this.ctx.sessions.ofAccount(c.user)) {
      const presence = peekResourceState(s)?.presence;
      const list = this.engine.governing(s, acc);
      if (!presence || list === null) continue;
      if (watched) await this.showOrHide(s, presence, c.contact, allows(list, peer, K_PRESENCE_OUT, fb), allows(list, peer, K_PRESENCE_OUT, fa));
      if (!seen) continue;
      const was = allows(list, peer, K_PRESENCE_IN, fb);
      const is = allows(list, peer, K_PRESENCE_IN, fa);
      if (was && !is) {
        for (const [from] of [...(peekResourceState(s)?.heard ?? [])]) if (tryParseJid(from)?.bare.equals(peer.bare)) this.withdraw(s, from);
      } else if (!was && is) {
        await this.restore(s, peer);
      }
    }
  }

  /** presence-out now hides `s` from `w` (send unavailable), or no longer does (send its current presence). */
  private async showOrHide(s: LocalSession, presence: Element, w: string, was: boolean, is: boolean): Promise<void> {
    if (was && !is) {
      const unavailable = el('presence', { from: s.jid.toString(), to: w, type: 'unavailable' });
      this.engine.passThrough.add(unavailable);
      await routePresence(this.ctx, unavailable);
    } else if (!was && is) {
      await routePresence(this.ctx, withAttrs(presence, { from: s.jid.toString(), to: w }));
    }
  }

  /** The client of `s` is told that `from` went away, as if it had (XEP-0016 §2.10), and forgets it. */
  private withdraw(s: LocalSession, from: string): void {
    s.send(el('presence', { from, to: s.jid.toString(), type: 'unavailable' }));
    forgetHeard(s, from);
  }

  /**
   * `peer` (a contact `s` may see) is no longer hidden from it: a local contact's available resources are shown
   * to it directly; for a contact on another server, a probe from the user asks its server for the presence.
   */
  private async restore(s: LocalSession, peer: Jid): Promise<void> {
    if (peer.domain === this.ctx.config.domain) {
      for (const c of availableSessions(this.ctx, peer.bare)) {
        const p = peekResourceState(c)?.presence;
        if (!p) continue;
        const shown = withAttrs(p, { from: c.jid.toString(), to: s.jid.toString() });
        s.send(shown);
        noteHeard(s, c.jid.toString(), shown, true);
      }
    } else {
      await routePresence(this.ctx, el('presence', { type: 'probe', from: s.jid.bare.toString(), to: peer.bare.toString() }));
    }
  }
}
