// All stores of one data dir, opened together after the schema check. Modules reach stores only through this.
import { prepareDataDir } from './schema.js';
import { AccountStore } from './accounts.js';
import { RosterStore } from './roster.js';
import { VcardStore } from './vcard.js';
import { PrivateStore } from './private.js';
import { LastActivityStore } from './last-activity.js';
import { OfflineStore } from './offline.js';
import { InviteStore } from './invites.js';

export interface Stores {
  accounts: AccountStore;
  roster: RosterStore;
  vcard: VcardStore;
  private: PrivateStore;
  lastActivity: LastActivityStore;
  offline: OfflineStore;
  invites: InviteStore;
}

/** Open the stores of a data dir; `null` keeps everything in memory (tests of single modules). */
export async function openStores(dataDir: string | null, opts: { scramIterations?: number } = {}): Promise<Stores> {
  if (dataDir) await prepareDataDir(dataDir);
  return {
    accounts: await AccountStore.open(dataDir, opts.scramIterations),
    roster: await RosterStore.open(dataDir),
    vcard: await VcardStore.open(dataDir),
    private: await PrivateStore.open(dataDir),
    lastActivity: await LastActivityStore.open(dataDir),
    offline: await OfflineStore.open(dataDir),
    invites: await InviteStore.open(dataDir),
  };
}
