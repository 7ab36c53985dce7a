// Offline messages (XEP-0160): one document per stored message, indexed by user, ordered by a sequence number that
// only grows (also across restarts), so messages come back in the order they were stored.
import { collection, type DocumentCollection } from './backend.js';
import { defineStore } from './storage.js';

export interface OfflineMessage {
  /** Opaque id, used to remove the message once it was written to the recipient's socket. */
  id: string;
  /** When the server stored it (ms since the epoch): the XEP-0203 delay stamp. */
  stamp: number;
  /** The message stanza as received (serialised XML). */
  xml: string;
}

interface OfflineDoc { _id: string; user: string; seq: number; stamp: number; xml: string }

export class OfflineStore {
  private lastSeq = 0;

  private constructor(private readonly col: DocumentCollection<OfflineDoc>) {}

  static async open(col: DocumentCollection<OfflineDoc>): Promise<OfflineStore> {
    const store = new OfflineStore(col);
    const [last] = await col.find({}, { sort: { field: 'seq', order: -1 }, limit: 1 });
    store.lastSeq = last?.seq ?? 0;
    return store;
  }

  /** Messages waiting for a user (normalised localpart). */
  count(user: string): Promise<number> {
    return this.col.count({ user });
  }

  /** Bytes (UTF-8) of the messages waiting for a user. */
  async size(user: string): Promise<number> {
    let total = 0;
    for (const d of await this.col.find({ user })) total += Buffer.byteLength(d.xml, 'utf8');
    return total;
  }

  /** Store one message; resolves once it is in the datafile. */
  async add(user: string, xml: string, stamp = Date.now()): Promise<void> {
    // Microsecond-scaled clock, bumped past the last one: ordered even within one millisecond or after a restart.
    const seq = Math.max(this.lastSeq + 1, stamp * 1000);
    this.lastSeq = seq;
    await this.col.insert({ _id: `${user}\u0000${seq}`, user, seq, stamp, xml });
  }

  /** A user's messages, oldest first. */
  async list(user: string): Promise<OfflineMessage[]> {
    const docs = await this.col.find({ user }, { sort: { field: 'seq', order: 1 } });
    return docs.map((d) => ({ id: d._id, stamp: d.stamp, xml: d.xml }));
  }

  async remove(ids: string[]): Promise<void> {
    await this.col.removeIds(ids);
  }

  /** Drop everything stored for a user (account removal). */
  async removeUser(user: string): Promise<void> {
    await this.col.removeWhere({ user });
  }
}

export const offlineStore = defineStore<OfflineStore>({
  name: 'offline',
  async open(backend) {
    return OfflineStore.open(await backend.collection(collection<OfflineDoc>('offline', ['user'])));
  },
  removeUser: (store, user) => store.removeUser(user),
  sizeOf: (store, user) => store.size(user),
});
