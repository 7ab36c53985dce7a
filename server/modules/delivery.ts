// RFC 6121 §8.5: delivery of messages (and full-JID IQs) to local accounts; RFC 6120 §10.5 for the server itself.
//
// Messages to a bare JID (§8.5.2), per type:
//   chat, normal  the available resources with the highest non-negative priority all get it (RFC option (a), "most
//                 available" = highest priority, ties → each of them); negative-priority and not-yet-available
//                 resources never do. None → the `message/offline` event (the offline module stores it or decides it
//                 is not worth keeping); nobody took it → <service-unavailable/>.
//   headline      every available resource with non-negative priority; none → dropped silently.
//   groupchat     never delivered: <service-unavailable/> (§8.5.2.1.1, §8.5.2.2.1), whether or not the account
//                 exists or is online, so the answer reveals nothing.
//   error         delivered only to an exact full-JID match; otherwise dropped (never answered: no loops).
// Messages to a full JID (§8.5.3): a connected resource gets it whatever its type and priority; no such resource →
//   chat is handled as if sent to the bare JID, headline/error are dropped, normal/groupchat → <service-unavailable/>.
// Accounts that do not exist get exactly the answers an existing account with no way to take the message gives
// (product decision, as ejabberd and Prosody do: a chat/normal message nobody can store is bounced with a bare
// <service-unavailable/>, the same element for every refusal; headline and error are dropped; RFC 6121 §8.5.1).
// The `to` of a delivered stanza is never rewritten (§8.5.2, IM-43); a message sent without `to` gets the
// sender's bare JID (RFC 6120 §8.1.1.1).
// Messages to the server domain itself are not for anyone: dropped silently, never answered (RFC 6120 §10.5), unless
// a module hooks `message/host` first.
// IQ get/set to a full JID reaches the resource only if the requester may know it is online — same account, our own
// services, a presence subscription (roster subscription from/both) or directed presence from that resource —
// otherwise <service-unavailable/> as if it were not there (RFC 6121 §8.5.3.1, presence leak protection); results
// and errors are delivered when the resource exists, else dropped.
//
// Privacy (IM-44): modules that block (privacy lists, blocking command) run first by hooking `message/bare`,
// `message/full` or `iq/full` with a priority above DELIVERY_PRIORITY; per-resource rules (an active privacy list)
// register an addDeliveryFilter() that is asked before each resource is chosen.
import type { Router, StanzaEvent } from '../core/router.js';
import type { LocalSession } from '../core/session-registry.js';
import type { ServerModule, ModuleContext } from './module.js';
import { peekResourceState } from './resource-state.js';
import { rosterStore } from '../storage/roster.js';

/** The priority the delivery handlers hook with: everything that must see or stop a message goes above it. */
export const DELIVERY_PRIORITY = -1;
/**
 * Fired (as a router key) for a chat/normal message no resource can take. A handler resolves true once it took care
 * of the message (stored it, or decided it is not kept, e.g. a bare chat-state notification); false or no handler
 * → the sender gets <service-unavailable/>.
 */
export const OFFLINE_KEY = 'message/offline';

/** Returns false to keep the stanza from that resource (e.g. its active privacy list blocks the sender). */
export type DeliveryFilter = (ev: StanzaEvent, recipient: LocalSession) => boolean;

const filtersByRouter = new WeakMap<Router, DeliveryFilter[]>();

export function addDeliveryFilter(router: Router, filter: DeliveryFilter): () => void {
  let list = filtersByRouter.get(router);
  if (!list) filtersByRouter.set(router, (list = []));
  list.push(filter);
  return () => {
    const i = list.indexOf(filter);
    if (i >= 0) list.splice(i, 1);
  };
}

class Delivery {
  private readonly filters: DeliveryFilter[];

  constructor(private readonly ctx: ModuleContext) {
    let list = filtersByRouter.get(ctx.router);
    if (!list) filtersByRouter.set(ctx.router, (list = []));
    this.filters = list;
  }

  private allowed(ev: StanzaEvent, s: LocalSession): boolean {
    const f = this.filters;
    for (let i = 0; i < f.length; i++) if (!f[i](ev, s)) return false;
    return true;
  }

  /** Answer with the one refusal every undeliverable case shares (no text: nothing to tell cases apart). */
  private refuse(ev: StanzaEvent): true {
    this.ctx.router.replyError(ev, 'service-unavailable');
    return true;
  }

  bare(ev: StanzaEvent): boolean | Promise<boolean> {
    const a = ev.stanza.attrs as Record<string, string | undefined>;
    if (a.to === undefined) a.to = ev.to.toString();
    switch (ev.type) {
      case 'error':
        return true;   // IM-34
      case 'groupchat':
        return this.refuse(ev);   // IM-33
      case 'headline':
        return this.headline(ev);   // IM-32
      default:
        return this.chatOrNormal(ev);   // IM-31, IM-37
    }
  }

  full(ev: StanzaEvent): boolean | Promise<boolean> {
    const target = this.ctx.sessions.get(ev.to);
    if (target) {
      // IM-35: an exact match gets it, whatever the type, priority or availability.
      if (this.allowed(ev, target)) target.send(ev.stanza);
      else if (ev.type !== 'error' && ev.type !== 'headline') return this.refuse(ev);
      return true;
    }
    // IM-36: no such resource.
    switch (ev.type) {
      case 'chat':
        return this.chatOrNormal(ev);
      case 'error':
      case 'headline':
        return true;
      default:
        return this.refuse(ev);   // normal, groupchat
    }
  }

  private headline(ev: StanzaEvent): true {
    for (const s of this.ctx.sessions.ofAccount(ev.to)) {
      const st = peekResourceState(s);
      if (st && st.presence !== null && st.priority >= 0 && this.allowed(ev, s)) s.send(ev.stanza);
    }
    return true;
  }

  private chatOrNormal(ev: StanzaEvent): boolean | Promise<boolean> {
    let top: LocalSession[] | null = null;
    let best = -1;
    let blocked = false;
    for (const s of this.ctx.sessions.ofAccount(ev.to)) {
      const st = peekResourceState(s);
      if (!st || st.presence === null || st.priority < 0 || st.priority < best) continue;
      if (!this.allowed(ev, s)) {
        blocked = true;
        continue;
      }
      if (st.priority > best) {
        best = st.priority;
        top = [s];
      } else top!.push(s);
    }
    if (top) {
      for (const s of top) s.send(ev.stanza);
      return true;
    }
    // Every candidate refused it for itself: not stored for later either.
    if (blocked) return this.refuse(ev);
    const r = this.ctx.router.fire(OFFLINE_KEY, ev);
    if (r === true) return true;
    if (r === false) return this.refuse(ev);
    return r.then((taken) => taken || this.refuse(ev));
  }

  host(ev: StanzaEvent): true {
    this.ctx.log.debug('delivery', `dropped a ${ev.type} message to ${ev.to.toString()} from ${ev.from.toString()}`);
    return true;
  }

  iqFull(ev: StanzaEvent): boolean | Promise<boolean> {
    const target = this.ctx.sessions.get(ev.to);
    if (ev.type === 'result' || ev.type === 'error') {
      if (target) target.send(ev.stanza);
      return true;
    }
    if (!target || !this.allowed(ev, target)) return this.refuse(ev);
    const may = this.mayKnowOnline(ev, target);
    if (may === true) {
      target.send(ev.stanza);
      return true;
    }
    if (may === false) return this.refuse(ev);
    return may.then((ok) => {
      // The resource may have gone while the roster was read.
      const still = this.ctx.sessions.get(ev.to);
      if (ok && still) {
        still.send(ev.stanza);
        return true;
      }
      return this.refuse(ev);
    });
  }

  /** May the sender of this IQ know that the resource is online (RFC 6121 §8.5.3.1, IM-42)? */
  private mayKnowOnline(ev: StanzaEvent, target: LocalSession): boolean | Promise<boolean> {
    const from = ev.from;
    const to = target.jid;
    if (from.local === to.local && from.domain === to.domain) return true;
    if (from.local === '' && this.ctx.isLocalDomain(from.domain)) return true;
    const d = peekResourceState(target)?.directed;
    if (d && (d.has(from.toString()) || d.has(from.bareString()))) return true;
    // Presence directed to one full JID of an entity (a room occupant JID, room@service/nick) shows the resource to
    // the others behind that bare JID too: the room tells every occupant who is in (XEP-0045 §6.6, §7.5).
    if (d && d.size > 0) {
      const prefix = from.bareString() + '/';
      for (const j of d) if (j.startsWith(prefix)) return true;
    }
    return this.ctx.storage.get(rosterStore).get(to.local, from.bareString())
      .then((item) => item !== null && (item.subscription === 'from' || item.subscription === 'both'));
  }
}

export const deliveryModule: ServerModule = {
  name: 'delivery',
  spec: 'RFC 6121 §8.5: delivery of stanzas to local users by type and address (RFC 6120 §10.5 for the server)',
  stores: [rosterStore],
  async load(ctx) {
    await ctx.storage.open(rosterStore);
    const d = new Delivery(ctx);
    const { router } = ctx;
    router.hook('message/bare', (ev) => d.bare(ev), DELIVERY_PRIORITY);
    router.hook('message/full', (ev) => d.full(ev), DELIVERY_PRIORITY);
    // Below everything else: a service living on the domain (admin broadcast, MUC invites…) hooks above it.
    router.hook('message/host', (ev) => d.host(ev), -100);
    router.hook('iq/full', (ev) => d.iqFull(ev), DELIVERY_PRIORITY);
  },
};
