// The persistence of one NeDB datafile, in place of NeDB's own (which appends with fs.appendFile and never syncs,
// updates memory before the disk, and compacts only at load). DESIGN.md "Storage": what a client is told succeeded
// is on the disk first, and a failed write leaves memory as it was. Datastore calls these methods from its queue
// (one at a time), so an append never runs during a compaction.
import path from 'node:path';
import { DataDirError } from '../schema.js';
import type { Durability } from '../backend.js';
import { describeDamage, isBadlyDamaged, keepDamagedCopy, parseDatafile, serializeCompacted } from './datafile.js';
import type { AppendHandle, FileOps } from './file-ops.js';
import { GroupSync } from './group-sync.js';
import { model, NedbIndex, type NedbPersistence, type RawDatastore, type RawDoc } from './nedb-internals.js';

export interface PersistenceOptions {
  durability: Durability;
  fileOps: FileOps;
  /** Background compaction once the file holds this many bytes and `compactRatio` × more lines than live docs. */
  compactMinBytes: number;
  compactRatio: number;
  report(level: 'error' | 'warn' | 'info', message: string): void;
}

/** A datafile too damaged to start on: the message says which and what to do (shown by `parley serve`). */
export class DamagedDatafileError extends DataDirError {}

/** A write that did not reach the disk; memory was put back as the disk has it. */
export class StorageWriteError extends Error {
  constructor(message: string, readonly code: string | undefined) {
    super(message);
  }
}

export class DurablePersistence implements NedbPersistence {
  private handle: AppendHandle | null = null;
  /** Bytes of the file known good: every append that succeeded, nothing of one that failed. */
  private size = 0;
  private lines = 0;
  /** A failed append left bytes after `size` that could not be cut off: the next append must not join them. */
  private dirtyTail = false;
  private nextCompactionCheck = 0;
  private compactionQueued = false;
  /** NeDB persists ensureIndex() at once, even before load(); the compaction that ends the load writes it. */
  private loaded = false;
  private readonly group: GroupSync;
  private readonly name: string;

  constructor(private readonly db: RawDatastore, private readonly file: string, private readonly o: PersistenceOptions) {
    this.name = path.basename(file);
    // The handle is read at sync time: a compaction may have swapped it since the append.
    this.group = new GroupSync(() => (this.handle ? this.handle.datasync() : Promise.resolve()));
  }

  /** Resolves once the writes made so far are durable under the durability setting. */
  durable(): Promise<void> {
    return this.o.durability === 'flush' ? this.group.durable() : Promise.resolve();
  }

  async persistNewStateAsync(newDocs: RawDoc[]): Promise<void> {
    if (newDocs.length === 0 || !this.loaded) return;
    let text = '';
    for (const d of newDocs) text += model.serialize(d) + '\n';
    const handle = await this.openHandle();
    if (this.dirtyTail) await this.cutTail(handle);
    const data = Buffer.from(this.dirtyTail ? '\n' + text : text, 'utf8');
    try {
      await handle.append(data);
    } catch (err) {
      await this.undoAppend(handle);
      const code = (err as NodeJS.ErrnoException).code;
      this.o.report('error', `${this.name}: a write could not be saved (${code ?? (err as Error).message}); it was refused and nothing changed.${code === 'ENOSPC' ? ' The disk is full: free some space.' : ''}`);
      throw new StorageWriteError(`${this.name}: the write could not be saved (${code ?? 'error'})`, code);
    }
    // After a partial line that could not be cut off, the file is longer than what we wrote: measure it.
    this.size = this.dirtyTail ? await handle.length() : this.size + data.length;
    this.lines += newDocs.length + (this.dirtyTail ? 1 : 0);
    this.dirtyTail = false;
    this.group.noteAppend();
    this.maybeCompact();
  }

  /** Compaction: the live documents to `<file>~`, synced, renamed over the file (NeDB's crash-safe order). */
  async persistCachedDatabaseAsync(): Promise<void> {
    const data = serializeCompacted(this.db.getAllData(), Object.values(this.db.indexes));
    const tmp = this.file + '~';
    await this.group.settle();
    try {
      await this.o.fileOps.writeSynced(tmp, data, 0o600);
      await this.o.fileOps.rename(tmp, this.file);
      await this.o.fileOps.syncDir(path.dirname(this.file));
    } catch (err) {
      await this.o.fileOps.unlink(tmp).catch(() => undefined);
      throw err;
    }
    // The old handle points at the replaced file; what was appended through it is in the new one, synced.
    const old = this.handle;
    this.handle = null;
    this.group.coverAll();
    await old?.close().catch(() => undefined);
    this.size = data.length;
    this.lines = countLines(data);
    this.dirtyTail = false;
    this.nextCompactionCheck = this.size * 2;
    this.db.emit('compaction.done');
  }

  async loadDatabaseAsync(): Promise<void> {
    this.db._resetIndexes();
    const fo = this.o.fileOps;
    // A crash between the rename steps of a compaction leaves only `<file>~` (NeDB's convention).
    if (!await fo.exists(this.file) && await fo.exists(this.file + '~')) await fo.rename(this.file + '~', this.file);
    const raw = await fo.read(this.file) ?? Buffer.alloc(0);
    const parsed = parseDatafile(raw);
    if (isBadlyDamaged(parsed)) {
      throw new DamagedDatafileError(`The datafile ${this.file} is badly damaged: ${parsed.damaged.length} of its ${parsed.lines} records cannot be read (${describeDamage(parsed.damaged, 5)}). ` +
        'Parley did not start, so nothing more is lost. Stop anything else using the data folder, then run "parley repair --data ' +
        `${path.dirname(this.file)}" to keep a copy of the file and go on with the records that can be read, or restore the folder from a backup.`);
    }
    if (parsed.damaged.length > 0) {
      const copy = await keepDamagedCopy((from, to) => fo.copy(from, to), this.file);
      this.o.report('warn', `${this.name}: ${parsed.damaged.length} damaged record${parsed.damaged.length === 1 ? '' : 's'} could not be read and ${parsed.damaged.length === 1 ? 'was' : 'were'} dropped (${describeDamage(parsed.damaged)}); ` +
        `the file as it was is kept in ${path.basename(copy)}. Parley goes on with the rest; if something is missing, that copy holds what was there.`);
    }
    if (parsed.tornTail) this.o.report('info', `${this.name}: the last write before Parley stopped was cut off (it had not been confirmed); it was dropped.`);
    for (const ix of parsed.indexes) this.db.indexes[ix.fieldName] = new NedbIndex(ix);
    try {
      this.db._resetIndexes(parsed.docs);
    } catch (err) {
      this.db._resetIndexes();
      throw err;
    }
    await this.persistCachedDatabaseAsync();
    this.loaded = true;
    this.db.executor.processBuffer();
  }

  dropDatabaseAsync(): Promise<void> {
    return Promise.reject(new Error('dropping a datafile is not supported'));
  }

  async close(): Promise<void> {
    await this.durable().catch(() => undefined);
    await this.handle?.close();
    this.handle = null;
  }

  private async openHandle(): Promise<AppendHandle> {
    this.handle ??= await this.o.fileOps.openAppend(this.file);
    return this.handle;
  }

  /**
   * A failed append: cut off what part of it was written, and put memory back as the file has it (NeDB changed
   * memory before it called us). The file is the truth; reading it again is slow but only happens on a failure.
   */
  private async undoAppend(handle: AppendHandle): Promise<void> {
    await this.cutTail(handle);
    const raw = await this.o.fileOps.read(this.file) ?? Buffer.alloc(0);
    const parsed = parseDatafile(raw.subarray(0, this.size));
    this.db._resetIndexes(parsed.docs);
  }

  private async cutTail(handle: AppendHandle): Promise<void> {
    try {
      await handle.truncate(this.size);
      this.dirtyTail = false;
    } catch {
      // The next append starts with a newline, so the partial line stays one damaged line of its own.
      this.dirtyTail = true;
    }
  }

  /** After an append: queue a compaction when superseded lines outweigh live documents (checked now and then). */
  private maybeCompact(): void {
    if (this.compactionQueued || this.size < this.o.compactMinBytes || this.size < this.nextCompactionCheck) return;
    this.nextCompactionCheck = this.size + Math.max(64 * 1024, this.size >> 3);
    if (this.lines <= this.o.compactRatio * this.db.getAllData().length) return;
    this.compactionQueued = true;
    // Through NeDB's queue: after the writes already queued, before later ones, never beside one.
    this.db.compactDatafileAsync().catch((err: unknown) => {
      this.o.report('warn', `${this.name}: background compaction failed (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the file stays as it was.`);
    }).finally(() => {
      this.compactionQueued = false;
    });
  }
}

function countLines(data: Buffer): number {
  let n = 0;
  for (const b of data) if (b === 10) n++;
  return n;
}
