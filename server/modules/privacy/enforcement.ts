// Where lists are enforced: on the router's events, above every other handler (PRIV-13, IM-44), so one check covers
// every path a stanza takes — client stanzas, the server's presence broadcasts, probes and their answers, stanzas
// from other servers, and (later) whatever a module routes on a user's behalf.
//   outbound  `pre-<kind>/*` on the accounts host: the sender's list (its session's active list, else the default;
//             a stanza the server sends from the bare JID: the default); blocked → not routed, the user gets
//             <not-acceptable/> (with XEP-0191's <blocked/> when a blocklist entry decided) for messages and iq
//             get/set; presence is just not sent (PRIV-22, MOD-29).
//   inbound   `<kind>/*` on the accounts host: the target's list; blocked presence of any type dropped silently,
//             messages and iq get/set answered <service-unavailable/>, iq results/errors dropped (PRIV-19–21, MOD-28).
//             A stanza to the bare JID is decided by the default list while no resource has an active list of its
//             own; otherwise messages are decided per resource by delivery's filter (and the default decides whether
//             one is kept offline), and presence is delivered here to the resources whose list allows it.
// Never between the user's own resources, nor with the user's own server (PRIV-18).
import { el, type Element } from '../../core/xml.js';
import { stanzaErrorReply } from '../../core/errors.js';
import { tryParseJid, type Jid } from '../../core/jid.js';
import type { StanzaEvent } from '../../core/router.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { ModuleContext } from '../module.js';
import { addDeliveryFilter, OFFLINE_KEY } from '../delivery.js';
import { addRedeliveryFilter } from '../offline.js';
import { availableSessions } from '../presence-helpers.js';
import { K_IQ, K_MESSAGE, K_OTHER, K_PRESENCE_IN, K_PRESENCE_OUT, STRANGER, type CompiledList, type Rule, type RosterFacts } from './matcher.js';
import type { AccountPrivacy, PrivacyEngine } from './engine.js';

export const NS_BLOCKING_ERRORS = 'urn:xmpp:blocking:errors';

/**
 * Above the presence module's outbound bookkeeping (100) and every delivery rule, below test observers (1000) and
 * the console's message counter, which only count.
 */
export const PRIVACY_PRIORITY = 500;

function outboundKind(ev: StanzaEvent): number {
  if (ev.kind === 'presence') return ev.type === 'available' || ev.type === 'unavailable' ? K_PRESENCE_OUT : K_OTHER;
  return K_OTHER;
}

function inboundKind(ev: StanzaEvent): number {
  if (ev.kind === 'message') return K_MESSAGE;
  if (ev.kind === 'iq') return K_IQ;
  return ev.type === 'available' || ev.type === 'unavailable' ? K_PRESENCE_IN : K_OTHER;
}

const denies = (r: Rule | null): boolean => r !== null && !r.allow;

export class Enforcement {
  /**
   * Bare-JID messages left to delivery's per-resource filter (some resource has an active list of its own), with
   * the sender's roster facts read beforehand (delivery's filter is synchronous).
   */
  private readonly perResource = new WeakMap<StanzaEvent, RosterFacts>();

  constructor(private readonly ctx: ModuleContext, private readonly engine: PrivacyEngine) {}

  hook(): void {
    const { router } = this.ctx;
    for (const kind of ['message', 'presence', 'iq'] as const) {
      for (const a of ['host', 'self', 'bare', 'full'] as const) {
        router.hook(`pre-${kind}/${a}`, (ev) => this.outbound(ev), PRIVACY_PRIORITY);
        router.hook(`${kind}/${a}`, (ev) => this.inbound(ev), PRIVACY_PRIORITY);
      }
    }
    addDeliveryFilter(router, (ev, s) => this.deliverable(ev, s));
    addRedeliveryFilter(router, (stanza, s) => this.redeliverable(stanza, s));
    router.hook(OFFLINE_KEY, (ev) => this.offline(ev), PRIVACY_PRIORITY);
  }

  /** The user's own server (its domain) is never blocked (PRIV-18). */
  private isOwnServer(j: Jid): boolean {
    return j.local === '' && j.resource === '' && this.ctx.isLocalDomain(j.domain);
  }

  // ---- outbound ---------------------------------------------------------------------------------------------------

  private outbound(ev: StanzaEvent): boolean | Promise<boolean> {
    if (ev.senderHost !== this.ctx.router.main || ev.from.local === '') return false;
    const acc = this.engine.account(ev.from.local);
    if (acc === undefined) return false;
    if (ev.to.local === ev.from.local && ev.to.domain === ev.from.domain) return false;
    if (this.isOwnServer(ev.to)) return false;
    const session = ev.origin ?? ev.onBehalfOf ?? (ev.from.resource !== '' ? this.ctx.sessions.get(ev.from) : undefined);
    const list = this.engine.governing(session ?? undefined, acc);
    if (list === null) return false;
    const r = this.engine.verdict(acc.user, list, ev.to, outboundKind(ev));
    if (r instanceof Promise) return r.then((rule) => this.outboundVerdict(ev, rule));
    return this.outboundVerdict(ev, r);
  }

  private outboundVerdict(ev: StanzaEvent, rule: Rule | null): boolean {
    if (!denies(rule) || this.engine.passThrough.has(ev.stanza)) return false;
    if (ev.kind !== 'presence') {
      this.ctx.router.replyError(ev, 'not-acceptable', rule!.block
        ? { type: 'cancel', text: 'you have blocked this address', appCondition: el('blocked', { xmlns: NS_BLOCKING_ERRORS }) }
        : { text: 'your privacy list does not let this stanza out' });
    }
    return true;
  }

  // ---- inbound ----------------------------------------------------------------------------------------------------

  private inbound(ev: StanzaEvent): boolean | Promise<boolean> {
    if (ev.host !== this.ctx.router.main || ev.to.local === '') return false;
    const acc = this.engine.account(ev.to.local);
    if (acc === undefined) return false;
    if (ev.from.local === ev.to.local && ev.from.domain === ev.to.domain) return false;
    if (this.isOwnServer(ev.from)) return false;
    const kind = inboundKind(ev);
    let list: CompiledList | null;
    const target = ev.addressing === 'full' ? this.ctx.sessions.get(ev.to) : undefined;
    if (target !== undefined) {
      list = this.engine.governing(target, acc);
    } else if (acc.activeCount > 0 && ev.addressing !== 'host' && (kind === K_MESSAGE || (kind === K_PRESENCE_IN && ev.addressing === 'bare'))) {
      // Resources may disagree (a chat message to a resource that is gone is delivered as if to the bare JID, so it
      // is treated the same): each resource is asked for itself.
      if (kind === K_MESSAGE) {
        if ((acc.rosterMask & K_MESSAGE) === 0) {
          this.perResource.set(ev, STRANGER);   // no list asks the roster: no lookup
          return false;
        }
        return this.engine.rosterFacts(acc.user, ev.from.bareString()).then((facts) => {
          this.perResource.set(ev, facts);
          return false;
        });
      }
      return this.presencePerResource(ev, acc);
    } else {
      list = acc.defaultEntry?.compiled ?? null;
    }
    if (list === null) return false;
    const r = this.engine.verdict(acc.user, list, ev.from, kind);
    if (r instanceof Promise) return r.then((rule) => this.inboundVerdict(ev, rule));
    return this.inboundVerdict(ev, r);
  }

  private inboundVerdict(ev: StanzaEvent, rule: Rule | null): boolean {
    if (!denies(rule)) return false;
    // Presence of any type: silence (PRIV-19). Messages and iq get/set: service-unavailable, as if nobody were
    // there (PRIV-20/21, MOD-28); replyError never answers errors or iq results.
    if (ev.kind !== 'presence') this.refuseInbound(ev);
    return true;
  }

  /**
   * <service-unavailable/> to the sender, as Router.replyError builds it — but marked to pass the user's own
   * outbound filter: to a remote sender the refusal is routed from the user's address, and the very list that
   * refused the stanza would otherwise stop its error too.
   */
  private refuseInbound(ev: StanzaEvent): void {
    if (ev.type === 'error' || (ev.kind === 'iq' && ev.type !== 'get' && ev.type !== 'set')) return;
    const reply = stanzaErrorReply(ev.stanza, 'service-unavailable');
    this.engine.passThrough.add(reply);
    this.ctx.router.deliverToOrigin(ev, reply);
  }

  /**
   * A presence notification to the bare JID while resources may follow different lists. All allow it: it goes on
   * to the presence module like any other; none does: dropped; some do: delivered here to those (as the presence
   * module delivers a bare-JID notification: to every available resource, `to` unchanged).
   */
  private async presencePerResource(ev: StanzaEvent, acc: AccountPrivacy): Promise<boolean> {
    const available = availableSessions(this.ctx, ev.to);
    const allowed: LocalSession[] = [];
    for (const s of available) {
      const list = this.engine.governing(s, acc);
      if (list === null || !denies(await this.engine.verdict(acc.user, list, ev.from, K_PRESENCE_IN))) allowed.push(s);
    }
    if (allowed.length === available.length) return false;
    for (const s of allowed) s.send(ev.stanza);
    return true;
  }

  /** delivery.ts asks before it hands a bare-JID message to a resource, for the events left to it above. */
  private deliverable(ev: StanzaEvent, s: LocalSession): boolean {
    const facts = this.perResource.get(ev);
    if (facts === undefined) return true;
    const acc = this.engine.account(s.jid.local);
    const list = acc ? this.engine.governing(s, acc) : null;
    if (list === null) return true;
    return !denies(list.decide(ev.from, K_MESSAGE, facts));
  }

  /**
   * A stored message handed out at login: the resource's list as it is now decides, so a sender blocked after the
   * message was stored does not reach the user through offline storage (the stored copy is dropped).
   */
  private redeliverable(stanza: Element, s: LocalSession): boolean | Promise<boolean> {
    const acc = this.engine.account(s.jid.local);
    const from = acc ? tryParseJid(stanza.attrs.from as string | undefined) : null;
    if (!acc || !from || (from.local === s.jid.local && from.domain === s.jid.domain) || this.isOwnServer(from)) return true;
    const list = this.engine.governing(s, acc);
    if (list === null) return true;
    const r = this.engine.verdict(acc.user, list, from, K_MESSAGE);
    return r instanceof Promise ? r.then((rule) => !denies(rule)) : !denies(r);
  }

  /** A message nobody online took: the default list decides whether it is kept (PRIV-10). */
  private offline(ev: StanzaEvent): boolean | Promise<boolean> {
    const facts = this.perResource.get(ev);
    if (facts === undefined) return false;
    const list = this.engine.account(ev.to.local)?.defaultEntry?.compiled;
    return list ? this.inboundVerdict(ev, list.decide(ev.from, K_MESSAGE, facts)) : false;
  }
}
