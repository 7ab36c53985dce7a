// Rosters (RFC 6121 §2) and subscription state (§3, Appendix A): one document per (user, contact), indexed by
// user, plus one version document per user for roster versioning (RFC 6121 §2.6, a server MUST).
// Contacts are bare JID strings (they contain dots, so they cannot be field names), hence one document each.
// `user` is the account's normalised localpart (as in the account store).
//
// Versions: every change a client can see (an item added, changed or removed) bumps the user's counter and stamps
// the item with it; a removed item leaves a tombstone carrying its version, so a client that presents an older
// version can be sent just the items changed since (§2.6.3 "interim roster pushes"). A version string is
// `<epoch>-<counter>`: the epoch is random per account, so a version from a reset data dir or from a deleted and
// re-created account never matches.
import { randomBytes } from 'node:crypto';
import { collection, type DocumentCollection } from './backend.js';
import { defineStore, type StoreDef } from './storage.js';

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

/** One entry of "what changed since version X": an item as it is now, or the JID of a removed one. */
export type RosterChange = { ver: string; item: RosterItem } | { ver: string; removed: string };

interface ItemDoc extends RosterItem { _id: string; user: string; ver?: number; removed?: boolean }
interface VersionDoc { _id: string; user: string; ver: number; epoch?: string }

export class RosterStore {
  private readonly locks = new Map<string, Promise<void>>();
  /**
   * Items by _id as last read or written (null = none). Presence probes look up one contact's item per contact at
   * every login (500 lookups for a 500-contact roster), and the backend's queued lookups dominated that path in the
   * benchmark. Every write below goes through write()/erase(), which update this after the datafile is written.
   */
  private readonly byId = new Map<string, ItemDoc | null>();

  /** `domain`: the served domain, to tell local contacts from remote ones at account removal. */
  constructor(private readonly items: DocumentCollection<ItemDoc>, private readonly versions: DocumentCollection<VersionDoc>, private readonly domain: string) {}

  private id(user: string, contact: string): string {
    return `${user}\u0000${contact}`;
  }

  /**
   * Run `fn` with the user's roster to itself: read-modify-write sequences of one account never interleave
   * (two subscription stanzas crossing each other would otherwise lose an update). Never nest two locks.
   */
  lock<T>(user: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(user) ?? Promise.resolve();
    const run = prev.then(fn);
    const tail = run.then(() => undefined, () => undefined);
    this.locks.set(user, tail);
    void tail.then(() => {
      if (this.locks.get(user) === tail) this.locks.delete(user);
    });
    return run;
  }

  /** The live item for a contact (listed or only pending-in), or null. */
  async get(user: string, contact: string): Promise<RosterItem | null> {
    const id = this.id(user, contact);
    let d = this.byId.get(id);
    if (d === undefined) {
      d = await this.items.get(id);
      if (this.byId.size >= CACHE_LIMIT) this.byId.clear();
      if (!this.byId.has(id)) this.byId.set(id, d);
    }
    return d && !d.removed ? strip(d) : null;
  }

  private async write(doc: ItemDoc): Promise<void> {
    await this.items.put(doc);
    this.byId.set(doc._id, doc);
  }

  private async erase(id: string): Promise<void> {
    await this.items.remove(id);
    this.byId.set(id, null);
  }

  /** All live items of a user, listed or not, sorted by JID. */
  async all(user: string): Promise<RosterItem[]> {
    return (await this.items.find({ user }, { sort: { field: 'jid', order: 1 } })).filter((d) => !d.removed).map(strip);
  }

  /** Live items kept for a user, listed or only pending-in (what the roster size limit counts). */
  async count(user: string): Promise<number> {
    return (await this.all(user)).length;
  }

  /** Bytes the user's live items take, as stored. */
  async size(user: string): Promise<number> {
    let total = 0;
    for (const item of await this.all(user)) total += itemSize(item);
    return total;
  }

  /** The roster proper, as a roster get shows it. */
  async listed(user: string): Promise<RosterItem[]> {
    return (await this.all(user)).filter((i) => i.listed);
  }

  /**
   * Write an item. A change the user can see (`visible`) bumps the roster version; resolves with the item's
   * version string once it is on disk (the current version when nothing visible changed).
   */
  async put(user: string, item: RosterItem, visible = true): Promise<string> {
    const old = await this.items.get(this.id(user, item.jid));
    const v = await this.currentVersion(user);
    // An invisible write keeps the item's version (a tombstone's too: to a client the contact is still gone).
    if (!visible) {
      await this.write({ ...clean(item), _id: this.id(user, item.jid), user, ver: old?.ver ?? 0 });
      return format(v.epoch, v.ver);
    }
    const next = await this.bump(user, v);
    await this.write({ ...clean(item), _id: this.id(user, item.jid), user, ver: next.ver });
    return format(next.epoch, next.ver);
  }

  /**
   * Remove an item. A listed one leaves a tombstone for interim pushes and bumps the version (returned);
   * a pending-only record just goes (null).
   */
  async remove(user: string, contact: string): Promise<string | null> {
    const old = await this.items.get(this.id(user, contact));
    if (!old || old.removed) return null;
    if (!old.listed) {
      // Never visible since its version: a record that replaced a tombstone becomes that tombstone again.
      if (old.ver) await this.write(tombstone(old._id, user, contact, old.ver));
      else await this.erase(old._id);
      return null;
    }
    const next = await this.bump(user, await this.currentVersion(user));
    await this.write(tombstone(old._id, user, contact, next.ver));
    return format(next.epoch, next.ver);
  }

  /** Drop a user's whole roster (account removal). */
  async removeUser(user: string): Promise<void> {
    await this.items.removeWhere({ user });
    this.byId.clear();   // rare (account removal): simpler than finding the user's entries
    await this.versions.remove(user);
  }

  /**
   * Account removal with no server running (the offline CLI): what the subscription module does live — the user
   * sending `unsubscribed` and `unsubscribe` to every contact (XEP-0077 §3.2, RFC 6121 §3.2–3.3) — applied to the
   * rosters of local contacts only: each loses its subscription both ways and any pending request or pre-approval
   * with the user (a visible change: the version moves, so the contact's next login learns of it), and a record
   * kept only for a pending request goes. Remote contacts cannot be told with no server running; their servers
   * learn it when they next probe or send to the account (it is gone: RFC 6121 §8.5.1). Live, the subscription
   * module has already done this with stanzas and roster pushes, and nothing is left to change here.
   */
  async cancelLocalSubscriptions(user: string): Promise<void> {
    const userJid = `${user}@${this.domain}`;
    for (const item of await this.all(user)) {
      const at = item.jid.indexOf('@');
      if (at <= 0 || item.jid.slice(at + 1) !== this.domain || item.jid.includes('/')) continue;
      const contact = item.jid.slice(0, at);
      if (contact === user) continue;
      await this.lock(contact, async () => {
        const theirs = await this.get(contact, userJid);
        if (!theirs) return;
        if (!theirs.listed) {
          await this.remove(contact, userJid);
          return;
        }
        if (theirs.subscription === 'none' && !theirs.ask && !theirs.pendingIn && !theirs.approved) return;
        const after: RosterItem = { ...theirs, subscription: 'none', ask: false, pendingIn: false, approved: false };
        delete after.pendingStanza;
        await this.put(contact, after, true);
      });
    }
  }

  /** The current roster version string (RFC 6121 §2.6). */
  async version(user: string): Promise<string> {
    const v = await this.currentVersion(user);
    return format(v.epoch, v.ver);
  }

  /**
   * What a client holding version `ver` is missing, oldest change first; null when `ver` is not one of ours (other
   * epoch, garbage, or newer than ours): the client then needs the full roster.
   */
  async changesSince(user: string, ver: string): Promise<RosterChange[] | null> {
    const v = await this.currentVersion(user);
    // '0' is the empty roster before any epoch existed: whatever changed since then is everything there is now.
    const m = ver === '0' ? ['0', v.epoch, '0'] : /^([0-9a-f]+)-(\d{1,15})$/.exec(ver);
    if (!m || m[1] !== v.epoch) return null;
    const since = Number(m[2]);
    if (since > v.ver) return null;
    if (since === v.ver) return [];
    const docs = (await this.items.find({ user })).filter((d) => (d.ver ?? 0) > since).sort((a, b) => (a.ver ?? 0) - (b.ver ?? 0));
    const out: RosterChange[] = [];
    for (const d of docs) {
      const s = format(v.epoch, d.ver ?? 0);
      // Not listed: removed from the roster the client saw, and perhaps only a pending request kept since.
      if (d.removed || !d.listed) out.push({ ver: s, removed: d.jid });
      else out.push({ ver: s, item: strip(d) });
    }
    return out;
  }

  private async currentVersion(user: string): Promise<{ epoch: string; ver: number }> {
    const d = await this.versions.get(user);
    if (d?.epoch) return { epoch: d.epoch, ver: d.ver };
    // No version yet: an empty roster at version 0, with the epoch made at the first change, so reading an empty
    // roster (every account's first login) writes nothing (a write per login showed up in the login benchmark).
    if (!d) return { epoch: '', ver: 0 };
    const epoch = randomBytes(4).toString('hex');
    const ver = d?.ver ?? 0;
    await this.versions.put({ _id: user, user, ver, epoch });
    return { epoch, ver };
  }

  private async bump(user: string, v: { epoch: string; ver: number }): Promise<{ epoch: string; ver: number }> {
    const next = { epoch: v.epoch || randomBytes(4).toString('hex'), ver: v.ver + 1 };
    await this.versions.put({ _id: user, user, ...next });
    return next;
  }
}

function tombstone(_id: string, user: string, jid: string, ver: number): ItemDoc {
  return { _id, user, jid, groups: [], subscription: 'none', ask: false, approved: false, pendingIn: false, listed: false, removed: true, ver };
}

function format(epoch: string, n: number): string {
  // Before the first change there is no epoch: '0' matches no stored version, so a client holding one from a
  // deleted account or a reset data dir gets the (empty) roster in full.
  return epoch ? `${epoch}-${n}` : '0';
}

/** Only the fields of RosterItem (no stray properties from callers end up in the datafile). */
function clean(i: RosterItem): RosterItem {
  const out: RosterItem = { jid: i.jid, groups: [...i.groups], subscription: i.subscription, ask: i.ask, approved: i.approved, pendingIn: i.pendingIn, listed: i.listed };
  if (i.name !== undefined) out.name = i.name;
  if (i.pendingIn && i.pendingStanza !== undefined) out.pendingStanza = i.pendingStanza;
  return out;
}

function strip(d: ItemDoc): RosterItem {
  const { _id, user, ver, removed, ...item } = d;
  void _id;
  void user;
  void ver;
  void removed;
  // A copy all the way down: the cached document must not change when a caller edits what it got.
  return { ...item, groups: [...item.groups] };
}

/** Cached items before the cache starts over (a few MB at most). */
const CACHE_LIMIT = 50_000;

export function emptyItem(jid: string): RosterItem {
  return { jid, groups: [], subscription: 'none', ask: false, approved: false, pendingIn: false, listed: false };
}

/**
 * The rosters: one definition shared by the IM modules (roster, presence, subscriptions, delivery, last activity).
 * Account removal: the local contacts' side first (see cancelLocalSubscriptions), then the user's whole roster.
 */
export const rosterStore: StoreDef<RosterStore> = defineStore<RosterStore>({
  name: 'roster',
  async open(backend, env) {
    return new RosterStore(
      await backend.collection(collection<ItemDoc>('roster', ['user'])),
      await backend.collection(collection<VersionDoc>('roster-version')),
      env.domain,
    );
  },
  async removeUser(store, user) {
    await store.cancelLocalSubscriptions(user);
    await store.removeUser(user);
  },
  sizeOf: (store, user) => store.size(user),
});

/** What one roster item counts toward its account's storage quota (its stored form, JSON). */
export function itemSize(item: RosterItem): number {
  return Buffer.byteLength(JSON.stringify(item), 'utf8');
}
