// The last published item of each node a resource is interested in (send_last_published_item =
// on_sub_and_presence, XEP-0163 §4.3.4, PEP-10): sent once per session and node, when the resource's caps become
// known (at its initial presence, or when the disco#info answer arrives) and again only for nodes that a later
// caps change adds ("first interest"), or when a contact is newly allowed to see the owner (a presence from the owner
// reaches it, as after an approved subscription); other presence updates send nothing again. A node whose events a
// resource already received counts as sent.
import type { Jid } from '../../core/jid.js';
import { tryParseJid } from '../../core/jid.js';
import type { LocalSession } from '../../core/session-registry.js';
import type { ModuleContext } from '../module.js';
import type { RosterItem, RosterStore } from '../../storage/roster.js';
import { isAccountJid } from '../presence-helpers.js';
import type { FeatureSet } from '../caps/service.js';
import type { PepStore } from './store.js';
import type { DeliveryTracker, Notifier } from './notify.js';
import type { CapsService } from '../caps/service.js';
import { availableSessions } from '../presence-helpers.js';
import { mayRead, seesOwner } from './access.js';

export class LastItems implements DeliveryTracker {
  /** Per session: `owner\nnode` whose last item (or a later event) it has had. */
  private readonly sent = new WeakMap<LocalSession, Set<string>>();
  private notifier!: Notifier;

  constructor(private readonly ctx: ModuleContext, private readonly store: PepStore, private readonly roster: RosterStore, private readonly caps: CapsService) {}

  /** The notifier is made with this tracker, so it is handed over afterwards. */
  useNotifier(n: Notifier): void {
    this.notifier = n;
  }

  private sentTo(s: LocalSession): Set<string> {
    let sent = this.sent.get(s);
    if (!sent) this.sent.set(s, sent = new Set());
    return sent;
  }

  /** An event of the node reached the resource: its last item need not be sent again (DeliveryTracker). */
  delivered(s: LocalSession, owner: Jid, node: string): void {
    this.sentTo(s).add(`${owner.toString()}\n${node}`);
  }

  /**
   * Presence from the local account `owner` reached the local account `contact`: the contact may see the owner,
   * perhaps newly (a subscription just approved: "on subscription", PEP-10). Its interested resources get the
   * last items they have not had. Nothing is read from disk unless one is due.
   */
  async onOwnerPresence(owner: Jid, contact: Jid): Promise<void> {
    const nodes = (await this.store.nodes(owner.local)).values();
    const sessions = availableSessions(this.ctx, contact).filter((s) => this.caps.sessionFeatures(s).size > 0);
    if (sessions.length === 0) return;
    const due = [...nodes].filter((rec) => rec.config.send_last_published_item === 'on_sub_and_presence'
      && sessions.some((s) => this.caps.sessionFeatures(s).has(`${rec.node}+notify`) && !this.sentTo(s).has(`${owner.toString()}\n${rec.node}`)));
    if (due.length === 0) return;
    const item = await this.roster.get(owner.local, contact.toString());
    for (const s of sessions) await this.fromOwner(owner, s.jid.toString(), this.caps.sessionFeatures(s), this.sentTo(s), item);
  }

  /** A local resource's features are known: its own account's and its contacts' last items. */
  async forSession(s: LocalSession, features: FeatureSet): Promise<void> {
    const sent = this.sentTo(s);
    const me = s.jid.bare;
    const to = s.jid.toString();
    await this.fromOwner(me, to, features, sent, 'own');
    // Contacts whose presence this user sees (`to`/`both`) are the ones who may have given it access.
    for (const item of await this.roster.all(me.local)) {
      if (item.subscription !== 'to' && item.subscription !== 'both') continue;
      const owner = tryParseJid(item.jid);
      if (!owner || !isAccountJid(this.ctx, owner)) continue;
      const nodes = await this.store.nodes(owner.local);
      if (nodes.size === 0) continue;
      await this.fromOwner(owner, to, features, sent, await this.roster.get(owner.local, me.toString()));
    }
  }

  /**
   * The owner's nodes that `to` is newly interested in (features it has and `before` had not), whose last items it
   * may read; `sent` remembers what was sent. `item` is the owner's roster item for the recipient, or 'own'.
   */
  async fromOwner(owner: Jid, to: string, features: FeatureSet, sent: Set<string> | null, item: RosterItem | null | 'own', before?: FeatureSet): Promise<void> {
    if (item !== 'own' && !seesOwner(item)) return;
    const toBare = tryParseJid(to)?.bareString() ?? to;
    for (const rec of (await this.store.nodes(owner.local)).values()) {
      if (rec.config.send_last_published_item !== 'on_sub_and_presence') continue;
      const interest = `${rec.node}+notify`;
      if (!features.has(interest) || before?.has(interest)) continue;
      const key = `${owner.toString()}\n${rec.node}`;
      if (sent?.has(key)) continue;
      if (item !== 'own' && !mayRead(rec, toBare, item)) continue;
      sent?.add(key);
      await this.notifier.sendLast(owner, rec, to);
    }
  }
}
