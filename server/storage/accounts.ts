// Accounts: one document per user, keyed by the normalised localpart. Passwords are kept only as SCRAM salted
// keys for SHA-1 and SHA-256 (CORE-25, DESIGN.md), so no file here can reveal one.
import { Collection } from './collection.js';
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
  private constructor(private readonly col: Collection<AccountDoc>, private readonly iterations: number) {}

  static async open(dataDir: string | null, iterations = 4096): Promise<AccountStore> {
    return new AccountStore(await Collection.open<AccountDoc>(dataDir, 'accounts'), iterations);
  }

  async exists(username: string): Promise<boolean> {
    return (await this.col.findOne({ _id: username })) !== null;
  }

  async credentials(username: string): Promise<StoredCredentials | null> {
    const doc = await this.col.findOne({ _id: username });
    if (!doc) return null;
    return { 'SHA-1': doc.scram['SHA-1'], 'SHA-256': doc.scram['SHA-256'], disabled: doc.disabled === true };
  }

  async create(username: string, password: string, opts: { admin?: boolean } = {}): Promise<void> {
    if (await this.exists(username)) throw new AccountExistsError(`The account "${username}" already exists.`);
    await this.col.insert({ _id: username, scram: this.derive(password), createdAt: Date.now(), admin: opts.admin === true });
  }

  async setPassword(username: string, password: string): Promise<void> {
    const n = await this.col.update({ _id: username }, { $set: { scram: this.derive(password) } });
    if (n === 0) throw new NoSuchAccountError(`There is no account "${username}".`);
  }

  async setFlags(username: string, flags: { disabled?: boolean; admin?: boolean }): Promise<void> {
    const n = await this.col.update({ _id: username }, { $set: flags });
    if (n === 0) throw new NoSuchAccountError(`There is no account "${username}".`);
  }

  async remove(username: string): Promise<void> {
    const n = await this.col.remove({ _id: username });
    if (n === 0) throw new NoSuchAccountError(`There is no account "${username}".`);
  }

  async list(): Promise<AccountInfo[]> {
    const docs = await this.col.find({}, { _id: 1 });
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
