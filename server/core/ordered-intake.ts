// In-order processing of one stream's top-level elements (RFC 6120 §10.1, CORE-55): while the handling of one
// element is asynchronous (a store read or write), later ones wait in a queue; once `max` wait, reading from the
// transport pauses until the queue has drained that far. Shared by client and server streams.

/** The stream that owns the intake: it handles elements and slows its peer down (no closures per stream). */
export interface IntakeOwner<T> {
  handleElement(item: T): void | Promise<void>;
  pauseInput(): void;
  resumeInput(): void;
}

export class OrderedIntake<T> {
  private queue: T[] | null = null;   // non-null while an asynchronous element is being handled

  constructor(private readonly owner: IntakeOwner<T>, private readonly max = 256) {}

  push(item: T): void {
    if (this.queue) {
      this.queue.push(item);
      if (this.queue.length === this.max) this.owner.pauseInput();
      return;
    }
    const r = this.owner.handleElement(item);
    if (r instanceof Promise) {
      this.queue = [];
      void r.then(() => this.drain());
    }
  }

  /** Forget what waits (the connection is gone). */
  clear(): void {
    this.queue = null;
  }

  private async drain(): Promise<void> {
    while (this.queue && this.queue.length > 0) {
      if (this.queue.length === this.max) this.owner.resumeInput();
      const next = this.queue.shift()!;
      const r = this.owner.handleElement(next);
      if (r instanceof Promise) await r;
    }
    this.queue = null;
  }
}
