// The one enforcement engine behind XEP-0016 and XEP-0191: every account's lists held in memory, compiled, with
// the active list of each session and the default list of each account. Enforcement (enforcement.ts) asks it which
// list governs a stanza; both protocols change lists only through change(), which serialises an account's
// changes, writes them before anything else happens, and reports what changed so that pushes and presence follow.
import type { LocalSession } from '../../core/session-registry.js';
import type { Element } from '../../core/xml.js';
import type { Jid } from '../../core/jid.js';
import type { RosterStore } from '../../storage/roster.js';
import type { AccountLists, PrivacyStore } from './store.js';
import { CompiledList, STRANGER, type Rule, type RosterFacts } from './matcher.js';
import { blockedJids } from './blocklist.js';
import type { PrivacyList } from './model.js';

/** A list by name with its compiled form. Kept as the same object across edits, so active lists follow edits. */
export interface ListEntry {
  list: PrivacyList;
  compiled: CompiledList;
}

export class AccountPrivacy {
  readonly lists = new Map<string, ListEntry>();
  defaultEntry: ListEntry | null = null;
  /** Sessions with an active list; 0 means every resource follows the default list (a bare-JID stanza has one answer). */
  activeCount = 0;
  /** Kinds that some list of the account decides by the roster (group or subscription items). */
  rosterMask = 0;
  constructor(readonly user: string) {}
}

/** What one change decided: the account's lists to store (if they change) and the sender's active list (if it does). */
export interface Outcome {
  lists?: AccountLists;
  /** The sender's new active list name; null declines; absent: unchanged. */
  active?: string | null;
  /** Lists created, edited or removed: every connected resource gets a privacy list push for each (§2.6, PRIV-08). */
  pushNames: string[];
  /** An XEP-0191 unblock-all: its push is an empty <unblock/>. */
  unblockAll?: boolean;
}

/** What changed, for the effects (pushes, presence) that follow a change. */
export interface ChangeReport {
  user: string;
  pushNames: string[];
  /** The compiled list governing each session of the account before the change (null: none). */
  before: Map<LocalSession, CompiledList | null>;
  blockedBefore: string[];
  blockedAfter: string[];
  unblockAll: boolean;
}

export class PrivacyEngine {
  /** Only accounts that have lists: for everyone else a stanza costs one Map miss. */
  private readonly accounts = new Map<string, AccountPrivacy>();
  private readonly active = new WeakMap<LocalSession, ListEntry>();
  /** Stanzas the engine itself sends that the filter must let through (the unavailable a new block sends). */
  readonly passThrough = new WeakSet<Element>();
  private readonly locks = new Map<string, Promise<unknown>>();
  /** Run after every change, before the request that made it is answered. */
  onChange: (r: ChangeReport) => Promise<void> = async () => undefined;
  /** Asked before changed lists are stored; throws (a StanzaError) to refuse, nothing changed (the storage quota). */
  beforeStore: ((next: AccountLists, current: AccountLists) => Promise<void>) | null = null;

  constructor(
    private readonly store: PrivacyStore,
    private readonly roster: RosterStore,
    private readonly sessionsOf: (user: string) => LocalSession[],
  ) {}

  async load(): Promise<void> {
    for (const a of await this.store.all()) this.install(a);
  }

  // ---- reading (hot path) ---------------------------------------------------------------------------------------

  account(user: string): AccountPrivacy | undefined {
    return this.accounts.get(user);
  }

  activeOf(s: LocalSession): ListEntry | undefined {
    return this.active.get(s);
  }

  /** The one list that governs a session: its active list, else the account's default (XEP-0016 §2.2, PRIV-12). */
  governing(s: LocalSession | undefined, acc: AccountPrivacy): CompiledList | null {
    // An ended session keeps its entry (see sessionEnded), so the server's copies on its behalf follow its list.
    if (s !== undefined) {
      const a = this.active.get(s);
      if (a !== undefined) return a.compiled;
    }
    return acc.defaultEntry?.compiled ?? null;
  }

  /** The deciding rule for a stanza of `kind` between the account and `peer`, reading the roster only when needed. */
  verdict(user: string, list: CompiledList, peer: Jid, kind: number): Rule | null | Promise<Rule | null> {
    if (!list.needsRoster(kind)) return list.decide(peer, kind, null);
    return this.rosterFacts(user, peer.bareString()).then((f) => list.decide(peer, kind, f));
  }

  async rosterFacts(user: string, peerBare: string): Promise<RosterFacts> {
    const item = await this.roster.get(user, peerBare);
    return item && item.listed ? { subscription: item.subscription, groups: item.groups } : STRANGER;
  }

  /** The account's lists as plain data (what a change starts from). */
  snapshot(user: string): AccountLists {
    const acc = this.accounts.get(user);
    if (!acc) return { user, lists: [], defaultName: null };
    return { user, lists: [...acc.lists.values()].map((e) => e.list), defaultName: acc.defaultEntry?.list.name ?? null };
  }

  // ---- changing -------------------------------------------------------------------------------------------------

  /**
   * Change an account's lists or a session's active list. `decide` sees the current lists and returns the outcome,
   * or throws a StanzaError and nothing changes. Stored lists are on disk before memory changes; then the effects
   * (pushes, presence) run; then this resolves and the request is answered (XEP-0016 §2.4: applied first).
   */
  change(user: string, sender: LocalSession | null, decide: (current: AccountLists) => Outcome): Promise<void> {
    const prev = this.locks.get(user) ?? Promise.resolve();
    const run = prev.then(() => this.changeNow(user, sender, decide));
    const tail = run.catch(() => undefined);
    this.locks.set(user, tail);
    void tail.then(() => {
      if (this.locks.get(user) === tail) this.locks.delete(user);
    });
    return run;
  }

  private async changeNow(user: string, sender: LocalSession | null, decide: (current: AccountLists) => Outcome): Promise<void> {
    const current = this.snapshot(user);
    const out = decide(current);
    const sessions = this.sessionsOf(user);
    const acc0 = this.accounts.get(user);
    const before = new Map<LocalSession, CompiledList | null>();
    for (const s of sessions) before.set(s, acc0 ? this.governing(s, acc0) : null);
    const blockedBefore = blockedJids(current);
    if (out.lists) {
      await this.beforeStore?.(out.lists, current);
      await this.store.put(out.lists);
      this.install(out.lists);
    }
    const acc = this.accounts.get(user);
    if (out.active !== undefined && sender) {
      const entry = out.active === null ? undefined : acc?.lists.get(out.active);
      if (entry) this.active.set(sender, entry);
      else this.active.delete(sender);
    }
    this.recount(user);
    await this.onChange({ user, pushNames: out.pushNames, before, blockedBefore, blockedAfter: blockedJids(this.snapshot(user)), unblockAll: out.unblockAll === true });
  }

  /** A session ended: its active list goes with it. */
  /**
   * The session left the registry: it no longer counts as a resource with an active list. Its entry stays (the
   * WeakMap lets it go with the session) because the unavailable broadcast made on its behalf is routed after this
   * and must follow the same list (StanzaEvent.onBehalfOf): a contact it hid from must not see it leave.
   */
  sessionEnded(s: LocalSession): void {
    if (!this.active.has(s)) return;
    this.recount(s.jid.local);
  }

  /** Account removed: forget its lists (the store drops them through its own removal handler). */
  forget(user: string): void {
    for (const s of this.sessionsOf(user)) this.active.delete(s);
    this.accounts.delete(user);
  }

  private recount(user: string): void {
    const acc = this.accounts.get(user);
    if (!acc) return;
    let n = 0;
    for (const s of this.sessionsOf(user)) if (this.active.has(s)) n++;
    acc.activeCount = n;
  }

  /** Put stored lists in memory, compiling what changed; entries keep their identity so active lists follow edits. */
  private install(a: AccountLists): void {
    const old = this.accounts.get(a.user);
    if (a.lists.length === 0) {
      if (old) for (const s of this.sessionsOf(a.user)) this.active.delete(s);
      this.accounts.delete(a.user);
      return;
    }
    const acc = new AccountPrivacy(a.user);
    for (const list of a.lists) {
      let entry = old?.lists.get(list.name);
      if (!entry) entry = { list, compiled: new CompiledList(list) };
      else if (entry.list !== list) {
        entry.list = list;
        entry.compiled = new CompiledList(list);
      }
      acc.lists.set(list.name, entry);
      acc.rosterMask |= entry.compiled.rosterMask;
    }
    acc.defaultEntry = a.defaultName !== null ? acc.lists.get(a.defaultName) ?? null : null;
    if (old) {
      for (const s of this.sessionsOf(a.user)) {
        const e = this.active.get(s);
        if (e && acc.lists.get(e.list.name) !== e) this.active.delete(s);
      }
    }
    this.accounts.set(a.user, acc);
  }
}
