// Rosters (RFC 6121 §2) and subscription state (§3, Appendix A): one document per (user, contact), indexed by
// user, plus one version counter per user for roster versioning (RFC 6121 §2.6, a server MUST).
// Contacts are bare JID strings; NeDB cannot use them as field names (they contain dots), hence one doc each.
import { Collection } from './collection.js';

/** The subscription attribute of RFC 6121 §2.1.2.5. */
export type Subscription = 'none' | 'to' | 'from' | 'both';

export interface RosterItem {
  jid: string;                 // contact's bare JID (normalised)
  name?: string;
  groups: string[];
  subscription: Subscription;
  /** Outbound subscription request pending (RFC 6121 "ask='subscribe'"). */
  ask: boolean;
  /** Pre-approved inbound subscription (RFC 6121 §3.4). */
  approved: boolean;
  /** Inbound subscription request pending; `pendingStanza` is the request to redeliver at login (§3.1.3). */
  pendingIn: boolean;
  pendingStanza?: string;
  /** In the roster proper (the user added it or a subscription exists); false = only pending-in state kept. */
  listed: boolean;
}

interface ItemDoc extends RosterItem { _id: string; user: string }
interface VersionDoc { _id: string; user: string; ver: number }

export class RosterStore {
  private constructor(private readonly items: Collection<ItemDoc>, private readonly versions: Collection<VersionDoc>) {}

  static async open(dataDir: string | null): Promise<RosterStore> {
    return new RosterStore(
      await Collection.open<ItemDoc>(dataDir, 'roster', [{ fieldName: 'user' }]),
      await Collection.open<VersionDoc>(dataDir, 'roster-version'),
    );
  }

  private id(user: string, contact: string): string {
    return `${user}\u0000${contact}`;
  }

  async get(user: string, contact: string): Promise<RosterItem | null> {
    const d = await this.items.findOne({ _id: this.id(user, contact) });
    return d ? strip(d) : null;
  }

  async all(user: string): Promise<RosterItem[]> {
    return (await this.items.find({ user }, { jid: 1 })).map(strip);
  }

  /** Write an item and bump the roster version; resolves with the new version once it is on disk. */
  async put(user: string, item: RosterItem): Promise<number> {
    await this.items.put({ ...item, _id: this.id(user, item.jid), user });
    return this.bump(user);
  }

  async remove(user: string, contact: string): Promise<number> {
    await this.items.remove({ _id: this.id(user, contact) });
    return this.bump(user);
  }

  /** Drop a user's whole roster (account removal). */
  async removeUser(user: string): Promise<void> {
    await this.items.remove({ user }, true);
    await this.versions.remove({ _id: user });
  }

  async version(user: string): Promise<number> {
    return (await this.versions.findOne({ _id: user }))?.ver ?? 0;
  }

  private async bump(user: string): Promise<number> {
    const ver = (await this.version(user)) + 1;
    await this.versions.put({ _id: user, user, ver });
    return ver;
  }
}

function strip(d: ItemDoc): RosterItem {
  const { _id, user, ...item } = d;
  void _id;
  void user;
  return item;
}

export function emptyItem(jid: string): RosterItem {
  return { jid, groups: [], subscription: 'none', ask: false, approved: false, pendingIn: false, listed: false };
}
