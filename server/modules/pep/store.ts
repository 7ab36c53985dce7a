// PEP storage: one document per node (its configuration, explicit subscribers and whitelist members) and one per
// item, both keyed by the owner so an account's removal drops them (PEP: items persist across restarts with their
// node's configuration). Node records are cached per account once read: notifications and the last items sent at
// login must not query the disk for each contact. Memory is changed only after the write succeeded.
import { collection, type DocumentCollection } from '../../storage/backend.js';
import { defineStore } from '../../storage/storage.js';
import { normaliseConfig, type NodeConfig } from './node-config.js';

interface NodeDoc {
  _id: string;          // JSON [user, node]
  user: string;
  node: string;
  config: NodeConfig;
  /** Explicit subscriptions (XEP-0060 §6.1), JIDs as given; implicit ones come from the roster and are not kept. */
  subscribers: string[];
  /** Bare JIDs with the member affiliation: who may read a whitelist node besides the owner. */
  members: string[];
  createdAt: number;
}

interface ItemDoc {
  _id: string;          // JSON [user, node, id]
  user: string;
  nodeId: string;
  itemId: string;
  /** The item's payload, serialised on its own (stored-xml.ts). */
  xml: string;
  /** Publication order (a later publish of the same id moves it to the end). */
  seq: number;
}

export interface StoredItem { id: string; xml: string }

export interface NodeRec {
  readonly user: string;
  readonly node: string;
  config: NodeConfig;
  subscribers: string[];
  members: string[];
  createdAt: number;
  /** Latest item; undefined until read from disk. Non-persistent nodes keep theirs only here. */
  last?: StoredItem | null;
}

const nodeKey = (user: string, node: string): string => JSON.stringify([user, node]);
const itemKey = (user: string, node: string, id: string): string => JSON.stringify([user, node, id]);

let seqCounter = 0;
/** Increasing across restarts (time-based) and within one millisecond (counter). */
function nextSeq(): number {
  seqCounter = (seqCounter + 1) % 1000;
  return Date.now() * 1000 + seqCounter;
}

export class PepStore {
  private readonly cache = new Map<string, Map<string, NodeRec>>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /**
   * Bytes of stored items per account, counted when first needed. Publishing adds to it; removals forget it (it is
   * counted again when next needed), so it is never less than the truth.
   */
  private readonly usage = new Map<string, number>();

  constructor(private readonly nodesCol: DocumentCollection<NodeDoc>, private readonly itemsCol: DocumentCollection<ItemDoc>) {}

  /** Run mutations of one account one after the other (publish, then trim, must not interleave). */
  lock<T>(user: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.locks.get(user) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.locks.set(user, tail);
    void tail.then(() => {
      if (this.locks.get(user) === tail) this.locks.delete(user);
    });
    return run;
  }

  /** Every node of an account, by name (read once, then from memory). */
  async nodes(user: string): Promise<Map<string, NodeRec>> {
    let m = this.cache.get(user);
    if (m) return m;
    const docs = await this.nodesCol.find({ user });
    m = this.cache.get(user);   // another caller may have filled it meanwhile
    if (m) return m;
    m = new Map();
    for (const d of docs) {
      m.set(d.node, { user, node: d.node, config: normaliseConfig(d.config), subscribers: d.subscribers ?? [], members: d.members ?? [], createdAt: d.createdAt });
    }
    this.cache.set(user, m);
    return m;
  }

  async node(user: string, node: string): Promise<NodeRec | undefined> {
    return (await this.nodes(user)).get(node);
  }

  private doc(r: NodeRec): NodeDoc {
    return { _id: nodeKey(r.user, r.node), user: r.user, node: r.node, config: r.config, subscribers: r.subscribers, members: r.members, createdAt: r.createdAt };
  }

  async createNode(user: string, node: string, config: NodeConfig): Promise<NodeRec> {
    const rec: NodeRec = { user, node, config, subscribers: [], members: [], createdAt: Date.now(), last: null };
    await this.nodesCol.put(this.doc(rec));
    (await this.nodes(user)).set(node, rec);
    return rec;
  }

  /** Write a changed record (config, subscribers, members); memory takes the change only once it is on disk. */
  async saveNode(rec: NodeRec, change: Partial<Pick<NodeRec, 'config' | 'subscribers' | 'members'>>): Promise<void> {
    const next = { ...rec, ...change };
    await this.nodesCol.put(this.doc(next));
    Object.assign(rec, change);
  }

  async deleteNode(rec: NodeRec): Promise<void> {
    await this.itemsCol.removeWhere({ nodeId: nodeKey(rec.user, rec.node) });
    this.usage.delete(rec.user);
    await this.nodesCol.remove(nodeKey(rec.user, rec.node));
    this.cache.get(rec.user)?.delete(rec.node);
  }

  /** Items of a node, oldest first. */
  async items(rec: NodeRec): Promise<StoredItem[]> {
    if (!rec.config.persist_items) return rec.last ? [rec.last] : [];
    const docs = await this.itemsCol.find({ nodeId: nodeKey(rec.user, rec.node) }, { sort: { field: 'seq', order: 1 } });
    return docs.map((d) => ({ id: d.itemId, xml: d.xml }));
  }

  async last(rec: NodeRec): Promise<StoredItem | null> {
    if (rec.last !== undefined) return rec.last;
    const docs = await this.itemsCol.find({ nodeId: nodeKey(rec.user, rec.node) }, { sort: { field: 'seq', order: -1 }, limit: 1 });
    const last = docs.length > 0 ? { id: docs[0].itemId, xml: docs[0].xml } : null;
    if (rec.last === undefined) rec.last = last;
    return rec.last;
  }

  /** Bytes an account's stored items take (an upper bound unless `exact`). */
  async bytesUsed(user: string, exact = false): Promise<number> {
    let used = exact ? undefined : this.usage.get(user);
    if (used === undefined) {
      used = 0;
      for (const d of await this.itemsCol.find({ user })) used += Buffer.byteLength(d.xml, 'utf8');
      this.usage.set(user, used);
    }
    return used;
  }

  /** Store an item (replacing one with the same id) and drop the oldest beyond max_items. */
  async publish(rec: NodeRec, item: StoredItem): Promise<void> {
    if (rec.config.persist_items) {
      const nodeId = nodeKey(rec.user, rec.node);
      await this.itemsCol.put({ _id: itemKey(rec.user, rec.node, item.id), user: rec.user, nodeId, itemId: item.id, xml: item.xml, seq: nextSeq() });
      const used = this.usage.get(rec.user);
      if (used !== undefined) this.usage.set(rec.user, used + Buffer.byteLength(item.xml, 'utf8'));
      await this.trim(rec);
    }
    rec.last = item;
  }

  /** Remove one item; false when there was none. */
  async retract(rec: NodeRec, id: string): Promise<boolean> {
    if (!rec.config.persist_items) {
      // Nothing on disk: the only item is the one in memory.
      if (rec.last?.id !== id) return false;
      rec.last = null;
      return true;
    }
    const found = await this.itemsCol.remove(itemKey(rec.user, rec.node, id));
    this.usage.delete(rec.user);
    // The latest item gone (or unknown): the next one down is read from disk when next asked for.
    if (found && rec.last?.id !== undefined && rec.last.id === id) rec.last = undefined;
    return found;
  }

  /** Keep only the newest max_items items (after publishing, or when the owner lowers max_items). */
  async trim(rec: NodeRec): Promise<void> {
    if (!rec.config.persist_items) return;
    const nodeId = nodeKey(rec.user, rec.node);
    if ((await this.itemsCol.count({ nodeId })) <= rec.config.max_items) return;
    const all = await this.itemsCol.find({ nodeId }, { sort: { field: 'seq', order: -1 } });
    await this.itemsCol.removeIds(all.slice(rec.config.max_items).map((d) => d._id));
    this.usage.delete(rec.user);
  }

  async purge(rec: NodeRec): Promise<void> {
    await this.itemsCol.removeWhere({ nodeId: nodeKey(rec.user, rec.node) });
    this.usage.delete(rec.user);
    rec.last = null;
  }

  async removeUser(user: string): Promise<void> {
    await this.itemsCol.removeWhere({ user });
    await this.nodesCol.removeWhere({ user });
    this.cache.delete(user);
    this.usage.delete(user);
  }
}

export const pepStore = defineStore<PepStore>({
  name: 'pep',
  async open(backend) {
    const nodes = await backend.collection(collection<NodeDoc>('pep-nodes', ['user']));
    const items = await backend.collection(collection<ItemDoc>('pep-items', ['user', 'nodeId']));
    return new PepStore(nodes, items);
  },
  // Counts toward the account-wide storage quota (modules/storage-quota.ts) besides PEP's own 4 MiB.
  sizeOf(store, user) {
    return store.bytesUsed(user, true);
  },
  removeUser: (store, user) => store.removeUser(user),
});
