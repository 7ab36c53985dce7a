// Invitations (XEP-0401 account invitations, redeemed with XEP-0445 pre-authenticated registration or the web
// sign-up page): one document per token. A token is 128 random bits in base64url; it allows a number of accounts
// until it expires or is revoked, and may reserve the name of the one account it creates.
import { randomBytes } from 'node:crypto';
import { collection, type DocumentCollection } from './backend.js';
import { defineStore } from './storage.js';

export interface InviteDoc {
  _id: string;              // the token
  createdAt: number;        // ms since the epoch
  expiresAt: number;        // ms since the epoch
  maxUses: number;
  uses: number;
  /** Normalised localpart of the administrator who made it; '' when made by the server owner (desktop window). */
  createdBy: string;
  /** Normalised localpart reserved for the one account this invitation creates (XEP-0401 §5), or null. */
  username: string | null;
  revoked: boolean;
  /** Localparts of the accounts created with it, in order. */
  accounts: string[];
}

export type InviteState = 'valid' | 'expired' | 'used' | 'revoked';

/** 16 random bytes: 128 bits, 22 characters of base64url. */
export const TOKEN_BYTES = 16;
/** What a token looks like in a URL (generous, so that shorter or longer ones from elsewhere are only "unknown"). */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export function newInviteToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** Why an invitation can or cannot be used now; revoked beats used beats expired. */
export function inviteState(doc: InviteDoc, now = Date.now()): InviteState {
  if (doc.revoked) return 'revoked';
  if (doc.uses >= doc.maxUses) return 'used';
  if (now >= doc.expiresAt) return 'expired';
  return 'valid';
}

export class InviteStore {
  /** Read-modify-write sequences per token, one at a time (one process writes a data dir: see data-dir-lock.ts). */
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(private readonly col: DocumentCollection<InviteDoc>) {}

  private serial<T>(token: string, job: () => Promise<T>): Promise<T> {
    const next = (this.chains.get(token) ?? Promise.resolve()).then(job, job);
    const tail = next.catch(() => undefined);
    this.chains.set(token, tail);
    void tail.then(() => {
      if (this.chains.get(token) === tail) this.chains.delete(token);
    });
    return next;
  }

  async create(o: { maxUses: number; expiresAt: number; createdBy: string; username: string | null; now?: number }): Promise<InviteDoc> {
    const doc: InviteDoc = {
      _id: newInviteToken(),
      createdAt: o.now ?? Date.now(),
      expiresAt: o.expiresAt,
      maxUses: o.maxUses,
      uses: 0,
      createdBy: o.createdBy,
      username: o.username,
      revoked: false,
      accounts: [],
    };
    await this.col.insert(doc);
    return doc;
  }

  get(token: string): Promise<InviteDoc | null> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return Promise.resolve(null);
    return this.col.get(token);
  }

  /** Newest first. */
  list(): Promise<InviteDoc[]> {
    return this.col.find({}, { sort: { field: 'createdAt', order: -1 } });
  }

  /** Revoke: the token stops working at once. False when there is no such token. */
  async revoke(token: string): Promise<boolean> {
    return this.col.patch(token, { revoked: true });
  }

  /**
   * Take one use of the token for an account about to be created. Fails (null, with the reason) when the token is
   * unknown, revoked, used up or — unless `ignoreExpiry` (XEP-0445 §4: expiry is checked only when the token is
   * presented) — expired. A backend applies one collection's operations in order, so the compare-and-set on `uses` makes two
   * simultaneous sign-ups with a single-use token take it once. Give the use back with release() if the account
   * cannot be created after all.
   */
  async claim(token: string, opts: { ignoreExpiry?: boolean; now?: number } = {}): Promise<{ doc: InviteDoc } | { reason: Exclude<InviteState, 'valid'> | 'unknown' }> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.get(token);
      if (!doc) return { reason: 'unknown' };
      const state = inviteState(doc, opts.ignoreExpiry ? -Infinity : opts.now);
      if (state !== 'valid') return { reason: state };
      if (await this.col.patch(token, { uses: doc.uses + 1 }, { uses: doc.uses, revoked: false })) return { doc: { ...doc, uses: doc.uses + 1 } };
    }
    return { reason: 'used' };
  }

  /** Give back a use taken by claim() whose account was not created. */
  async release(token: string): Promise<void> {
    // Compare-and-set, as claim() does: a claim in between makes this read again.
    for (let attempt = 0; attempt < 10; attempt++) {
      const doc = await this.col.get(token);
      if (!doc || doc.uses <= 0) return;
      if (await this.col.patch(token, { uses: doc.uses - 1 }, { uses: doc.uses })) return;
    }
  }

  /** Remember which account a claimed use created (one note of a token at a time: `accounts` is read, then written). */
  async noteAccount(token: string, username: string): Promise<void> {
    await this.serial(token, async () => {
      const doc = await this.col.get(token);
      if (doc) await this.col.patch(token, { accounts: [...doc.accounts, username] });
    });
  }

  /**
   * The live invitation that reserves `username` (not revoked, not used up, not expired), other than `exceptToken`;
   * null when the name is free. XEP-0401 §6: a reserved name is kept at least until its invitation expires.
   */
  async reservation(username: string, exceptToken?: string, now = Date.now()): Promise<InviteDoc | null> {
    const docs = await this.col.find({ username });
    return docs.find((d) => d._id !== exceptToken && inviteState(d, now) === 'valid') ?? null;
  }
}

/** Invitations: opened by the account lifecycle (redemption), the admin's invitation pages and the register module. */
export const inviteStore = defineStore<InviteStore>({
  name: 'invites',
  async open(backend) {
    return new InviteStore(await backend.collection(collection<InviteDoc>('invites', ['username'])));
  },
});
