// Open stores (DESIGN.md "The seams"): a store is a definition — a name, how to open it on a backend, and what it
// drops when an account is removed — and whoever needs it opens it with `ctx.storage.open(def)`, which opens it
// once and hands everyone the same instance. There is no central list of stores: a new feature exports its
// definition and opens it from its module's load().
import type { Durability, StorageBackend } from './backend.js';
import { NedbBackend } from './nedb/backend.js';
import { prepareDataDir } from './schema.js';

/** What store definitions may read of the server's settings when they open. */
export interface StoreEnv {
  /** The served domain (normalised): tells local JIDs from remote ones. */
  readonly domain: string;
  /** PBKDF2 iterations for new SCRAM credentials (accounts). */
  readonly scramIterations: number;
}

export interface StoreDef<S> {
  /** Unique among definitions (log messages, the removal event's handler name). */
  readonly name: string;
  open(backend: StorageBackend, env: StoreEnv): Promise<S>;
  /**
   * Account removal (the `account-removed` event): drop everything kept for the user. Registered when the store is
   * opened, so every opened store honours a removal, also with no server running (the offline CLI opens the stores
   * of every module; see server/accounts/open-offline.ts).
   */
  removeUser?(store: S, user: string): Promise<void>;
  /**
   * Bytes kept for `user`, counted by the per-user storage quota (userStorageQuotaBytes; modules/storage-quota.ts).
   * A store that keeps a user's data opts in with this one line, e.g. `sizeOf: (store, user) => store.size(user)`.
   */
  sizeOf?(store: S, user: string): Promise<number>;
}

export function defineStore<S>(def: StoreDef<S>): StoreDef<S> {
  return def;
}

/** A handler of the account-removed event; see server/accounts/account-events.ts. */
export type AccountRemovedHandler = (user: string) => Promise<void>;

/** Where stores register their removal handlers (the account lifecycle's event). */
export interface AccountRemovedEvent {
  onAccountRemoved(name: string, handler: AccountRemovedHandler, priority?: number): () => void;
}

/** Priority of store purges in the account-removed event: after live handlers (e.g. subscription cancellation). */
export const PURGE_PRIORITY = 0;

export class Storage {
  private readonly opening = new Map<StoreDef<unknown>, Promise<unknown>>();
  private readonly opened = new Map<StoreDef<unknown>, unknown>();
  /** The opened stores that count toward the per-user quota. */
  private readonly sized: ((user: string) => Promise<number>)[] = [];

  constructor(readonly backend: StorageBackend, private readonly env: StoreEnv, private readonly removal: AccountRemovedEvent) {}

  /** The one instance of this store, opened on first use. */
  open<S>(def: StoreDef<S>): Promise<S> {
    let p = this.opening.get(def as StoreDef<unknown>) as Promise<S> | undefined;
    if (!p) {
      p = def.open(this.backend, this.env).then((store) => {
        this.opened.set(def as StoreDef<unknown>, store);
        const removeUser = def.removeUser;
        if (removeUser) this.removal.onAccountRemoved(def.name, (user) => removeUser.call(def, store, user), PURGE_PRIORITY);
        const sizeOf = def.sizeOf;
        if (sizeOf) this.sized.push((user) => sizeOf.call(def, store, user));
        return store;
      });
      // A failed open may be tried again.
      p.catch(() => this.opening.delete(def as StoreDef<unknown>));
      this.opening.set(def as StoreDef<unknown>, p);
    }
    return p;
  }

  /** A store already opened (with open(), e.g. in a module's load); for hot paths that must not await. */
  get<S>(def: StoreDef<S>): S {
    if (!this.opened.has(def as StoreDef<unknown>)) throw new Error(`the store "${def.name}" was not opened; open it in the module's load()`);
    return this.opened.get(def as StoreDef<unknown>) as S;
  }

  /** Bytes kept for `user` in every opened store that counts toward the quota (StoreDef.sizeOf). */
  async usedBytes(user: string): Promise<number> {
    let total = 0;
    for (const size of this.sized) total += await size(user);
    return total;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}

/** What a backend is told besides its data dir. */
export interface BackendOptions {
  /** The `durability` setting (see backend.ts). */
  readonly durability: Durability;
  /** Messages for the server's log (damaged records dropped at load, failed writes). */
  report(level: 'error' | 'warn' | 'info', message: string): void;
}

/** Makes the backend of a data dir (`null`: nothing on disk). NeDB unless the server is given another. */
export type BackendFactory = (dataDir: string | null, o: BackendOptions) => StorageBackend;

export const nedbBackend: BackendFactory = (dataDir, o) => new NedbBackend(dataDir, o);

/** Without a log (the CLI), warnings go to standard error, where the person running the command sees them. */
const toStderr: BackendOptions['report'] = (level, message) => {
  if (level !== 'info') process.stderr.write(`parley: ${message}\n`);
};

/** The storage of a data dir, after the schema check; `null` keeps everything in memory (tests of single modules). */
export async function openStorage(dataDir: string | null, env: StoreEnv, removal: AccountRemovedEvent, backend: BackendFactory = nedbBackend,
  o: Partial<BackendOptions> = {}): Promise<Storage> {
  if (dataDir) await prepareDataDir(dataDir);
  return new Storage(backend(dataDir, { durability: o.durability ?? 'flush', report: o.report ?? toStderr }), env, removal);
}
