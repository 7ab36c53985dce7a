// The pieces behind `parley user …`: AdminService on real (in-memory) stores, the admin socket's JSON-lines
// protocol and allow-list over a real Unix socket, the data folder's lock, and where the socket lives.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { openAccounts } from '../../server/accounts/open-accounts.js';
import { AdminService, AdminError } from '../../server/admin/admin-service.js';
import { AdminSocketServer } from '../../server/admin/admin-socket.js';
import { AdminClient } from '../../server/admin/admin-client.js';
import { acquireLock, lockHolder, lockPath, DataDirLockedError } from '../../server/admin/data-dir-lock.js';
import { adminSocketPath } from '../../server/admin/socket-path.js';
import { SessionRegistry } from '../../server/core/session-registry.js';
import { Logger } from '../../server/core/log.js';

const DOMAIN = 'office.local';
const tmpDirs: string[] = [];

after(async () => {
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-cli-unit-'));
  tmpDirs.push(d);
  return d;
}

async function service(): Promise<AdminService> {
  const sessions = new SessionRegistry();
  const { accounts } = await openAccounts(null, { domain: DOMAIN, scramIterations: 4096, sessions, log: null });
  return new AdminService({
    domain: DOMAIN, dataDir: '/nowhere', accounts, sessions, startedAt: Date.now() - 5000,
    ports: () => ({ c2s: 5222 }), certificate: async () => null,
  });
}

async function refused(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AdminError, `expected an AdminError, got ${String(err)}`);
    assert.match(err.message, pattern);
    return true;
  });
}

test('AdminService: add, list, set password, remove; names and bare JIDs of this domain alike', async () => {
  const admin = await service();
  assert.deepEqual(await admin.addUser('Bob', 'pw-1'), { jid: `bob@${DOMAIN}` });
  assert.deepEqual(await admin.addUser(`alice@${DOMAIN.toUpperCase()}`, 'pw-2'), { jid: `alice@${DOMAIN}` });
  const users = await admin.listUsers();
  assert.deepEqual(users.map((u) => u.jid), [`alice@${DOMAIN}`, `bob@${DOMAIN}`]);
  assert.equal(users[0].onlineSessions, 0);
  assert.ok(!Number.isNaN(Date.parse(users[0].createdAt)));
  assert.deepEqual(await admin.setPassword(`bob@${DOMAIN}`, 'pw-3'), { jid: `bob@${DOMAIN}` });
  assert.deepEqual(await admin.removeUser('bob'), { jid: `bob@${DOMAIN}`, closedSessions: 0 });
  assert.deepEqual((await admin.listUsers()).map((u) => u.username), ['alice']);
  const status = await admin.status();
  assert.equal(status.running, true);
  assert.equal(status.users, 1);
  assert.equal(status.onlineSessions, 0);
  assert.deepEqual(status.ports, { c2s: 5222 });
  assert.ok(status.uptimeSeconds !== null && status.uptimeSeconds >= 4);
  assert.equal(status.certificate, null);
});

test('AdminService: refusals are AdminErrors worded for people', async () => {
  const admin = await service();
  await admin.addUser('bob', 'pw');
  await refused(admin.addUser('bob', 'other'), /^The account bob@office\.local already exists\.$/);
  await refused(admin.removeUser('carol'), /^There is no account carol@office\.local\.$/);
  await refused(admin.setPassword('carol', 'x'), /^There is no account carol@office\.local\.$/);
  await refused(admin.addUser('carol@elsewhere.org', 'x'), /not an address of this server, which serves office\.local/);
  await refused(admin.addUser('carol@office.local/phone', 'x'), /without "\/phone"/);
  await refused(admin.addUser('@office.local', 'x'), /not a valid user address/);
  await refused(admin.addUser('ca rol', 'x'), /not a valid user address/);
  await refused(admin.addUser('', 'x'), /Give the user as a name/);
  await refused(admin.addUser('carol', ''), /password is empty/);
  await refused(admin.addUser('carol', 'a\u0007b'), /character \(U\+0007\)/);
  await refused(admin.addUser('carol', 'x'.repeat(2000)), /longer than 1024/);
  await refused(admin.certificate(), /no certificate/);
  assert.deepEqual((await admin.listUsers()).map((u) => u.username), ['bob']);
});

test('admin socket: JSON lines, allow-listed methods only, AdminClient round trip', async (t) => {
  const dir = await tmpDir();
  const admin = await service();
  const server = await AdminSocketServer.start(dir, admin, new Logger('error', null));
  t.after(() => server.close());
  const socketPath = adminSocketPath(dir);
  assert.equal(socketPath, path.join(dir, 'admin.sock'));
  assert.equal((await fs.stat(socketPath)).mode & 0o777, 0o600);

  const raw = net.connect(socketPath);
  t.after(() => raw.destroy());
  raw.setEncoding('utf8');
  const lines: string[] = [];
  let buffered = '';
  let wake: (() => void) | null = null;
  raw.on('data', (chunk: string) => {
    buffered += chunk;
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
    }
    wake?.();
  });
  const ask = async (line: string): Promise<unknown> => {
    const before = lines.length;
    raw.write(line + '\n');
    while (lines.length === before) await new Promise<void>((r) => { wake = r; });
    return JSON.parse(lines[before]);
  };

  assert.deepEqual(await ask('{"id":1,"method":"addUser","params":["bob","pw"]}'), { id: 1, result: { jid: 'bob@office.local' } });
  assert.deepEqual(await ask('{"id":2,"method":"addUser","params":["bob","pw"]}'), { id: 2, error: 'The account bob@office.local already exists.' });
  for (const m of ['constructor', 'toString', '__proto__', 'account', 'host']) {
    assert.deepEqual(await ask(JSON.stringify({ id: 3, method: m, params: [] })), { id: 3, error: `There is no admin method ${JSON.stringify(m)}.` });
  }
  assert.deepEqual(await ask('{"id":4,"method":"removeUser","params":[]}'), { id: 4, error: 'removeUser takes 1 string parameter.' });
  assert.deepEqual(await ask('{"id":5,"method":"addUser","params":["x",{"a":1}]}'), { id: 5, error: 'addUser takes 2 string parameters.' });
  assert.deepEqual(await ask('not json'), { id: null, error: 'The request is not valid JSON.' });
  assert.deepEqual(await ask('{"id":"s","method":"listUsers"}').then((r) => (r as { id: string }).id), 's');

  const client = await AdminClient.connect(dir);
  assert.ok(client);
  t.after(() => client.close());
  assert.deepEqual(await client.addUser('carol', 'pw'), { jid: 'carol@office.local' });
  assert.deepEqual((await client.listUsers()).map((u) => u.username), ['bob', 'carol']);
  await assert.rejects(client.removeUser('zed'), (err: unknown) => err instanceof AdminError && err.message === 'There is no account zed@office.local.');
  // Parallel calls are matched to their answers by id.
  const [a, b] = await Promise.all([client.status(), client.removeUser('bob')]);
  assert.equal(a.domain, DOMAIN);
  assert.equal(b.jid, 'bob@office.local');
});

test('admin socket: a stale socket file is removed at start; no server means connect() gives null', async () => {
  const dir = await tmpDir();
  assert.equal(await AdminClient.connect(dir), null);
  // A socket file nobody listens on: what a killed server leaves behind.
  const socketPath = adminSocketPath(dir);
  const child = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  assert.ok((await fs.lstat(socketPath)).isSocket());
  assert.equal(await AdminClient.connect(dir), null);
  const server = await AdminSocketServer.start(dir, await service(), new Logger('error', null));
  const client = await AdminClient.connect(dir);
  assert.ok(client);
  assert.equal((await client.status()).domain, DOMAIN);
  client.close();
  await server.close();
  await assert.rejects(fs.lstat(socketPath), { code: 'ENOENT' });
});

test('socket path: in the data folder, in the temp folder when too long, a named pipe on Windows', () => {
  assert.equal(adminSocketPath('/var/lib/parley', 'linux'), '/var/lib/parley/admin.sock');
  const long = '/home/someone/' + 'a-rather-long-folder-name/'.repeat(4) + 'parley';
  const p = adminSocketPath(long, 'linux', '/tmp', 1000);
  assert.match(p, /^\/tmp\/parley-1000\/[0-9a-f]{16}\.sock$/, 'in a folder of the user, not in /tmp itself (socket-path.test.ts)');
  assert.equal(adminSocketPath(long + '/', 'linux', '/tmp', 1000), p, 'same folder, same socket');
  assert.notEqual(adminSocketPath(long + '2', 'linux', '/tmp', 1000), p);
  assert.match(adminSocketPath('/var/lib/parley', 'win32'), /^\\\\\.\\pipe\\parley-[0-9a-f]{16}$/);
});

test('lock: one holder at a time; released locks and dead holders free the folder', async () => {
  const dir = await tmpDir();
  const lock = await acquireLock(dir, 'server');
  assert.equal((await fs.stat(lockPath(dir))).mode & 0o777, 0o600);
  assert.equal((await fs.readFile(lockPath(dir), 'utf8')).split('\n')[0], String(process.pid));
  assert.deepEqual(await lockHolder(dir), { pid: process.pid, role: 'server' });
  await assert.rejects(acquireLock(dir, 'cli'), (err: unknown) =>
    err instanceof DataDirLockedError && /already running on the data folder .* \(process \d+\)\. Stop it first/.test(err.message));
  await lock.release();
  assert.equal(await lockHolder(dir), null);
  const cli = await acquireLock(dir, 'cli');
  await assert.rejects(acquireLock(dir, 'server'), (err: unknown) => err instanceof DataDirLockedError && /A parley command \(process \d+\) is changing/.test(err.message));
  await cli.release();

  // A lock left by a process that is gone is stale.
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const deadPid = child.pid!;
  await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await fs.writeFile(lockPath(dir), `${deadPid}\nserver\n`);
  assert.equal(await lockHolder(dir), null);
  await (await acquireLock(dir, 'cli')).release();

  // Our own pid in a lock we do not hold is a leftover too (pid reuse, e.g. pid 1 in a container).
  await fs.writeFile(lockPath(dir), `${process.pid}\nserver\n`);
  const again = await acquireLock(dir, 'server');
  await again.release();
});
