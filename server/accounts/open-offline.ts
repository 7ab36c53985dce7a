// The account lifecycle with no server running (the CLI, under the data dir's lock): the stores of every module
// the server loads are opened too — each module states its stores (ServerModule.stores) — so that removing an
// account drops the user's data from every one of them, as a running server would. What only a running server can
// do is left out: no sessions to close, and remote contacts cannot be told of the removal (their servers learn it
// when they next probe or write to the account); local contacts' rosters are fixed in the stores
// (RosterStore.cancelLocalSubscriptions).
import type { ServerModule } from '../modules/module.js';
import { DEFAULT_MODULES } from '../modules/index.js';
import { openAccounts, type OpenedAccounts } from './open-accounts.js';

export async function openOfflineAccounts(dataDir: string, o: { domain: string; scramIterations: number }, modules: readonly ServerModule[] = DEFAULT_MODULES): Promise<OpenedAccounts> {
  const opened = await openAccounts(dataDir, { ...o, sessions: null, log: null });
  for (const m of modules) for (const def of m.stores ?? []) await opened.storage.open(def);
  return opened;
}
