// Resources of contacts on other servers, as each local account learns them from the presence it receives
// (XEP-0163 §4.2: the service learns a contact's resources and caps from presence). Local contacts need no such
// map: their sessions and caps are on this server.
import type { Jid } from '../../core/jid.js';
import type { FeatureSet } from '../caps/service.js';

export class RemoteContacts {
  /** owner localpart → contact bare JID → full JID → features. */
  private readonly byOwner = new Map<string, Map<string, Map<string, FeatureSet>>>();

  /** The resources of `contactBare` known to `owner`, with their features. */
  resources(owner: string, contactBare: string): ReadonlyMap<string, FeatureSet> | undefined {
    return this.byOwner.get(owner)?.get(contactBare);
  }

  /** Record a resource's features; the previous ones (undefined: it was not known). */
  set(owner: string, from: Jid, features: FeatureSet): FeatureSet | undefined {
    let contacts = this.byOwner.get(owner);
    if (!contacts) this.byOwner.set(owner, contacts = new Map());
    const bare = from.bareString();
    let res = contacts.get(bare);
    if (!res) contacts.set(bare, res = new Map());
    const prev = res.get(from.toString());
    res.set(from.toString(), features);
    return prev;
  }

  /** The resource went unavailable (or bounced a notification): forget it. */
  remove(owner: string, from: Jid): void {
    const contacts = this.byOwner.get(owner);
    const res = contacts?.get(from.bareString());
    if (!contacts || !res) return;
    if (from.resource === '') res.clear();
    else res.delete(from.toString());
    if (res.size === 0) contacts.delete(from.bareString());
    if (contacts.size === 0) this.byOwner.delete(owner);
  }

  removeOwner(owner: string): void {
    this.byOwner.delete(owner);
  }
}
