// The account lifecycle's event: `account-removed`. Every store that keeps per-user data registers a purge when
// it is opened (StoreDef.removeUser, priority PURGE_PRIORITY = 0); modules register what must happen live first
// (e.g. the roster module cancels the user's subscriptions with stanzas and roster pushes, priority 100).
// Handlers run one after another, highest priority first, in registration order within a priority.
import type { AccountRemovedEvent, AccountRemovedHandler } from '../storage/storage.js';

interface Entry { name: string; handler: AccountRemovedHandler; priority: number; seq: number }

export class AccountEvents implements AccountRemovedEvent {
  private entries: Entry[] = [];
  private seq = 0;

  /** Register a handler of `account-removed`; returns a function that unregisters it. */
  onAccountRemoved(name: string, handler: AccountRemovedHandler, priority = 0): () => void {
    const e: Entry = { name, handler, priority, seq: this.seq++ };
    this.entries = [...this.entries, e].sort((a, b) => b.priority - a.priority || a.seq - b.seq);
    return () => {
      this.entries = this.entries.filter((x) => x !== e);
    };
  }

  /** Handler names in the order they run (for tests and the log). */
  handlerNames(): string[] {
    return this.entries.map((e) => e.name);
  }

  /**
   * Fire `account-removed` for `user`: every handler runs, even when one before it failed (the others' data must
   * still go); the first failure is rethrown at the end, naming its handler.
   */
  async fireRemoved(user: string): Promise<void> {
    let failure: Error | null = null;
    for (const e of this.entries) {
      try {
        await e.handler(user);
      } catch (err) {
        failure ??= new Error(`account-removed handler "${e.name}" failed for ${user}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (failure) throw failure;
  }
}
