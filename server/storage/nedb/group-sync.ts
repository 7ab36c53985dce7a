// Group commit: writes to one datafile that wait for the disk share one fdatasync. A write appends (NeDB's queue
// moves on at once), then waits until a sync that started after its append has finished; while one sync runs, the
// writes arriving meanwhile gather for the next. So N concurrent writes cost about two syncs, not N.

interface SyncRun { readonly upTo: number; readonly done: Promise<void> }

export class GroupSync {
  private appended = 0;
  private synced = 0;
  private running: SyncRun | null = null;

  /** `sync` makes everything appended so far durable. */
  constructor(private readonly sync: () => Promise<void>) {}

  noteAppend(): void {
    this.appended++;
  }

  /** Everything appended so far is already durable by other means (a compaction rewrote and synced the file). */
  coverAll(): void {
    this.synced = this.appended;
  }

  /** Resolves once every append made before the call is on the disk; rejects if the sync covering it failed. */
  async durable(): Promise<void> {
    const want = this.appended;
    while (this.synced < want) {
      const run = this.running ?? this.start();
      try {
        await run.done;
      } catch (err) {
        // A failed sync may have dropped the dirty pages (Linux marks them clean): never report them durable.
        if (run.upTo >= want) throw err;
      }
    }
  }

  /** Wait for a running sync, whatever its outcome (before the file is swapped by a compaction). */
  async settle(): Promise<void> {
    await this.running?.done.catch(() => undefined);
  }

  private start(): SyncRun {
    const upTo = this.appended;
    const run: SyncRun = {
      upTo,
      done: this.sync().then(() => {
        if (upTo > this.synced) this.synced = upTo;
      }).finally(() => {
        if (this.running === run) this.running = null;
      }),
    };
    this.running = run;
    return run;
  }
}
