// In-order processing of one stream's top-level elements (RFC 6120 §10.1, CORE-55): while the handling of one
// element is asynchronous (a store read or write), later ones wait in a queue; once `max` wait, reading from the
// socket pauses until the queue has drained that far. Shared by client and server streams.

/** How the intake slows the peer down: the stream's current socket (it changes when TLS starts). */
export interface ReadFlow { pause(): void; resume(): void }

export class OrderedIntake<T> {
  private queue: T[] | null = null;   // non-null while an asynchronous element is being handled

  constructor(private readonly handle: (item: T) => void | Promise<void>, private readonly flow: ReadFlow, private readonly max = 256) {}

  push(item: T): void {
    if (this.queue) {
      this.queue.push(item);
      if (this.queue.length === this.max) this.flow.pause();
      return;
    }
    const r = this.handle(item);
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
      if (this.queue.length === this.max) this.flow.resume();
      const next = this.queue.shift()!;
      const r = this.handle(next);
      if (r instanceof Promise) await r;
    }
    this.queue = null;
  }
}
