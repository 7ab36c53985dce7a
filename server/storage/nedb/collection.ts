// A DocumentCollection on one NeDB datastore (nedb-promises): the only place NeDB's query language is written.
// Every write is awaited, and then made durable (persistence.ts), before the caller answers a client.
import Datastore from 'nedb-promises';
import { DuplicateIdError, type CollectionDef, type Doc, type DocumentCollection, type FindOptions, type Where } from '../backend.js';
import type { RawDatastore } from './nedb-internals.js';
import { DurablePersistence, type PersistenceOptions } from './persistence.js';

type Query = Record<string, unknown>;

export class NedbCollection<T extends Doc> implements DocumentCollection<T> {
  private readonly fields: ReadonlySet<string>;

  private constructor(private readonly db: Datastore<T>, private readonly def: CollectionDef<T>, private readonly persistence: DurablePersistence | null) {
    this.fields = new Set(['_id', ...(def.indexes ?? [])]);
  }

  /** `file` null: in memory only (tests of single modules). */
  static async open<T extends Doc>(file: string | null, def: CollectionDef<T>, o: PersistenceOptions): Promise<NedbCollection<T>> {
    const db = Datastore.create(file ? { filename: file, autoload: false } : { inMemoryOnly: true }) as unknown as Datastore<T>;
    let persistence: DurablePersistence | null = null;
    if (file) {
      // Our persistence in place of NeDB's, before anything is loaded or written.
      const raw = (db as unknown as { __original: RawDatastore }).__original;
      persistence = new DurablePersistence(raw, file, o);
      raw.persistence = persistence;
    }
    // NeDB's executor queues every call until load() completes, so indexes can be declared right away.
    for (const fieldName of def.indexes ?? []) void db.ensureIndex({ fieldName });
    await db.load();
    return new NedbCollection(db, def, persistence);
  }

  /** Wait for this collection's writes to be durable, then let go of its file. */
  async close(): Promise<void> {
    await this.persistence?.close();
  }

  /** Every write ends here: the caller hears of success only once the write is as durable as the setting says. */
  private async durable<R>(result: R): Promise<R> {
    if (this.persistence) await this.persistence.durable();
    return result;
  }

  /** Equality on declared fields only: what any backend must be able to answer with an index. */
  private query(where: Where<T> | undefined): Query {
    const q: Query = {};
    for (const [k, v] of Object.entries(where ?? {})) {
      if (v === undefined) continue;
      if (!this.fields.has(k)) throw new Error(`${this.def.name}: "${k}" is not an index field of this collection`);
      if (v !== null && typeof v === 'object') throw new Error(`${this.def.name}: lookups compare scalar values only ("${k}")`);
      q[k] = v;
    }
    return q;
  }

  get(id: string): Promise<T | null> {
    return this.db.findOne<T>({ _id: id }) as Promise<T | null>;
  }

  find(where: Where<T>, opts: FindOptions<T> = {}): Promise<T[]> {
    let cursor = this.db.find<T>(this.query(where));
    if (opts.sort) cursor = cursor.sort({ [opts.sort.field]: opts.sort.order });
    if (opts.limit !== undefined) cursor = cursor.limit(opts.limit);
    return cursor as unknown as Promise<T[]>;
  }

  count(where?: Where<T>): Promise<number> {
    return this.db.count(this.query(where)) as unknown as Promise<number>;
  }

  async insert(doc: T): Promise<void> {
    try {
      await this.db.insert(doc);
    } catch (err) {
      if ((err as { errorType?: string }).errorType === 'uniqueViolated') throw new DuplicateIdError(`${this.def.name}: ${doc._id} exists`);
      throw err;
    }
    await this.durable(undefined);
  }

  async insertMany(docs: readonly T[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      // NeDB inserts an array in one go: all or none in memory, one append to the file.
      await this.db.insert([...docs]);
    } catch (err) {
      if ((err as { errorType?: string }).errorType === 'uniqueViolated') throw new DuplicateIdError(`${this.def.name}: one of ${docs.length} documents exists`);
      throw err;
    }
    await this.durable(undefined);
  }

  async put(doc: T): Promise<void> {
    await this.durable(await this.db.update({ _id: doc._id }, doc, { upsert: true }));
  }

  async patch(id: string, fields: Partial<Omit<T, '_id'>>, expect?: Where<T>): Promise<boolean> {
    const q = { ...(expect ? this.unchecked(expect) : {}), _id: id };
    return ((await this.durable(await this.db.update(q, { $set: fields }, {}))) as unknown as number) > 0;
  }

  async remove(id: string): Promise<boolean> {
    return ((await this.durable(await this.db.remove({ _id: id }, {}))) as unknown as number) > 0;
  }

  async removeIds(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    return (await this.durable(await this.db.remove({ _id: { $in: [...ids] } }, { multi: true }))) as unknown as number;
  }

  async removeWhere(where: Where<T>): Promise<number> {
    const q = this.query(where);
    if (Object.keys(q).length === 0) throw new Error(`${this.def.name}: removeWhere needs a condition`);
    return (await this.durable(await this.db.remove(q, { multi: true }))) as unknown as number;
  }

  /** A compare-and-set condition: equality on any scalar fields of the one document (it is found by _id). */
  private unchecked(expect: Where<T>): Query {
    const q: Query = {};
    for (const [k, v] of Object.entries(expect)) if (v !== undefined) q[k] = v;
    return q;
  }
}
