// The one store of privacy lists and blocklists (XEP-0191 §3: "the same back-end data store for both protocols"):
// one document per account with all its lists and the name of its default list. The blocklist is not stored apart:
// it is the `jid`/`deny` items of the default list (see blocklist.ts). Read whole at startup (an account's lists
// are small and filtering must never wait on the disk); every change is written before anyone is told.
import { collection, type DocumentCollection } from '../../storage/backend.js';
import { defineStore, type StoreDef } from '../../storage/storage.js';
import type { PrivacyList } from './model.js';

interface PrivacyDoc {
  _id: string;        // the account's normalised localpart
  lists: PrivacyList[];
  default: string | null;
}

export interface AccountLists {
  user: string;
  lists: PrivacyList[];
  defaultName: string | null;
}

export class PrivacyStore {
  constructor(private readonly col: DocumentCollection<PrivacyDoc>) {}

  /** Every account that has lists (read once when the module loads). */
  async all(): Promise<AccountLists[]> {
    return (await this.col.find({})).map((d) => ({ user: d._id, lists: d.lists, defaultName: d.default }));
  }

  /** Replace an account's lists; no lists left removes its document. Resolves once on disk. */
  async put(a: AccountLists): Promise<void> {
    if (a.lists.length === 0) await this.col.remove(a.user);
    else await this.col.put({ _id: a.user, lists: a.lists, default: a.defaultName });
  }

  /** Bytes the account's lists take, as stored (JSON). */
  async size(user: string): Promise<number> {
    const d = await this.col.get(user);
    return d === null ? 0 : listsSize({ user, lists: d.lists, defaultName: d.default });
  }

  async removeUser(user: string): Promise<void> {
    await this.col.remove(user);
  }
}

/** Account removal drops the account's lists (and so its blocklist) with everything else it kept. */
export const privacyStore: StoreDef<PrivacyStore> = defineStore<PrivacyStore>({
  name: 'privacy',
  async open(backend) {
    return new PrivacyStore(await backend.collection(collection<PrivacyDoc>('privacy')));
  },
  removeUser: (store, user) => store.removeUser(user),
  sizeOf: (store, user) => store.size(user),
});

/** What an account's lists count toward its storage quota. */
export function listsSize(a: AccountLists): number {
  return a.lists.length === 0 ? 0 : Buffer.byteLength(JSON.stringify({ lists: a.lists, default: a.defaultName }), 'utf8');
}
