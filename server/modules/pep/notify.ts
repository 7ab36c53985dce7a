// Event notifications (XEP-0163 §4.3, XEP-0060 §7.1.2; PEP-06…PEP-12): who gets a node's events and how they
// are sent. Recipients are worked out at each event from the owner's roster, the sessions on this server and the
// caps each resource advertised: the owner's own available resources, then each contact the owner has given a
// presence subscription (`from`/`both`, the implicit subscription of §4.1) and that may read the node, at each
// available resource whose caps carry `<node>+notify` (filtered notifications, §4.2), then explicit subscribers.
// Every notification is a headline message from the owner's bare JID, routed through the router as the owner's
// own stanza, so privacy lists and blocking (outbound for the owner, inbound for the contact) apply (PEP-11).
import { el, type Element } from '../../core/xml.js';
import { tryParseJid, type Jid } from '../../core/jid.js';
import type { ModuleContext } from '../module.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { RosterItem, RosterStore } from '../../storage/roster.js';
import { availableSessions, isAccountJid } from '../presence-helpers.js';
import type { CapsService } from '../caps/service.js';
import type { NodeRec, PepStore, StoredItem } from './store.js';
import type { RemoteContacts } from './remote-contacts.js';
import { mayRead, seesOwner } from './access.js';
import { NS_PUBSUB_EVENT } from './namespaces.js';
import { parseFragment } from '../stored-xml.js';

let idCounter = 0;

/** Told of each event sent to a local resource, so its last item is not sent to it again later (last-items.ts). */
export interface DeliveryTracker {
  delivered(s: LocalSession, owner: Jid, node: string): void;
}

/** `<item id>payload</item>` as an event carries it (payload left out when the node says so). */
export function eventItem(rec: NodeRec, item: StoredItem, payload = rec.config.deliver_payloads): Element {
  return el('item', { id: item.id }, payload ? parseFragment(item.xml) : null);
}

export class Notifier {
  constructor(
    private readonly ctx: ModuleContext,
    private readonly store: PepStore,
    private readonly roster: RosterStore,
    private readonly caps: CapsService,
    private readonly remote: RemoteContacts,
    private readonly tracker: DeliveryTracker,
  ) {}

  /** Send one event (`<items>`, `<delete>`, `<purge>`) from `owner` to a JID. */
  async send(owner: Jid, to: string, child: Element): Promise<void> {
    const msg = el('message', { from: owner.toString(), to, type: 'headline', id: `pep-${(++idCounter).toString(36)}` },
      el('event', { xmlns: NS_PUBSUB_EVENT }, child));
    await this.ctx.router.submit(msg, 'server');
  }

  /** Send `child` to everyone who should hear of this node's events now. */
  async broadcast(owner: Jid, rec: NodeRec, child: Element): Promise<void> {
    for (const to of await this.recipients(owner, rec)) await this.send(owner, to, child);
  }

  /** Full (or, for explicit subscriptions, bare) JIDs that get this node's events, each once. */
  async recipients(owner: Jid, rec: NodeRec): Promise<string[]> {
    const interest = `${rec.node}+notify`;
    const out = new Set<string>();
    const local = (s: LocalSession): void => {
      if (!this.caps.sessionFeatures(s).has(interest)) return;
      out.add(s.jid.toString());
      this.tracker.delivered(s, owner, rec.node);
    };
    // 1. The owner's own resources (PEP-09).
    for (const s of availableSessions(this.ctx, owner)) local(s);
    // 2. Contacts with a presence subscription who may read the node (PEP-05, PEP-06, PEP-19).
    const items = await this.roster.all(owner.local);
    const byJid = new Map<string, RosterItem>();
    for (const item of items) {
      byJid.set(item.jid, item);
      if (!seesOwner(item) || !mayRead(rec, item.jid, item)) continue;
      const contact = tryParseJid(item.jid);
      if (!contact) continue;
      if (isAccountJid(this.ctx, contact)) {
        for (const s of availableSessions(this.ctx, contact)) local(s);
      } else {
        const known = this.remote.resources(owner.local, item.jid);
        if (known !== undefined && known.size > 0) {
          for (const [full, f] of known) if (f.has(interest)) out.add(full);
        } else if (item.subscription === 'from') {
          // The owner is not subscribed to this contact, so its presence (and caps) are unknown here: at most one
          // event to its bare JID, for its server to hand on (XEP-0163 §4.3.2, PEP-08). With `both`, no known
          // resource means the contact is offline, and nothing is sent.
          out.add(item.jid);
        }
      }
    }
    // 3. Explicit subscriptions, while their subscriber may still read the node; a lost access ends it (PEP-12).
    if (rec.subscribers.length > 0) {
      const keep: string[] = [];
      for (const sub of rec.subscribers) {
        const j = tryParseJid(sub);
        if (!j) continue;
        const bare = j.bareString();
        if (bare !== owner.toString() && !mayRead(rec, bare, byJid.get(bare))) continue;
        keep.push(sub);
        out.add(sub);
      }
      if (keep.length !== rec.subscribers.length) await this.store.saveNode(rec, { subscribers: keep });
    }
    return [...out];
  }

  /** The node's last item to one JID, if there is one (PEP-10). */
  async sendLast(owner: Jid, rec: NodeRec, to: string): Promise<void> {
    const last = await this.store.last(rec);
    if (last) await this.send(owner, to, el('items', { node: rec.node }, eventItem(rec, last)));
  }
}
