// One account lifecycle (DESIGN.md "The seams"): the only code that creates, re-keys and removes accounts, used by
// in-band registration (modules/register.ts), invitations (web sign-up and XEP-0445 pre-authenticated in-band
// registration), the console and Electron IPC, and the CLI (all three through AdminService), with a server running
// or, for the CLI, without one (open-offline.ts).
//
// Removal (XEP-0077 §3.2, SVC-15): the account record goes first (no new logins), then the `account-removed`
// event runs — live handlers first (the roster module cancels the user's subscriptions as RFC 6121 §3.2–3.3 say:
// contacts get `unavailable`, `unsubscribed` and `unsubscribe` and roster pushes), then every opened store drops
// the user's data (roster, vCard, private XML, offline messages, last activity, and whatever stores later modules
// open) — and last the account's sessions are closed with <not-authorized/>.
import { makeJid } from '../core/jid.js';
import type { Logger } from '../core/log.js';
import type { SessionRegistry } from '../core/session-registry.js';
import type { StoredCredentials } from '../core/sasl/index.js';
import { accountStore, AccountExistsError, NoSuchAccountError, type AccountInfo, type AccountStore } from '../storage/accounts.js';
import { inviteStore, type InviteState, type InviteStore } from '../storage/invites.js';
import type { AccountRemovedHandler, Storage } from '../storage/storage.js';
import type { AccountEvents } from './account-events.js';
import { parseUsername, UsernameError } from './username.js';
import { passwordProblem, PasswordRejectedError } from './password-policy.js';

export { AccountExistsError, NoSuchAccountError } from '../storage/accounts.js';

/** Why an invitation did not create an account. */
export type InviteRefusal = Exclude<InviteState, 'valid'> | 'unknown' | 'taken';

export class InviteRefusedError extends Error {
  constructor(readonly reason: InviteRefusal) {
    super(`the invitation cannot be used (${reason})`);
  }
}

export interface AccountServiceOptions {
  domain: string;
  /** Live sessions, closed when their account is removed; null with no server running (the offline CLI). */
  sessions: SessionRegistry | null;
  log: Logger | null;
}

export interface RemoveOptions {
  /** Runs after the data is gone and before the sessions are closed (the iq result of XEP-0077 §3.2). */
  beforeDisconnect?: () => void;
  /** The text of the sessions' <not-authorized/> stream error. */
  reason?: string;
  /** Run the removal event even when the account record is already gone (a removal racing another). */
  evenIfMissing?: boolean;
}

export class AccountService {
  private constructor(
    private readonly store: AccountStore,
    /** Invitations, as the lifecycle redeems them (also for AdminService's invitation pages). */
    readonly invites: InviteStore,
    private readonly events: AccountEvents,
    private readonly o: AccountServiceOptions,
  ) {}

  static async open(storage: Storage, events: AccountEvents, o: AccountServiceOptions): Promise<AccountService> {
    return new AccountService(await storage.open(accountStore), await storage.open(inviteStore), events, o);
  }

  get domain(): string {
    return this.o.domain;
  }

  // ---- reading (SASL, the admin) --------------------------------------------------------------------------------

  exists(username: string): Promise<boolean> {
    return this.store.exists(username);
  }

  credentials(username: string): Promise<StoredCredentials | null> {
    return this.store.credentials(username);
  }

  list(): Promise<AccountInfo[]> {
    return this.store.list();
  }

  count(): Promise<number> {
    return this.store.count();
  }

  /** A server administrator (group chat: who may create rooms when only admins may; rooms' service admins). */
  isAdmin(username: string): Promise<boolean> {
    return this.store.isAdmin(username);
  }

  setFlags(username: string, flags: { disabled?: boolean; admin?: boolean }): Promise<void> {
    return this.store.setFlags(username, flags);
  }

  /** Whether a new account may take `username`: no account has it and no live invitation other than `token` reserves it. */
  async nameAvailable(username: string, token?: string): Promise<boolean> {
    return !(await this.store.exists(username)) && (await this.invites.reservation(username, token)) === null;
  }

  // ---- the lifecycle --------------------------------------------------------------------------------------------

  /**
   * Create an account. `username` is parsed (PRECIS, the one parser) and the password checked against the one
   * policy: UsernameError, PasswordRejectedError, AccountExistsError.
   */
  async create(username: string, password: string, opts: { admin?: boolean } = {}): Promise<void> {
    const local = parseUsername(username);
    const problem = passwordProblem(password);
    if (problem) throw new PasswordRejectedError(problem);
    await this.store.create(local, password, opts);
    this.o.log?.info('accounts', `created ${this.jid(local)}${opts.admin ? ' (administrator)' : ''}`);
  }

  /** Re-key an account (new SCRAM credentials): PasswordRejectedError, NoSuchAccountError. */
  async setPassword(username: string, password: string): Promise<void> {
    const problem = passwordProblem(password);
    if (problem) throw new PasswordRejectedError(problem);
    await this.store.setPassword(username, password);
    this.o.log?.info('accounts', `${this.jid(username)} has a new password`);
  }

  /**
   * Create the account `username` with one use of the invitation `token` (XEP-0401, XEP-0445): the name must be
   * free (not reserved by another live invitation), the use is taken, the account created — or the use given back
   * if it cannot be — and noted on the invitation. InviteRefusedError says why not; `ignoreExpiry`: XEP-0445 §4
   * checks expiry when the token is presented, not now.
   */
  async redeemInvite(token: string, username: string, password: string, opts: { ignoreExpiry?: boolean } = {}): Promise<void> {
    const local = parseUsername(username);
    const problem = passwordProblem(password);
    if (problem) throw new PasswordRejectedError(problem);
    if (!(await this.nameAvailable(local, token))) throw new InviteRefusedError('taken');
    const claim = await this.invites.claim(token, { ignoreExpiry: opts.ignoreExpiry });
    if ('reason' in claim) throw new InviteRefusedError(claim.reason);
    try {
      await this.store.create(local, password);
    } catch (err) {
      await this.invites.release(token);
      if (err instanceof AccountExistsError) throw new InviteRefusedError('taken');
      throw err;
    }
    await this.invites.noteAccount(token, local);
    this.o.log?.info('accounts', `created ${this.jid(local)} with an invitation`);
  }

  /**
   * Remove an account and everything kept for it (see the header): NoSuchAccountError unless `evenIfMissing`.
   * Resolves with the number of sessions closed.
   */
  async remove(username: string, opts: RemoveOptions = {}): Promise<{ closedSessions: number }> {
    try {
      await this.store.remove(username);
    } catch (err) {
      if (!(err instanceof NoSuchAccountError) || !opts.evenIfMissing) throw err;
    }
    let failure: unknown = null;
    try {
      await this.events.fireRemoved(username);
      this.o.log?.info('accounts', `removed ${this.jid(username)} and its data`);
      opts.beforeDisconnect?.();
    } catch (err) {
      // The account is gone whatever a store could not drop: its sessions are closed all the same.
      failure = err;
      this.o.log?.error('accounts', `removed ${this.jid(username)}, but not all of its data: ${err instanceof Error ? err.message : String(err)}`);
    }
    const sessions = this.o.sessions?.ofAccount(makeJid(username, this.o.domain)) ?? [];
    for (const s of sessions) s.closeWithError('not-authorized', opts.reason ?? 'This account has been removed.');
    if (failure !== null) throw failure;
    return { closedSessions: sessions.length };
  }

  /**
   * Register a handler of the `account-removed` event (see account-events.ts): modules with per-user state that is
   * not in a store opened through ctx.storage (stores register themselves), or that must act live first.
   */
  onAccountRemoved(name: string, handler: AccountRemovedHandler, priority = 0): () => void {
    return this.events.onAccountRemoved(name, handler, priority);
  }

  private jid(local: string): string {
    return makeJid(local, this.o.domain).bareString();
  }
}

export { UsernameError };
