// A second storage backend, in memory, written against server/storage/backend.ts alone: the proof that a backend
// (SQLite, …) is an implementation of StorageBackend and nothing else (seams issue part 4). Documents are deep-copied
// in and out, as a real backend's serialisation would.
import {
  DuplicateIdError, type CollectionDef, type Doc, type DocumentCollection, type FindOptions, type StorageBackend, type Where,
} from '../../server/storage/backend.js';

const copy = <T>(v: T): T => structuredClone(v);

class MemoryCollection<T extends Doc> implements DocumentCollection<T> {
  private readonly docs = new Map<string, T>();
  private readonly fields: Set<string>;

  constructor(def: CollectionDef<T>) {
    this.fields = new Set(['_id', ...(def.indexes ?? [])]);
  }

  private matches(d: T, where: Where<T> | undefined, checked = true): boolean {
    for (const [k, v] of Object.entries(where ?? {})) {
      if (v === undefined) continue;
      if (checked && !this.fields.has(k)) throw new Error(`"${k}" is not an index field`);
      if ((d as Record<string, unknown>)[k] !== v) return false;
    }
    return true;
  }

  async get(id: string): Promise<T | null> {
    const d = this.docs.get(id);
    return d ? copy(d) : null;
  }

  async find(where: Where<T>, opts: FindOptions<T> = {}): Promise<T[]> {
    let out = [...this.docs.values()].filter((d) => this.matches(d, where));
    if (opts.sort) {
      const { field, order } = opts.sort;
      out.sort((a, b) => {
        const x = a[field] as unknown as string | number;
        const y = b[field] as unknown as string | number;
        return x < y ? -order : x > y ? order : 0;
      });
    }
    if (opts.limit !== undefined) out = out.slice(0, opts.limit);
    return out.map(copy);
  }

  async count(where?: Where<T>): Promise<number> {
    return [...this.docs.values()].filter((d) => this.matches(d, where)).length;
  }

  async insert(doc: T): Promise<void> {
    if (this.docs.has(doc._id)) throw new DuplicateIdError(doc._id);
    this.docs.set(doc._id, copy(doc));
  }

  async insertMany(docs: readonly T[]): Promise<void> {
    const ids = new Set<string>();
    for (const d of docs) {
      if (this.docs.has(d._id) || ids.has(d._id)) throw new DuplicateIdError(d._id);
      ids.add(d._id);
    }
    for (const d of docs) this.docs.set(d._id, copy(d));
  }

  async put(doc: T): Promise<void> {
    this.docs.set(doc._id, copy(doc));
  }

  async patch(id: string, fields: Partial<Omit<T, '_id'>>, expect?: Where<T>): Promise<boolean> {
    const d = this.docs.get(id);
    if (!d || !this.matches(d, expect, false)) return false;
    this.docs.set(id, { ...d, ...copy(fields) });
    return true;
  }

  async remove(id: string): Promise<boolean> {
    return this.docs.delete(id);
  }

  async removeIds(ids: readonly string[]): Promise<number> {
    let n = 0;
    for (const id of ids) if (this.docs.delete(id)) n++;
    return n;
  }

  async removeWhere(where: Where<T>): Promise<number> {
    if (Object.keys(where).length === 0) throw new Error('removeWhere needs a condition');
    let n = 0;
    for (const [id, d] of this.docs) if (this.matches(d, where)) { this.docs.delete(id); n++; }
    return n;
  }
}

export class MemoryBackend implements StorageBackend {
  readonly opened: string[] = [];

  async collection<T extends Doc>(def: CollectionDef<T>): Promise<DocumentCollection<T>> {
    this.opened.push(def.name);
    return new MemoryCollection<T>(def);
  }

  async close(): Promise<void> {}
}
