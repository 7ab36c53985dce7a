// The storage and the account lifecycle of a data dir, opened together: by ParleyServer at start, and by the CLI
// when no server runs (open-offline.ts).
import type { Logger } from '../core/log.js';
import type { Durability } from '../storage/backend.js';
import type { SessionRegistry } from '../core/session-registry.js';
import { openStorage, type BackendFactory, type Storage } from '../storage/storage.js';
import { AccountEvents } from './account-events.js';
import { AccountService } from './account-service.js';

export interface OpenedAccounts {
  storage: Storage;
  accounts: AccountService;
}

export async function openAccounts(dataDir: string | null, o: {
  domain: string; scramIterations: number; sessions: SessionRegistry | null; log: Logger | null;
  /** Another storage backend than NeDB (see server/storage/backend.ts). */
  backend?: BackendFactory;
  /** The `durability` setting (default 'flush'). */
  durability?: Durability;
}): Promise<OpenedAccounts> {
  const events = new AccountEvents();
  const log = o.log;
  const storage = await openStorage(dataDir, { domain: o.domain, scramIterations: o.scramIterations }, events, o.backend, {
    durability: o.durability,
    report: log ? (level, message) => log[level]('storage', message) : undefined,
  });
  const accounts = await AccountService.open(storage, events, { domain: o.domain, sessions: o.sessions, log: o.log });
  return { storage, accounts };
}
