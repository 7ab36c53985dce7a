// Accounts: one document per user, keyed by the normalised localpart. Passwords are kept only as SCRAM salted
// keys for SHA-1 and SHA-256 (CORE-25, DESIGN.md), so no file here can reveal one.
import { collection, DuplicateIdError, type DocumentCollection } from './backend.js';
import { defineStore } from './storage.js';
import { deriveScramCredential, type ScramCredential, type StoredCredentials } from '../core/sasl/index.js';

export interface AccountDoc {
  _id: string;              // normalised localpart
  scram: { 'SHA-1': ScramCredential; 'SHA-256': ScramCredential };
  createdAt: number;
  disabled?: boolean;
  admin?: boolean;
}

export interface AccountInfo { username: string; createdAt: number; disabled: boolean; admin: boolean }

export class AccountExistsError extends Error {}
export class NoSuchAccountError extends Error {}

export class AccountStore {
  constructor(private readonly col: DocumentCollection<AccountDoc>, private readonly iterations: number) {}

  async exists(username: string): Promise<boolean> {
    return (await this.col.get(username)) !== null;
  }

  async credentials(username: string): Promise<StoredCredentials | null> {
    const doc = await this.col.get(username);
    if (!doc) return null;
    return { 'SHA-1': doc.scram['SHA-1'], 'SHA-256': doc.scram['SHA-256'], disabled: doc.disabled === true };
  }

  async create(username: string, password: string, opts: { admin?: boolean } = {}): Promise<void> {
    const exists = (): AccountExistsError => new AccountExistsError(`The account "${username}" already exists.`);
    if (await this.exists(username)) throw exists();
    try {
      await this.col.insert({ _id: username, scram: this.derive(password), createdAt: Date.now(), admin: opts.admin === true });
    } catch (err) {
      if (err instanceof DuplicateIdError) throw exists();
      throw err;
    }
  }

  async setPassword(username: string, password: string): Promise<void> {
    if (!(await this.col.patch(username, { scram: this.derive(password) }))) throw new NoSuchAccountError(`There is no account "${username}".`);
  }

  /** The account exists, is enabled and is a server administrator. */
  async isAdmin(username: string): Promise<boolean> {
    const doc = await this.col.get(username);
    return doc !== null && doc.admin === true && doc.disabled !== true;
  }

  async setFlags(username: string, flags: { disabled?: boolean; admin?: boolean }): Promise<void> {
    const set: { disabled?: boolean; admin?: boolean } = {};
    if (flags.disabled !== undefined) set.disabled = flags.disabled;
    if (flags.admin !== undefined) set.admin = flags.admin;
    if (!(await this.col.patch(username, set))) throw new NoSuchAccountError(`There is no account "${username}".`);
  }

  async remove(username: string): Promise<void> {
    if (!(await this.col.remove(username))) throw new NoSuchAccountError(`There is no account "${username}".`);
  }

  async list(): Promise<AccountInfo[]> {
    const docs = await this.col.find({}, { sort: { field: '_id', order: 1 } });
    return docs.map((d) => ({ username: d._id, createdAt: d.createdAt, disabled: d.disabled === true, admin: d.admin === true }));
  }

  count(): Promise<number> {
    return this.col.count();
  }

  private derive(password: string): AccountDoc['scram'] {
    return {
      'SHA-1': deriveScramCredential('SHA-1', password, this.iterations),
      'SHA-256': deriveScramCredential('SHA-256', password, this.iterations),
    };
  }
}

/** The accounts (a core store: SASL and the admin read it through the account lifecycle, server/accounts/). */
export const accountStore = defineStore<AccountStore>({
  name: 'accounts',
  async open(backend, env) {
    return new AccountStore(await backend.collection(collection<AccountDoc>('accounts')), env.scramIterations);
  },
});
