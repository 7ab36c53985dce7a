// Bound client sessions by bare JID and resource: what the router delivers to.
import type { Jid } from './jid.js';
import type { Element } from './xml.js';

/** What the router needs of a bound session: BoundSession (bound-session.ts), whatever connection it writes to. */
export interface LocalSession {
  readonly jid: Jid;           // full JID once bound
  readonly id: string;         // server-wide unique, for logs and the admin console
  /**
   * Queue a stanza for the client. `written`, when given, is called once: true after the bytes were handed to the
   * OS socket, false if the stream ended (or was closing) first — offline delivery deletes only on true.
   */
  send(stanza: Element, written?: (ok: boolean) => void): void;
  // IM state (presence, priority, roster interest, directed presence) is kept by the IM modules themselves:
  // server/modules/resource-state.ts.
  /** Close with a stream error (e.g. 'conflict' when replaced, 'system-shutdown'). */
  closeWithError(condition: 'conflict' | 'system-shutdown' | 'not-authorized' | 'policy-violation' | 'reset', text?: string): void;
}

export class SessionRegistry {
  private readonly byBare = new Map<string, Map<string, LocalSession>>();
  private total = 0;

  add(s: LocalSession): void {
    const bare = s.jid.bareString();
    let m = this.byBare.get(bare);
    if (!m) {
      m = new Map();
      this.byBare.set(bare, m);
    }
    if (!m.has(s.jid.resource)) this.total++;
    m.set(s.jid.resource, s);
  }

  remove(s: LocalSession): boolean {
    const bare = s.jid.bareString();
    const m = this.byBare.get(bare);
    if (!m || m.get(s.jid.resource) !== s) return false;
    m.delete(s.jid.resource);
    this.total--;
    if (m.size === 0) this.byBare.delete(bare);
    return true;
  }

  get(full: Jid): LocalSession | undefined {
    return this.byBare.get(full.bareString())?.get(full.resource);
  }

  hasResource(bare: Jid, resource: string): boolean {
    return this.byBare.get(bare.bareString())?.has(resource) ?? false;
  }

  /** The sessions of one account (empty array if none). */
  ofAccount(bare: Jid): LocalSession[] {
    const m = this.byBare.get(bare.bareString());
    return m ? [...m.values()] : [];
  }

  countOf(bare: Jid): number {
    return this.byBare.get(bare.bareString())?.size ?? 0;
  }

  get size(): number {
    return this.total;
  }

  *all(): IterableIterator<LocalSession> {
    for (const m of this.byBare.values()) yield* m.values();
  }
}
