// In-order processing of one stream's top-level elements (RFC 6120 §10.1, CORE-55): while the handling of one
// element is asynchronous (a store read or write), later ones wait in a queue; once `max` wait, reading from the
// transport pauses until the queue has drained below it. The stream can also hold the queue (its output is backed
// up: a peer that does not read gets nothing more answered until it does). Shared by client and server streams.
//
// A handler that rejects is reported to the owner (which answers and logs) and the next element is handled: a
// rejection is never left unhandled, since one would take the whole process down.

/** The stream that owns the intake: it handles elements and slows its peer down (no closures per stream). */
export interface IntakeOwner<T> {
  handleElement(item: T): void | Promise<void>;
  /** `handleElement(item)` threw or rejected with `err`; the intake goes on with the next element. */
  elementFailed(item: T, err: unknown): void;
  pauseInput(): void;
  resumeInput(): void;
}

export class OrderedIntake<T> {
  private queue: T[] = [];
  /** An asynchronous element is being handled. */
  private running = false;
  private held = false;
  /** We paused the owner's input because `max` elements were waiting. */
  private pausedInput = false;

  constructor(private readonly owner: IntakeOwner<T>, private readonly max = 256) {}

  push(item: T): void {
    if (this.running || this.held || this.queue.length > 0) {
      this.queue.push(item);
      if (this.queue.length >= this.max && !this.pausedInput) {
        this.pausedInput = true;
        this.owner.pauseInput();
      }
      return;
    }
    this.run(item);
  }

  get isHeld(): boolean {
    return this.held;
  }

  /** Handle nothing more until release() (elements pushed meanwhile wait, in order). */
  hold(): void {
    this.held = true;
  }

  release(): void {
    if (!this.held) return;
    this.held = false;
    this.drain();
  }

  /** Forget what waits (the connection is gone). */
  clear(): void {
    this.queue = [];
    this.held = false;
    this.pausedInput = false;
  }

  /** Handle one element; true when it went asynchronous (the drain continues when it settles). */
  private run(item: T): boolean {
    let r: void | Promise<void>;
    try {
      r = this.owner.handleElement(item);
    } catch (err) {
      this.owner.elementFailed(item, err);
      return false;
    }
    if (!(r instanceof Promise)) return false;
    this.running = true;
    r.then(() => this.settled(), (err: unknown) => {
      this.owner.elementFailed(item, err);
      this.settled();
    });
    return true;
  }

  private settled(): void {
    this.running = false;
    this.drain();
  }

  private drain(): void {
    while (!this.running && !this.held && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (this.pausedInput && this.queue.length < this.max) {
        this.pausedInput = false;
        this.owner.resumeInput();
      }
      this.run(next);
    }
  }
}
