// A typed NeDB collection: one datafile per concern under the data dir (DESIGN.md "Storage"). Every write is
// awaited before the caller answers a client, so "succeeded" means "appended to the datafile".
import path from 'node:path';
import Datastore from 'nedb-promises';

export type Query = Record<string, unknown>;

export class Collection<T extends { _id: string }> {
  private readonly db: Datastore<T>;

  constructor(readonly file: string | null, indexes: { fieldName: string; unique?: boolean }[] = []) {
    // NeDB's executor queues every call until load() completes, so indexes can be declared right away.
    this.db = Datastore.create(file ? { filename: file, autoload: false } : { inMemoryOnly: true }) as unknown as Datastore<T>;
    for (const i of indexes) void this.db.ensureIndex(i);
  }

  static async open<T extends { _id: string }>(dataDir: string | null, name: string, indexes: { fieldName: string; unique?: boolean }[] = []): Promise<Collection<T>> {
    const c = new Collection<T>(dataDir ? path.join(dataDir, `${name}.db`) : null, indexes);
    await c.db.load();
    return c;
  }

  findOne(query: Query): Promise<T | null> {
    return this.db.findOne<T>(query) as Promise<T | null>;
  }

  find(query: Query, sort?: Record<string, 1 | -1>, limit?: number): Promise<T[]> {
    let cursor = this.db.find<T>(query);
    if (sort) cursor = cursor.sort(sort);
    if (limit !== undefined) cursor = cursor.limit(limit);
    return cursor as unknown as Promise<T[]>;
  }

  count(query: Query = {}): Promise<number> {
    return this.db.count(query) as unknown as Promise<number>;
  }

  async insert(doc: T): Promise<T> {
    return (await this.db.insert(doc)) as T;
  }

  /** Replace the whole document with this _id, creating it if needed. */
  async put(doc: T): Promise<void> {
    await this.db.update({ _id: doc._id }, doc, { upsert: true });
  }

  async update(query: Query, update: Query, multi = false): Promise<number> {
    return (await this.db.update(query, update, { multi })) as unknown as number;
  }

  async remove(query: Query, multi = false): Promise<number> {
    return (await this.db.remove(query, { multi })) as unknown as number;
  }

  /** Rewrite the append-only datafile to one line per document (also done by NeDB on every load). */
  compact(): Promise<void> {
    return new Promise((resolve) => {
      this.db.once('compactionDone', () => resolve());
      this.db.persistence.compactDatafile();
    });
  }
}
