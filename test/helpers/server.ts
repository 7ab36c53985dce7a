// Start a real Parley server for a test: temp data dir, loopback, ephemeral ports, certificates reused across
// tests of one run (generating RSA keys for every test would dominate the suite's time).
import { before, after } from 'node:test';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { ParleyServer, type ServerOptions } from '../../server/server.js';
import { resolveConfig, type StoredSettings } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import type { ServerModule } from '../../server/modules/module.js';

export const DOMAIN = 'test.local';
// "-nc": made since the CA is name-constrained; an older shared copy would be replaced (a new CA) at every start.
const sharedCerts = path.join(os.tmpdir(), `parley-test-certs-${process.getuid?.() ?? 0}-nc`);

export interface TestServer {
  server: ParleyServer;
  dataDir: string;
  c2sPort: number;
  tlsPort: number;
  caPem: string;
  logger: Logger;
  stop(): Promise<void>;
  addUser(name: string, password: string): Promise<void>;
}

export async function startServer(settings: StoredSettings = {}, opts: { dataDir?: string; modules?: ServerModule[]; storage?: ServerOptions['storage'] } = {}): Promise<TestServer> {
  const dataDir = opts.dataDir ?? await fs.mkdtemp(path.join(os.tmpdir(), 'parley-test-'));
  // Copy a CA + leaf made once for test.local, so each test does not pay for RSA key generation.
  await fs.mkdir(sharedCerts, { recursive: true });
  try {
    await fs.cp(sharedCerts, path.join(dataDir, 'certs'), { recursive: true, errorOnExist: false, force: false });
  } catch { /* first run: none yet */ }
  const config = resolveConfig(dataDir, {}, {
    domain: DOMAIN, bind: '127.0.0.1', c2sPort: 0, tlsPort: 0, s2sPort: null, httpPort: null, httpsPort: null, discovery: false,
    logLevel: 'debug', ...settings,
  });
  const logger = new Logger('debug', process.env.PARLEY_TEST_LOG ? (l) => process.stderr.write(l + '\n') : null);
  const server = new ParleyServer(config, { logger, modules: opts.modules, storage: opts.storage });
  await server.start();
  await fs.cp(path.join(dataDir, 'certs'), sharedCerts, { recursive: true, force: false, errorOnExist: false }).catch(() => undefined);
  return {
    server,
    dataDir,
    logger,
    c2sPort: server.ports.c2s,
    tlsPort: server.ports.tls,
    caPem: server.certificate!.caCertPem,
    stop: () => server.stop(),
    addUser: (name, password) => server.accounts!.create(name, password),
  };
}

/**
 * startServer, then an account for each of `users` (name → password, in the order given). When an account cannot
 * be made, the server is stopped again before the error is thrown.
 */
export async function startWithUsers(users: Record<string, string>, settings: StoredSettings = {}, opts: { dataDir?: string; modules?: ServerModule[] } = {}): Promise<TestServer> {
  const t = await startServer(settings, opts);
  try {
    for (const [name, password] of Object.entries(users)) await t.addUser(name, password);
  } catch (err) {
    await t.stop();
    throw err;
  }
  return t;
}

export interface SharedServer<C> {
  /** The server (there once `before` has run). */
  readonly t: TestServer;
  /** Keep `client` to be ended in `after`, before the server stops; returns it. */
  keep<K extends C>(client: K): K;
}

/**
 * One server for the enclosing test file or describe: `before` starts it with an account for each of `users`
 * (name → password) and `settings`; `after` ends the clients handed to `keep` (with `endAll`), then stops it.
 */
export function sharedServer<C>(users: Record<string, string>, settings: StoredSettings, endAll: (clients: C[]) => Promise<void>): SharedServer<C> {
  let t: TestServer | undefined;
  const clients: C[] = [];
  before(async () => {
    t = await startWithUsers(users, settings);
  });
  after(async () => {
    await endAll(clients);
    await t?.stop();
  });
  return {
    get t() {
      if (!t) throw new Error('the test server is not running (it starts in before)');
      return t;
    },
    keep(client) {
      clients.push(client);
      return client;
    },
  };
}
