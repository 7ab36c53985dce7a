// IPC → AdminService: exactly the allow-list, named parameters checked, everything else refused, only the app's
// own page heard. With a stand-in AdminService that records its calls.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_METHODS, AdminError } from '../../server/admin/admin-api.js';
import type { AdminService } from '../../server/admin/admin-service.js';
import type { ConsoleEvent } from '../../server/admin/console-api.js';
import { CONSOLE_METHODS } from '../../server/http/console-methods.js';
import { CHANNELS, IPC_METHOD_NAMES, dispatchIpc, registerIpc, type IpcBackend, type IpcResult } from '../../main/ipc.js';
import { FakeIpcMain, FakeWebContents } from '../helpers/electron-fakes.js';

const APP_PAGE = 'app://parley/index.html';

/** Every method any AdminService might have is recorded; the IPC layer may reach only allow-listed ones. */
function recordingAdmin(): { api: AdminService; calls: { method: string; args: unknown[] }[]; fail: Map<string, Error> } {
  const calls: { method: string; args: unknown[] }[] = [];
  const fail = new Map<string, Error>();
  const api = new Proxy({}, {
    get: (_t, prop) => {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return async (...args: unknown[]) => {
        calls.push({ method: prop, args });
        const err = fail.get(prop);
        if (err) throw err;
        return { method: prop };
      };
    },
  }) as unknown as AdminService;
  return { api, calls, fail };
}

class FakeBackend implements IpcBackend {
  running = true;
  setupDue = true;
  completed = 0;
  listeners = new Set<(e: ConsoleEvent) => void>();
  constructor(readonly api: AdminService) {}
  admin(): AdminService | null {
    return this.running ? this.api : null;
  }
  unavailable(): string {
    return 'Parley’s server is stopped.';
  }
  setupNeeded(): boolean {
    return this.setupDue;
  }
  setupCompleted(): void {
    this.completed++;
    this.setupDue = false;
  }
  subscribe(listener: (e: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  emit(e: ConsoleEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/** Parameters each allowed call takes, and the positional arguments AdminService must get. */
const SAMPLE: Record<string, { params: Record<string, unknown>; args: unknown[] }> = {
  status: { params: {}, args: [] },
  listUsers: { params: {}, args: [] },
  addUser: { params: { user: 'bob', password: 'pw-1234567' }, args: ['bob', 'pw-1234567'] },
  setPassword: { params: { user: 'bob', password: 'pw-7654321' }, args: ['bob', 'pw-7654321'] },
  removeUser: { params: { user: 'bob' }, args: ['bob'] },
  certificate: { params: {}, args: [] },
  overview: { params: {}, args: [] },
  setAdmin: { params: { user: 'bob', admin: true }, args: ['bob', true] },
  disableUser: { params: { user: 'bob' }, args: ['bob'] },
  enableUser: { params: { user: 'bob' }, args: ['bob'] },
  listSessions: { params: {}, args: [] },
  kickSession: { params: { id: 'c2s7' }, args: ['c2s7'] },
  announce: { params: { text: 'Lunch is ready', subject: '' }, args: ['Lunch is ready', ''] },
  getSettings: { params: {}, args: [] },
  setSettings: { params: { changes: { serverName: 'Office' } }, args: [{ serverName: 'Office' }] },
  recentLogs: { params: {}, args: [] },
  networkCheck: { params: {}, args: [] },
  setupInfo: { params: {}, args: [] },
  completeSetup: { params: { choices: { domain: 'office.local' } }, args: [{ domain: 'office.local' }] },
  createInvite: { params: { invite: { uses: 1, expiresInHours: 24 } }, args: [{ uses: 1, expiresInHours: 24 }] },
  listInvites: { params: {}, args: [] },
  revokeInvite: { params: { token: 'AAAAAAAAAAAAAAAAAAAAAA' }, args: ['AAAAAAAAAAAAAAAAAAAAAA'] },
  listRooms: { params: {}, args: [] },
  getRoom: { params: { room: 'team' }, args: ['team'] },
  createRoom: { params: { room: 'team', options: { name: 'Team', membersOnly: true } }, args: ['team', { name: 'Team', membersOnly: true }] },
  configureRoom: { params: { room: 'team', changes: { moderated: true } }, args: ['team', { moderated: true }] },
  destroyRoom: { params: { room: 'team', reason: 'Moved' }, args: ['team', 'Moved'] },
  kickOccupant: { params: { room: 'team', nick: 'bob', reason: '' }, args: ['team', 'bob', ''] },
  setRoomAffiliation: { params: { room: 'team', user: 'bob', affiliation: 'outcast', reason: 'Spam' }, args: ['team', 'bob', 'outcast', 'Spam'] },
};

test('the IPC allow-list is AdminApi (ADMIN_METHODS) plus the console calls, and the same as the HTTP console API plus setup', () => {
  for (const m of Object.keys(ADMIN_METHODS)) assert.ok(IPC_METHOD_NAMES.includes(m), `${m} of ADMIN_METHODS is allowed`);
  assert.deepEqual([...IPC_METHOD_NAMES], Object.keys(SAMPLE).sort());
  assert.deepEqual([...IPC_METHOD_NAMES], [...Object.keys(CONSOLE_METHODS), 'setupInfo', 'completeSetup'].sort(),
    'the desktop window may do what a logged-in console administrator may, plus the first-run wizard');
  assert.ok(Object.isFrozen(IPC_METHOD_NAMES));
});

test('every allowed call reaches the AdminService method of that name with its parameters in order', async () => {
  const { api, calls } = recordingAdmin();
  const backend = new FakeBackend(api);
  for (const [method, { params, args }] of Object.entries(SAMPLE)) {
    calls.length = 0;
    const r = await dispatchIpc(backend, method, params);
    assert.deepEqual(r, { ok: true, value: { method } }, method);
    assert.deepEqual(calls, [{ method, args }], method);
  }
  assert.equal(backend.completed, 1, 'a completed setup is remembered (the wizard is not offered again)');
});

test('anything not on the allow-list is refused and reaches nothing', async () => {
  const { api, calls } = recordingAdmin();
  const backend = new FakeBackend(api);
  const ipcMain = new FakeIpcMain();
  registerIpc(ipcMain, backend);
  const page = new FakeWebContents();
  for (const method of ['verifyAdmin', 'isActiveAdmin', 'subscribe', 'setupNeeded', 'startFeeds', 'constructor', '__proto__', 'toString',
    'hasOwnProperty', 'valueOf', 'applySaved', 'STATUS', ' status', 'status ', '', 42, null, undefined, ['status'], { m: 'status' }]) {
    const r = await ipcMain.invoke(page, APP_PAGE, CHANNELS.call, method, {}) as IpcResult;
    assert.equal(r.ok, false, String(method));
    assert.match((r as { error: string }).error, /not something Parley offers/);
  }
  assert.deepEqual(calls, []);
});

test('parameters are checked by name and type before AdminService is asked', async () => {
  const { api, calls } = recordingAdmin();
  const backend = new FakeBackend(api);
  const bad: [string, unknown, RegExp][] = [
    ['addUser', { user: 'bob' }, /password is missing/],
    ['addUser', { user: 7, password: 'x' }, /user is missing/],
    ['addUser', ['bob', 'pw'], /must be an object/],
    ['addUser', 'bob', /must be an object/],
    ['setAdmin', { user: 'bob', admin: 'yes' }, /true or false/],
    ['setSettings', { changes: 'domain=x' }, /settings to change is missing/],
    ['setSettings', { changes: null }, /settings to change is missing/],
    ['completeSetup', {}, /setup choices is missing/],
    ['kickSession', { session: 'c2s1' }, /session is missing/],
  ];
  for (const [method, params, why] of bad) {
    const r = await dispatchIpc(backend, method, params);
    assert.equal(r.ok, false, method);
    assert.match((r as { error: string }).error, why, method);
  }
  assert.deepEqual(calls, []);
  assert.deepEqual(await dispatchIpc(backend, 'status', undefined), { ok: true, value: { method: 'status' } }, 'no parameters is fine');
});

test('AdminService refusals come back as their sentence; unexpected failures as a plain one, logged', async () => {
  const { api, fail } = recordingAdmin();
  const backend = new FakeBackend(api);
  const logged: string[] = [];
  fail.set('addUser', new AdminError('The account bob@office.local already exists.'));
  fail.set('listUsers', new TypeError('x is undefined'));
  const log = { warn: () => undefined, error: (_s: string, m: string) => logged.push(m) };
  assert.deepEqual(await dispatchIpc(backend, 'addUser', SAMPLE.addUser.params, log), { ok: false, error: 'The account bob@office.local already exists.' });
  const r = await dispatchIpc(backend, 'listUsers', {}, log) as { ok: false; error: string };
  assert.match(r.error, /did not expect \(x is undefined\)/);
  assert.equal(logged.length, 1);
  assert.equal(backend.completed, 0);
});

test('while the server is not running, calls say so', async () => {
  const { api, calls } = recordingAdmin();
  const backend = new FakeBackend(api);
  backend.running = false;
  assert.deepEqual(await dispatchIpc(backend, 'status', {}), { ok: false, error: 'Parley’s server is stopped.' });
  assert.deepEqual(calls, []);
});

test('only the app’s own page is heard: other origins, file: pages and frameless senders are refused', async () => {
  const { api, calls } = recordingAdmin();
  const backend = new FakeBackend(api);
  const ipcMain = new FakeIpcMain();
  const warnings: string[] = [];
  registerIpc(ipcMain, backend, { warn: (_s, m) => warnings.push(m), error: () => undefined });
  const page = new FakeWebContents();
  for (const url of ['https://example.org/', 'file:///tmp/index.html', 'app://evil/index.html', 'http://127.0.0.1:5280/admin/', null]) {
    const r = await ipcMain.invoke(page, url, CHANNELS.call, 'status', {}) as IpcResult;
    assert.equal(r.ok, false, String(url));
    assert.equal(ipcMain.send(page, url, CHANNELS.setupNeeded), false, `setup question from ${String(url)}`);
    ipcMain.send(page, url, CHANNELS.subscribe);
  }
  assert.deepEqual(calls, []);
  assert.equal(backend.listeners.size, 0, 'no subscription from a foreign page');
  assert.equal(warnings.length, 15);
  assert.deepEqual(await ipcMain.invoke(page, APP_PAGE, CHANNELS.call, 'status', {}), { ok: true, value: { method: 'status' } });
  assert.equal(ipcMain.send(page, APP_PAGE, CHANNELS.setupNeeded), true);
});

test('registered channels are exactly the call, setup question and subscription ones; dispose removes them', () => {
  const { api } = recordingAdmin();
  const backend = new FakeBackend(api);
  const ipcMain = new FakeIpcMain();
  const dispose = registerIpc(ipcMain, backend);
  assert.deepEqual(ipcMain.channels(), [CHANNELS.call, CHANNELS.setupNeeded, CHANNELS.subscribe, CHANNELS.unsubscribe].sort());
  dispose();
  assert.deepEqual(ipcMain.channels(), []);
});

test('console events reach a subscribed page until it unsubscribes or goes away', () => {
  const { api } = recordingAdmin();
  const backend = new FakeBackend(api);
  const ipcMain = new FakeIpcMain();
  registerIpc(ipcMain, backend);
  const page = new FakeWebContents();
  const other = new FakeWebContents();
  ipcMain.send(page, APP_PAGE, CHANNELS.subscribe);
  ipcMain.send(page, APP_PAGE, CHANNELS.subscribe);
  ipcMain.send(other, APP_PAGE, CHANNELS.subscribe);
  assert.equal(backend.listeners.size, 2, 'one subscription per page');
  const e: ConsoleEvent = { type: 'sessions', onlineSessions: 3 };
  backend.emit(e);
  assert.deepEqual(page.sent, [{ channel: CHANNELS.event, args: [e] }]);
  ipcMain.send(page, APP_PAGE, CHANNELS.unsubscribe);
  backend.emit(e);
  assert.equal(page.sent.length, 1);
  assert.equal(other.sent.length, 2);
  other.destroy();
  assert.equal(backend.listeners.size, 0, 'a closed page ends its subscription');
});
