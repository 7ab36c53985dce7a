// A FileOps (server/storage/nedb/file-ops.ts) over the real one that a test can watch and break: it records each
// fdatasync per file, can hold them until released (to see that a write waits for its sync), and can make appends
// fail with an errno (ENOSPC: a full disk) after writing part of the data, as a real short write does.
import path from 'node:path';
import { nodeFileOps, type AppendHandle, type FileOps } from '../../server/storage/nedb/file-ops.js';

export class FaultFs {
  /** Base names of the files synced, one entry per fdatasync. */
  readonly syncs: string[] = [];
  /** Appends that reached the file system (whole or not). */
  appends = 0;
  /** When set, appends write half their data and then fail with this code; whole-file writes fail too. */
  failAppends: string | null = null;
  /** When set, truncate fails with this code too (the partial line cannot be cut off). */
  failTruncate: string | null = null;
  private held: Promise<void> | null = null;
  private release: (() => void) | null = null;
  private syncWaiters: (() => void)[] = [];
  private appendWaiters: { n: number; resolve: () => void }[] = [];

  /** Whole files written (compactions: the one at load and those in the background). */
  rewrites = 0;

  readonly ops: FileOps = {
    ...nodeFileOps,
    writeSynced: async (file, data, mode) => {
      this.rewrites++;
      if (this.failAppends) throw Object.assign(new Error(`${this.failAppends}: injected`), { code: this.failAppends });
      await nodeFileOps.writeSynced(file, data, mode);
    },
    openAppend: async (file) => this.wrap(file, await nodeFileOps.openAppend(file)),
  };

  /** Syncs from now on wait until release(). */
  hold(): void {
    this.held = new Promise((r) => { this.release = r; });
  }

  releaseSyncs(): void {
    this.release?.();
    this.held = null;
  }

  /** Resolves when the next fdatasync starts. */
  nextSync(): Promise<void> {
    return new Promise((r) => this.syncWaiters.push(r));
  }

  /** Resolves once `n` appends have been made in all. */
  appended(n: number): Promise<void> {
    return this.appends >= n ? Promise.resolve() : new Promise((resolve) => this.appendWaiters.push({ n, resolve }));
  }

  private wrap(file: string, h: AppendHandle): AppendHandle {
    const name = path.basename(file);
    return {
      append: async (data) => {
        this.appends++;
        if (this.failAppends) {
          await h.append(data.subarray(0, data.length >> 1));
          throw Object.assign(new Error(`${this.failAppends}: injected`), { code: this.failAppends });
        }
        await h.append(data);
        for (const w of this.appendWaiters.filter((x) => x.n <= this.appends)) {
          this.appendWaiters.splice(this.appendWaiters.indexOf(w), 1);
          w.resolve();
        }
      },
      datasync: async () => {
        this.syncs.push(name);
        for (const w of this.syncWaiters.splice(0)) w();
        if (this.held) await this.held;
        await h.datasync();
      },
      truncate: async (len) => {
        if (this.failTruncate) throw Object.assign(new Error(`${this.failTruncate}: injected`), { code: this.failTruncate });
        await h.truncate(len);
      },
      length: () => h.length(),
      close: () => h.close(),
    };
  }
}
