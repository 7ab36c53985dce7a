// XEP-0160: Best Practices for Handling Offline Messages, with XEP-0203 delay stamps and XEP-0334 store hints.
//
// Storing: the delivery module fires `message/offline` for a chat/normal message that no resource can take.
//   - Not worth keeping → taken (dropped silently, never bounced, whether or not the account exists): messages with
//     nothing but chat states, thread, ids, hints (XEP-0160 §3, XEP-0085 §5.5), or a <no-store/> hint (XEP-0334).
//     A <store/> hint keeps a message that would otherwise not be kept.
//   - No such account, or its queue holds `offlineQuota` messages or `offlineQuotaBytes` bytes, or the account is at
//     its storage quota (userStorageQuotaBytes) → not taken: the sender gets <service-unavailable/> from the delivery
//     module, the same answer in every case (XEP-0160 §2 step 3, IM-39, BAD-33).
//   - Otherwise stored as received (a <delay/> that claims to come from this server is removed first).
// Delivering: when a resource sends available presence with a non-negative priority while it was not available
//   (or only with a negative priority), everything stored is sent to that resource, oldest first, each with
//   <delay xmlns='urn:xmpp:delay' from='domain' stamp='…'>Offline Storage</delay>, and removed from storage only once
//   the bytes were written to its socket (a stream that ends first keeps them for next time).
//   The trigger is a `pre-presence/self` + `pre-presence/bare` (broadcast presence only) hook at priority 10: the
//   router has refused bad presence already (BAD-38), and it runs BEFORE the presence module's outbound handler
//   (priority 0); it returns false so the presence module still handles the stanza. Handlers run in descending
//   priority and the first to return true ends the chain, so a hook below the presence module's handler would never
//   be reached. Running before it, it sees the state before this presence (resource-state.ts: not yet available)
//   and reads the new priority from the stanza.
//   While a user's queue is being delivered, new chat/normal messages to that user wait for it to finish
//   (`message/bare`/`message/full` hooks above delivery) so they cannot overtake older stored ones.
//   Filters registered with addRedeliveryFilter (privacy lists: a sender blocked since the message was stored) are
//   asked before each stored message is handed out; one that refuses it has it dropped from storage unsent.
import { el, childElements, type Element } from '../core/xml.js';
import * as ltx from 'ltx';
import type { StanzaEvent } from '../core/router.js';
import type { LocalSession } from '../core/session-registry.js';
import type { ModuleContext, ServerModule } from './module.js';
import { DELIVERY_PRIORITY, OFFLINE_KEY } from './delivery.js';
import { peekResourceState } from './resource-state.js';
import { priorityOf } from '../core/presence-parse.js';
import { offlineStore } from '../storage/offline.js';
import { withinQuota } from './storage-quota.js';
import type { Router } from '../core/router.js';

/** False keeps a stored message from the resource (and drops it): e.g. the recipient has blocked its sender since. */
export type RedeliveryFilter = (stanza: Element, recipient: LocalSession) => boolean | Promise<boolean>;

const redeliveryFilters = new WeakMap<Router, RedeliveryFilter[]>();

export function addRedeliveryFilter(router: Router, filter: RedeliveryFilter): void {
  let list = redeliveryFilters.get(router);
  if (!list) redeliveryFilters.set(router, (list = []));
  list.push(filter);
}

const NS_DELAY = 'urn:xmpp:delay';
const NS_HINTS = 'urn:xmpp:hints';
const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';
const NS_SID = 'urn:xmpp:sid:0';
const NS_CLIENT = 'jabber:client';
/** A written-callback that never comes (a session type that does not implement it) must not block a queue forever. */
const WRITE_TIMEOUT_MS = 30_000;

/** XEP-0082 DateTime in UTC without fractions, as XEP-0203 examples write it. */
export function delayStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Whether a chat/normal message carries something worth keeping for later (see the header). */
export function isStorable(stanza: Element): boolean {
  let content = false;
  let storeHint = false;
  for (const child of childElements(stanza)) {
    const ns = child.getNS() ?? NS_CLIENT;
    const name = child.getName();
    if (ns === NS_HINTS) {
      if (name === 'no-store') return false;
      if (name === 'store') storeHint = true;
    } else if (ns === NS_CLIENT) {
      if (name === 'body' || name === 'subject') content = true;
    } else if (ns !== NS_CHATSTATES && ns !== NS_SID && ns !== NS_DELAY) {
      content = true;   // receipts, markers, OMEMO, OOB, invitations…
    }
  }
  return content || storeHint;
}

/** An available resource with a non-negative priority: chat and normal messages reach it (RFC 6121 §8.5.2.1.1). */
function receivesMessages(s: LocalSession): boolean {
  const st = peekResourceState(s);
  return st !== undefined && st.presence !== null && st.priority >= 0;
}

export class OfflineService {
  /** One chain per user: stores and deliveries of one queue never interleave (quota counts stay exact). */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Users whose queue is being delivered right now. */
  private readonly flushing = new Map<string, Promise<void>>();

  constructor(private readonly ctx: ModuleContext) {}

  private serial<T>(user: string, job: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(user) ?? Promise.resolve();
    const next = prev.then(job, job);
    const tail = next.catch(() => undefined);
    this.chains.set(user, tail);
    void tail.then(() => {
      if (this.chains.get(user) === tail) this.chains.delete(user);
    });
    return next;
  }

  /** The `message/offline` handler: true when the message was stored or is not kept by policy. */
  store(ev: StanzaEvent): true | Promise<boolean> {
    if (!isStorable(ev.stanza)) {
      this.ctx.log.debug('offline', `not keeping a content-less ${ev.type} message for ${ev.to.bareString()}`);
      return true;
    }
    const user = ev.to.local;
    const xml = this.forStorage(ev.stanza);
    return this.serial(user, async () => {
      const { accounts } = this.ctx;
      const offline = this.ctx.storage.get(offlineStore);
      if (!(await accounts.exists(user))) return false;
      const quota = this.ctx.config.offlineQuota;
      if (quota <= 0 || (await offline.count(user)) >= quota) {
        this.ctx.log.info('offline', `offline queue of ${user} is full (${quota}); message refused`);
        return false;
      }
      const bytes = Buffer.byteLength(xml, 'utf8');
      const maxBytes = this.ctx.config.offlineQuotaBytes;
      if (maxBytes > 0 && (await offline.size(user)) + bytes > maxBytes) {
        this.ctx.log.info('offline', `offline queue of ${user} is full (${maxBytes} bytes); message refused`);
        return false;
      }
      // The account's storage quota as a whole: the sender gets the same service-unavailable (IM-39, BAD-33).
      if (!(await withinQuota(this.ctx, user, bytes))) {
        this.ctx.log.info('offline', `${user} is at the storage quota; message refused`);
        return false;
      }
      await offline.add(user, xml);
      // The user may have become available while this waited its turn: hand it out right away then.
      const ready = this.ctx.sessions.ofAccount(ev.to).find(receivesMessages);
      if (ready) queueMicrotask(() => void this.flush(ready));
      return true;
    });
  }

  /** The stanza as it will be handed out later: without delay stamps forged in this server's name. */
  private forStorage(stanza: Element): string {
    const forged = stanza.children.some((c) => typeof c !== 'string' && c.getName() === 'delay' && c.getNS() === NS_DELAY
      && typeof c.attrs.from === 'string' && this.ctx.isLocalDomain(c.attrs.from));
    if (!forged) return stanza.toString();
    const copy = new ltx.Element(stanza.name, { ...stanza.attrs });
    for (const c of stanza.children) {
      if (typeof c !== 'string' && c.getName() === 'delay' && c.getNS() === NS_DELAY && typeof c.attrs.from === 'string' && this.ctx.isLocalDomain(c.attrs.from)) continue;
      copy.children.push(c);
    }
    return copy.toString();
  }

  /** `pre-presence/self` hook (runs before the presence module): start delivering when the resource becomes available. */
  onPresence(ev: StanzaEvent): false {
    const s = ev.origin;
    if (!s || ev.type !== 'available') return false;
    // Broadcast presence: no `to`, or the user's own bare JID (RFC 6120 §10.3); directed presence does not count.
    if (ev.addressing !== 'self' && !(ev.addressing === 'bare' && ev.to.equals(ev.from.bare))) return false;
    // The router checked the presence (BAD-38), so its priority is valid.
    if (priorityOf(ev.stanza) < 0) return false;
    if (receivesMessages(s)) return false;   // already receiving messages
    void this.flush(s);
    return false;
  }

  /** Wait for a running delivery of the recipient's queue, so live chat/normal messages stay behind stored ones. */
  waitForFlush(ev: StanzaEvent): false | Promise<false> {
    if (ev.type !== 'chat' && ev.type !== 'normal') return false;
    const pending = this.flushing.get(ev.to.local);
    return pending ? pending.then(() => false as const) : false;
  }

  /** Deliver a user's stored messages to one resource; resolves once done (exported for tests of the write rule). */
  flush(session: LocalSession): Promise<void> {
    const user = session.jid.local;
    const run = this.serial(user, () => this.deliverQueue(session)).catch((err: unknown) => {
      this.ctx.log.error('offline', `delivering stored messages to ${session.jid.toString()} failed: ${err instanceof Error ? err.message : String(err)}`);
    });
    const done = run.finally(() => {
      if (this.flushing.get(user) === done) this.flushing.delete(user);
    });
    this.flushing.set(user, done);
    return done;
  }

  private async deliverQueue(session: LocalSession): Promise<void> {
    const offline = this.ctx.storage.get(offlineStore);
    const messages = await offline.list(session.jid.local);
    if (messages.length === 0) return;
    const domain = this.ctx.config.domain;
    const filters = redeliveryFilters.get(this.ctx.router) ?? [];
    const refused = new Set<string>();
    const parsed = new Map<string, Element>();
    for (const m of messages) {
      try {
        const stanza = ltx.parse(m.xml) as Element;
        parsed.set(m.id, stanza);
        for (const f of filters) {
          if (!(await f(stanza, session))) {
            refused.add(m.id);
            break;
          }
        }
      } catch {
        this.ctx.log.warn('offline', `dropping an unreadable stored message for ${session.jid.local}`);
      }
    }
    const writes = messages.map((m) => new Promise<string | null>((resolve) => {
      const stanza = parsed.get(m.id);
      if (!stanza || refused.has(m.id)) {
        resolve(m.id);   // unreadable, or refused by a filter: dropped, not delivered
        return;
      }
      stanza.cnode(el('delay', { xmlns: NS_DELAY, from: domain, stamp: delayStamp(m.stamp) }, 'Offline Storage'));
      const timer = setTimeout(() => resolve(null), WRITE_TIMEOUT_MS);
      timer.unref();
      session.send(stanza, (ok) => {
        clearTimeout(timer);
        resolve(ok ? m.id : null);
      });
    }));
    const written = (await Promise.all(writes)).filter((id): id is string => id !== null);
    await offline.remove(written);
    this.ctx.log.debug('offline', `delivered ${written.length}/${messages.length} stored messages to ${session.jid.toString()}`);
  }
}

const services = new WeakMap<ModuleContext, OfflineService>();

/** The offline service of a running server (tests use it to drive delivery to a session of their own). */
export function offlineServiceOf(ctx: ModuleContext): OfflineService | undefined {
  return services.get(ctx);
}

export const offlineModule: ServerModule = {
  name: 'offline',
  spec: 'XEP-0160: Best Practices for Handling Offline Messages (XEP-0203 delay, XEP-0334 hints)',
  stores: [offlineStore],
  async load(ctx) {
    await ctx.storage.open(offlineStore);
    const svc = new OfflineService(ctx);
    services.set(ctx, svc);
    ctx.disco.addFeature('host', 'msgoffline');
    ctx.router.hook(OFFLINE_KEY, (ev) => svc.store(ev));
    ctx.router.hook('pre-presence/self', (ev) => svc.onPresence(ev), 10);
    ctx.router.hook('pre-presence/bare', (ev) => svc.onPresence(ev), 10);
    ctx.router.hook('message/bare', (ev) => svc.waitForFlush(ev), DELIVERY_PRIORITY + 1);
    ctx.router.hook('message/full', (ev) => svc.waitForFlush(ev), DELIVERY_PRIORITY + 1);
  },
};
