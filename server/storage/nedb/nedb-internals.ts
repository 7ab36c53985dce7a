// The parts of @seald-io/nedb (the engine under nedb-promises) that the persistence here stands in for, typed
// narrowly. NeDB documents its Persistence as replaceable only in spirit; these are the members Datastore calls
// (lib/datastore.js, 4.x), so an upgrade of the package must be checked against this file.
import { createRequire } from 'node:module';

export type RawDoc = Record<string, unknown> & { _id?: unknown };

export interface IndexSpec { fieldName: string; unique?: boolean; sparse?: boolean }

/** What our persistence implements: the methods Datastore calls on `this.persistence`. */
export interface NedbPersistence {
  persistNewStateAsync(newDocs: RawDoc[]): Promise<void>;
  persistCachedDatabaseAsync(): Promise<void>;
  loadDatabaseAsync(): Promise<void>;
  dropDatabaseAsync(): Promise<void>;
}

/** The raw NeDB Datastore (nedb-promises keeps it as `__original`). */
export interface RawDatastore {
  persistence: NedbPersistence;
  executor: { processBuffer(): void };
  indexes: Record<string, IndexSpec>;
  getAllData(): RawDoc[];
  _resetIndexes(data?: RawDoc[]): void;
  emit(event: string): boolean;
  compactDatafileAsync(): Promise<void>;
}

interface NedbModel {
  serialize(doc: unknown): string;
  deserialize(line: string): unknown;
}

type IndexConstructor = new (spec: IndexSpec) => IndexSpec;

const require = createRequire(import.meta.url);
/** NeDB's line format (JSON with `$$date` for dates): the same serializer, so its files stay readable both ways. */
export const model = require('@seald-io/nedb/lib/model.js') as NedbModel;
export const NedbIndex = require('@seald-io/nedb/lib/indexes.js') as IndexConstructor;
