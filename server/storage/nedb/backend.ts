// The NeDB backend (nedb-promises): the embedded default. One datafile per collection under the data dir
// (`<name>.db`, DESIGN.md "Storage"), or everything in memory when there is no data dir (tests of single modules).
import path from 'node:path';
import type { CollectionDef, Doc, DocumentCollection, StorageBackend } from '../backend.js';
import { NedbCollection } from './collection.js';

export class NedbBackend implements StorageBackend {
  constructor(private readonly dataDir: string | null) {}

  collection<T extends Doc>(def: CollectionDef<T>): Promise<DocumentCollection<T>> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(def.name)) throw new Error(`"${def.name}" cannot name a datafile`);
    return NedbCollection.open<T>(this.dataDir ? path.join(this.dataDir, `${def.name}.db`) : null, def);
  }

  async close(): Promise<void> {
    // Every write was awaited (appended to its datafile) before it was reported done: nothing is buffered.
  }
}
