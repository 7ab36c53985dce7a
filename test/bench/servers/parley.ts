// Parley under benchmark: a data dir whose accounts datafile is written directly (one SCRAM derivation for all
// accounts), then `node bin/parley.js serve …` as a child process, fresh for every scenario.
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { promises as fs, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { deriveScramCredential } from '../../../server/core/sasl/index.js';
import { SCHEMA_VERSION } from '../../../server/storage/schema.js';
import { CONFIG_FILE, type StoredSettings } from '../../../server/core/config.js';
import type { AccountDoc } from '../../../server/storage/accounts.js';
import { PARLEY_VERSION } from '../../../server/version.js';
import { DOMAIN, PASSWORD, ROOT, spawnServer, stopChild, type Accounts, type RunningServer, type ServerKit } from './server.js';

const ITERATIONS = 4096;

export function accountNames(a: Accounts): string[] {
  const names: string[] = [];
  for (let i = 1; i <= a.users; i++) names.push(`u${i}`);
  if (a.rosterContacts > 0) {
    names.push('r0');
    for (let i = 1; i <= a.rosterContacts; i++) names.push(`rc${i}`);
  }
  return names;
}

async function writeAccounts(dataDir: string, names: string[]): Promise<void> {
  const salt = randomBytes(16);
  const scram: AccountDoc['scram'] = {
    'SHA-1': deriveScramCredential('SHA-1', PASSWORD, ITERATIONS, salt),
    'SHA-256': deriveScramCredential('SHA-256', PASSWORD, ITERATIONS, salt),
  };
  const out = createWriteStream(path.join(dataDir, 'accounts.db'));
  const createdAt = Date.now();
  for (const name of names) {
    const doc: AccountDoc = { _id: name, scram, createdAt, admin: false };
    if (!out.write(JSON.stringify(doc) + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

export async function parleyKit(accounts: Accounts, pin: string[], log: (s: string) => void): Promise<ServerKit> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-bench-'));
  await fs.writeFile(path.join(dataDir, 'schema.json'), JSON.stringify({ version: SCHEMA_VERSION }) + '\n');
  // The muc scenario's room as Prosody's (servers/prosody.ts): temporary and unlisted, no history kept, so the
  // measured messages are not copied into one; nothing logged or archived.
  const settings: StoredSettings = { scramIterations: ITERATIONS, muc: { historyLength: 0, defaults: { persistent: false, public: false } } };
  await fs.writeFile(path.join(dataDir, CONFIG_FILE), JSON.stringify(settings, null, 2) + '\n');
  const names = accountNames(accounts);
  await writeAccounts(dataDir, names);
  log(`parley: ${names.length} accounts written to ${dataDir}`);
  return {
    name: 'parley',
    version: PARLEY_VERSION,
    rosterOnDisk: false,
    async start(opts) {
      const node = [process.execPath];
      if (opts.cpuProfDir) node.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir);
      const argv = [...pin, ...node, path.join(ROOT, 'bin/parley.js'), 'serve', '--data', dataDir, '--domain', DOMAIN,
        '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', 'off', '--http-port', 'off', '--s2s-port', 'off',
        '--no-discovery', '--limits', opts.limits === true ? 'on' : 'off', '--log-level', 'warn', ...(opts.durability ? ['--durability', opts.durability] : [])];
      const { child, tail } = spawnServer(argv, { cwd: ROOT });
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`Parley did not start within 60 s:\n${tail()}`)), 60000);
        const onData = (d: Buffer): void => {
          out += d.toString('utf8');
          const m = /XMPP clients: [\d.]+:(\d+)/.exec(out);
          if (m) {
            clearTimeout(timer);
            child.stdout!.off('data', onData);
            resolve(Number(m[1]));
          }
        };
        child.stdout!.on('data', onData);
        child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`Parley exited with ${code} before listening:\n${tail()}`));
        });
      });
      const server: RunningServer = {
        name: 'parley', pid: child.pid!, host: '127.0.0.1', port, domain: DOMAIN, password: PASSWORD,
        stop: () => stopChild(child),
        logTail: tail,
      };
      return server;
    },
    async cleanup() {
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
