// Work the server started on its own that must be done before it stops: e.g. the unavailable presence the presence
// module sends for each session a shutdown closes (it reads the roster first), which must reach other servers
// (rooms there) before federation stops. Modules track such promises; ParleyServer.stop() waits for them, bounded.
export class PendingWork {
  private readonly running = new Set<Promise<unknown>>();

  /** Keep `work` until it settles; returns it. */
  track<T>(work: Promise<T>): Promise<T> {
    const p = work.finally(() => this.running.delete(p));
    this.running.add(p);
    p.catch(() => undefined);
    return work;
  }

  /** Wait until everything tracked (and whatever that started meanwhile) has settled, or `ms` have passed. */
  async settle(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.running.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, deadline - Date.now()); });
      await Promise.race([Promise.allSettled([...this.running]), timeout]);
      clearTimeout(timer);
    }
  }
}
