// What follows a change of lists, before the request is answered: privacy list pushes to every connected resource
// (XEP-0016 §2.6, PRIV-08), blocklist pushes to the resources that asked for the blocklist (XEP-0191 §3, MOD-27,
// MOD-30), and presence as a list starts or stops applying to a resource: unavailable to the contacts a
// `presence-out` rule now hides it from, its current presence to those it no longer hides it from (PRIV-23, MOD-27,
// MOD-30), and, for local contacts, their unavailable when a `presence-in` rule starts hiding them (PRIV-24).
import { el, type Element } from '../../core/xml.js';
import { makeJid, tryParseJid, type Jid } from '../../core/jid.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { ModuleContext } from '../module.js';
import { peekResourceState } from '../resource-state.js';
import { availableSessions, routePresence, withAttrs } from '../presence-helpers.js';
import { contactSeesUser, userSeesContact } from '../subscription-states.js';
import { rosterStore } from '../../storage/roster.js';
import { K_PRESENCE_IN, K_PRESENCE_OUT, STRANGER, type CompiledList, type RosterFacts } from './matcher.js';
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
    // Who may see this resource: subscribers (From/Both) and whoever got directed presence from it.
    const watchers = new Set<string>();
    for (const i of roster) if (i.listed && contactSeesUser(i.subscription)) watchers.add(i.jid);
    for (const j of peekResourceState(s)?.directed ?? []) watchers.add(j);
    for (const w of watchers) {
      const peer = tryParseJid(w);
      if (!peer) continue;
      const f = facts.get(peer.bareString()) ?? STRANGER;
      const was = allows(before, peer, K_PRESENCE_OUT, f);
      const is = allows(after, peer, K_PRESENCE_OUT, f);
      if (was && !is) {
        const unavailable = el('presence', { from: s.jid.toString(), to: w, type: 'unavailable' });
        this.engine.passThrough.add(unavailable);
        await routePresence(this.ctx, unavailable);
      } else if (!was && is) {
        await routePresence(this.ctx, withAttrs(presence, { from: s.jid.toString(), to: w }));
      }
    }
    // Local contacts this resource sees (To/Both): when presence-in starts hiding them, they go offline to it.
    for (const i of roster) {
      if (!i.listed || !userSeesContact(i.subscription)) continue;
      const peer = tryParseJid(i.jid);
      if (!peer || peer.domain !== this.ctx.config.domain) continue;
      const f = facts.get(i.jid) ?? STRANGER;
      const was = allows(before, peer, K_PRESENCE_IN, f);
      const is = allows(after, peer, K_PRESENCE_IN, f);
      if (was === is) continue;
      for (const c of availableSessions(this.ctx, peer)) {
        const p = peekResourceState(c)?.presence;
        if (!p) continue;
        s.send(was ? el('presence', { from: c.jid.toString(), to: s.jid.toString(), type: 'unavailable' }) : withAttrs(p, { from: c.jid.toString(), to: s.jid.toString() }));
      }
    }
  }
}
