// Child process for the crash test (storage-crash.test.ts): a Parley server whose datafile appends reach the disk
// only when synced (test/helpers/volatile-fs.ts), so SIGKILL stands for a power cut. Prints `port N` when ready.
// Usage: node crash-child.js DATA_DIR DOMAIN flush|os
import { ParleyServer } from '../../server/server.js';
import { resolveConfig } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { NedbBackend } from '../../server/storage/nedb/backend.js';
import type { Durability } from '../../server/storage/backend.js';
import { volatileFileOps } from '../helpers/volatile-fs.js';

const [dataDir, domain, durability] = process.argv.slice(2) as [string, string, Durability];
const config = resolveConfig(dataDir, { offlineQuota: 1_000_000 }, {
  domain, bind: '127.0.0.1', c2sPort: 0, tlsPort: null, s2sPort: null, httpPort: null, httpsPort: null, discovery: false,
  logLevel: 'warn', durability, limits: { enabled: false },
});
const fileOps = volatileFileOps();
const server = new ParleyServer(config, { logger: new Logger('warn'), storage: (dir, o) => new NedbBackend(dir, { ...o, fileOps }) });
await server.start();
process.stdout.write(`port ${server.ports.c2s}\n`);
