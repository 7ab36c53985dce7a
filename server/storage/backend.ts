// The storage backend interface: the one thing a storage engine implements (DESIGN.md "Storage", "Open stores").
// As Prosody's storage drivers offer a few generic store kinds, a backend offers one: a typed document collection
// with equality lookups on declared index fields. Every domain store (accounts, roster, offline, vCard…) is written
// above it in server/storage/*.ts and never sees the engine, so a second backend (SQLite, …) is a new folder next
// to nedb/ that implements StorageBackend, and nothing else changes.
//
// Contract, for every backend:
//  - A collection is named by CollectionDef.name (NeDB: one datafile `<name>.db` in the data dir); documents are
//    plain JSON objects keyed by the string `_id`.
//  - `where` filters are equality on top-level fields: `_id` or a field the definition lists in `indexes`
//    (a backend may refuse any other field). Values are strings, numbers, booleans or null.
//  - Every write resolves only once it is durable as the `durability` setting says (default 'flush': on the disk,
//    not only in the OS's cache), so "the client was told it succeeded" means "it is on disk" (DESIGN.md). A failed
//    write rejects and leaves the data, in memory and on disk, as it was.
//  - Operations of one collection take effect in the order they were called.

export interface Doc { _id: string }

/** A field value an equality lookup can compare. */
export type Scalar = string | number | boolean | null;

/** Equality on top-level fields; all given fields must match. */
export type Where<T> = { [K in keyof T]?: NonNullable<T[K]> extends Scalar ? T[K] : never };

export interface FindOptions<T> {
  /** Order by one top-level field (1 ascending, -1 descending); unordered when absent. */
  sort?: { field: keyof T & string; order: 1 | -1 };
  limit?: number;
}

export interface CollectionDef<T extends Doc> {
  /** Unique per data dir; with NeDB the datafile's name without `.db`. Never rename: it is where the data is. */
  readonly name: string;
  /** Fields looked up with `where` (besides `_id`), indexed by the backend. */
  readonly indexes?: readonly (keyof T & string)[];
  /** Phantom type marker; never set. */
  readonly __doc?: T;
}

export function collection<T extends Doc>(name: string, indexes: readonly (keyof T & string)[] = []): CollectionDef<T> {
  return { name, indexes };
}

export class DuplicateIdError extends Error {}

/**
 * When a write counts as stored (the `durability` setting). 'flush': on the disk (fdatasync, shared by concurrent
 * writes), so it survives a power cut; 'os': handed to the OS, so it survives a crash of Parley but not of the
 * machine (NeDB's own behaviour; faster on slow disks).
 */
export type Durability = 'flush' | 'os';
export const DURABILITIES: readonly Durability[] = ['flush', 'os'];

export interface DocumentCollection<T extends Doc> {
  /** The document with this `_id`, or null. */
  get(id: string): Promise<T | null>;
  /** Documents matching every field of `where` ({} = all). */
  find(where: Where<T>, opts?: FindOptions<T>): Promise<T[]>;
  count(where?: Where<T>): Promise<number>;
  /** Add a document; rejects with DuplicateIdError when its `_id` exists. */
  insert(doc: T): Promise<void>;
  /**
   * Add several documents as one write (one append, one sync: a group commit); all or none. Rejects with
   * DuplicateIdError when an `_id` exists, and then adds none of them.
   */
  insertMany(docs: readonly T[]): Promise<void>;
  /** Replace the whole document with this `_id`, creating it if needed. */
  put(doc: T): Promise<void>;
  /**
   * Set top-level fields of the document `id`, only if it also matches `expect` (a compare-and-set); false when
   * there is no such document or it did not match.
   */
  patch(id: string, fields: Partial<Omit<T, '_id'>>, expect?: Where<T>): Promise<boolean>;
  /** Remove one document; false when there was none. */
  remove(id: string): Promise<boolean>;
  /** Remove the documents with these ids; how many there were. */
  removeIds(ids: readonly string[]): Promise<number>;
  /** Remove every document matching `where` (never {}: refuses to empty a collection by accident). */
  removeWhere(where: Where<T>): Promise<number>;
}

/** A storage engine: opens collections. One instance per data dir. */
export interface StorageBackend {
  /** Open (creating if needed) a collection; called once per definition. */
  collection<T extends Doc>(def: CollectionDef<T>): Promise<DocumentCollection<T>>;
  /** Flush and release whatever the backend holds (files, handles). */
  close(): Promise<void>;
}
