// The NeDB backend (nedb-promises): the embedded default. One datafile per collection under the data dir
// (`<name>.db`, DESIGN.md "Storage"), or everything in memory when there is no data dir (tests of single modules).
// NeDB keeps the documents and answers queries; how the files are written is ours (persistence.ts).
import path from 'node:path';
import type { CollectionDef, Doc, DocumentCollection, Durability, StorageBackend } from '../backend.js';
import { NedbCollection } from './collection.js';
import { nodeFileOps, type FileOps } from './file-ops.js';
import type { PersistenceOptions } from './persistence.js';

export interface NedbOptions {
  /** Default 'flush': every confirmed write is on the disk. */
  durability?: Durability;
  /** Where messages about the files go (damaged records dropped, failed writes); default: nowhere. */
  report?: PersistenceOptions['report'];
  /** The file system seam (tests inject failures); default the real one. */
  fileOps?: FileOps;
  /** Background compaction thresholds (default: 1 MiB, and twice as many lines as live documents). */
  compactMinBytes?: number;
  compactRatio?: number;
}

export class NedbBackend implements StorageBackend {
  private readonly collections: NedbCollection<Doc>[] = [];
  private readonly options: PersistenceOptions;

  constructor(private readonly dataDir: string | null, o: NedbOptions = {}) {
    this.options = {
      durability: o.durability ?? 'flush',
      fileOps: o.fileOps ?? nodeFileOps,
      compactMinBytes: o.compactMinBytes ?? 1024 * 1024,
      compactRatio: o.compactRatio ?? 2,
      report: o.report ?? (() => undefined),
    };
  }

  async collection<T extends Doc>(def: CollectionDef<T>): Promise<DocumentCollection<T>> {
    if (!/^[a-z0-9][a-z0-9-]*$/.test(def.name)) throw new Error(`"${def.name}" cannot name a datafile`);
    const c = await NedbCollection.open<T>(this.dataDir ? path.join(this.dataDir, `${def.name}.db`) : null, def, this.options);
    this.collections.push(c as unknown as NedbCollection<Doc>);
    return c;
  }

  async close(): Promise<void> {
    // Every write was awaited (durable) before it was reported done; this waits for stragglers and frees the files.
    await Promise.all(this.collections.map((c) => c.close()));
  }
}
