// Group commit for archives: whoever archives a message only queues it; one write at a time takes everything queued
// so far (up to `maxBatch`), so a burst of N messages costs a few writes and syncs, not N, and the sender's path
// (a room's fan-out, a delivery) never waits on the disk. Generic: the items and the write are the caller's.
export class GroupCommit<T> {
  private queue: T[] = [];
  private running: Promise<void> | null = null;
  private scheduled = false;

  /**
   * `write` stores one batch, in queue order; it reports its own failures (a rejection is only logged by the
   * caller's `onError`), and the next batch goes on.
   */
  constructor(private readonly write: (batch: T[]) => Promise<void>, private readonly onError: (err: unknown) => void, private readonly maxBatch = 1000) {}

  /** Queue one item: written with the others queued in this turn of the event loop, or after the write under way. */
  add(item: T): void {
    this.queue.push(item);
    if (this.running || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (!this.running && this.queue.length > 0) void this.start();
    });
  }

  /** Forget queued items (not yet handed to `write`) that match. */
  drop(pred: (item: T) => boolean): void {
    this.queue = this.queue.filter((x) => !pred(x));
  }

  /** Resolves once everything queued before the call has been written (or failed). */
  async flush(): Promise<void> {
    while (this.running || this.queue.length > 0) await (this.running ?? this.start());
  }

  private start(): Promise<void> {
    const batch = this.queue.splice(0, this.maxBatch);
    const run = this.write(batch).catch(this.onError).finally(() => {
      this.running = null;
      if (this.queue.length > 0) void this.start();
    });
    this.running = run;
    return run;
  }
}
