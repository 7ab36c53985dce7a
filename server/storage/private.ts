// Private XML storage (XEP-0049): one document per (account, namespace, element name) holding the element as
// the owner serialised it, indexed by account for retrieval and account removal.
import { collection, type DocumentCollection } from './backend.js';
import { defineStore } from './storage.js';

interface PrivateDoc {
  _id: string;     // user \0 namespace \0 element name
  user: string;
  ns: string;
  name: string;
  xml: string;
}

export interface PrivateKey { ns: string; name: string }

export class PrivateStore {
  constructor(private readonly col: DocumentCollection<PrivateDoc>) {}

  private id(user: string, k: PrivateKey): string {
    return `${user}\u0000${k.ns}\u0000${k.name}`;
  }

  async get(user: string, k: PrivateKey): Promise<string | null> {
    return (await this.col.get(this.id(user, k)))?.xml ?? null;
  }

  /** Bytes (UTF-8) stored for a user, optionally leaving out some keys about to be replaced. */
  async size(user: string, except: PrivateKey[] = []): Promise<number> {
    const skip = new Set(except.map((k) => this.id(user, k)));
    let total = 0;
    for (const d of await this.col.find({ user })) if (!skip.has(d._id)) total += Buffer.byteLength(d.xml, 'utf8');
    return total;
  }

  /** Store (or with xml null, delete) one element; resolves once on disk. */
  async set(user: string, k: PrivateKey, xml: string | null): Promise<void> {
    const _id = this.id(user, k);
    if (xml === null) await this.col.remove(_id);
    else await this.col.put({ _id, user, ns: k.ns, name: k.name, xml });
  }

  /** Drop everything a user stored (account removal). */
  async removeUser(user: string): Promise<void> {
    await this.col.removeWhere({ user });
  }
}

export const privateStore = defineStore<PrivateStore>({
  name: 'private',
  async open(backend) {
    return new PrivateStore(await backend.collection(collection<PrivateDoc>('private', ['user'])));
  },
  removeUser: (store, user) => store.removeUser(user),
  sizeOf: (store, user) => store.size(user),
});
