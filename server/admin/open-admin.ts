// The AdminApi for a data folder, as the CLI needs it: the running server's, through its admin socket, or, when
// no server runs there, an AdminService on the stores themselves (through the account lifecycle), under the data
// folder's lock.
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { readStoredSettings, resolveConfig } from '../core/config.js';
import { openOfflineAccounts } from '../accounts/open-offline.js';
import { loadCertificates } from '../certs/index.js';
import { AdminError, type AdminApi } from './admin-api.js';
import { AdminService } from './admin-service.js';
import { AdminClient } from './admin-client.js';
import { acquireLock, DataDirLockedError } from './data-dir-lock.js';
import { adminSocketPath } from './socket-path.js';

export interface OpenAdminOptions {
  /** The domain to assume when no server runs (default: the config file's, else the default domain). */
  domain?: string;
  /** Whether a missing data folder may be created (adding a user) or is an error (listing). */
  create: boolean;
}

export interface AdminHandle {
  api: AdminApi;
  /** True when the calls go to a running server. */
  running: boolean;
  close(): Promise<void>;
}

async function openOffline(dataDir: string, opts: OpenAdminOptions): Promise<AdminHandle> {
  if (!opts.create) {
    try {
      await fs.access(dataDir);
    } catch {
      throw new AdminError(`There is no Parley data folder at ${dataDir}. Choose the right one with --data.`);
    }
  }
  const lock = await acquireLock(dataDir, 'cli');
  try {
    const config = resolveConfig(dataDir, await readStoredSettings(dataDir), opts.domain !== undefined ? { domain: opts.domain } : {});
    // Every module's stores are opened, so that removing an account clears them all (server/accounts/open-offline.ts).
    const { accounts, storage } = await openOfflineAccounts(dataDir, { domain: config.domain, scramIterations: config.scramIterations });
    const api = new AdminService({
      domain: config.domain,
      dataDir,
      accounts,
      sessions: null,
      startedAt: null,
      ports: () => ({}),
      certificate: () => loadCertificates(path.join(dataDir, 'certs')),
      offline: { storage, config },
    });
    // Every store write is awaited before a call returns, so releasing the lock is all there is to closing.
    return { api, running: false, close: () => lock.release() };
  } catch (err) {
    await lock.release();
    throw err;
  }
}

export async function openAdmin(dataDir: string, opts: OpenAdminOptions): Promise<AdminHandle> {
  for (let attempt = 0; ; attempt++) {
    const client = await AdminClient.connect(dataDir);
    if (client) return { api: client, running: true, close: async () => client.close() };
    try {
      return await openOffline(dataDir, opts);
    } catch (err) {
      if (!(err instanceof DataDirLockedError) || err.holder.role !== 'server') throw err;
      // A server took the lock between our connect attempt and now; it may be answering by now.
      if (attempt === 0) continue;
      const pid = err.holder.pid > 0 ? ` (process ${err.holder.pid})` : '';
      throw new DataDirLockedError(
        `Parley is running on ${dataDir}${pid} but does not answer on its admin socket ${adminSocketPath(dataDir)}. ` +
        `If it is starting or stopping, wait a moment and try again; if it hangs, stop it${err.holder.pid > 0 ? ` (kill ${err.holder.pid})` : ''} and try again. ` +
        'Parley does not change the data files of a running server.',
        dataDir, err.holder);
    }
  }
}
