// The three ways into AdminService and their allow-lists, checked against each other: the admin socket (the CLI;
// ADMIN_METHODS, i.e. AdminApi), the HTTP console (CONSOLE_METHODS) and the desktop window (Electron IPC,
// IPC_METHOD_NAMES). The IPC list is the console's plus the first-run wizard (main-ipc.test.ts checks that too). The
// socket's list is a subset of the console's: the CLI's status, user and certificate commands, which need no
// console login because only the data folder's owner can open the socket (mode 0600), and the room calls of
// `parley room …`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_METHODS, dispatchAdmin, isAdminMethod } from '../../server/admin/admin-api.js';
import { parseAdminRequest } from '../../server/admin/admin-socket.js';
import { AdminService } from '../../server/admin/admin-service.js';
import { CONSOLE_METHODS } from '../../server/http/console-methods.js';
import { Params } from '../../server/http/json-body.js';
import { IPC_METHOD_NAMES, dispatchIpc, type IpcBackend } from '../../main/ipc.js';

/** The socket's allow-list: what `parley user …`, `parley room …`, `parley status` and `parley cert` need. */
const SOCKET = [
  'addUser', 'certificate', 'configureRoom', 'createRoom', 'destroyRoom', 'getRoom', 'kickOccupant', 'listRooms', 'listUsers',
  'removeUser', 'setPassword', 'setRoomAffiliation', 'status',
];
/** Calls the IPC layer adds to the console's: the first-run wizard (the console has its own setup page). */
const IPC_ONLY = ['completeSetup', 'setupInfo'];
/** AdminService's public methods that no allow-list names: own IPC channels, the HTTP server's own use. */
const NOT_CALLS = ['domain', 'inviteLanding', 'isActiveAdmin', 'redeemInvite', 'setupNeeded', 'subscribe', 'verifyAdmin'];
/** AdminService's parts (private fields): no transport may reach them. */
const PARTS = ['host', 'users', 'invites', 'settings', 'setup', 'monitor', 'sessions', 'feed', 'logins', 'rooms'];

function recordingAdmin(): { api: AdminService; calls: { method: string; args: unknown[] }[] } {
  const calls: { method: string; args: unknown[] }[] = [];
  const api = new Proxy({}, {
    get: (_t, prop) => {
      if (typeof prop !== 'string' || prop === 'then') return undefined;
      return async (...args: unknown[]) => {
        calls.push({ method: prop, args });
        return { method: prop };
      };
    },
  }) as unknown as AdminService;
  return { api, calls };
}

function backendOf(api: AdminService): IpcBackend {
  return {
    admin: () => api,
    unavailable: () => 'stopped',
    setupNeeded: () => false,
    setupCompleted: () => undefined,
    subscribe: () => () => undefined,
  };
}

test('the admin socket’s allow-list is a subset of the console’s, and the IPC allow-list is the console’s plus setup', () => {
  const socket = Object.keys(ADMIN_METHODS).sort();
  const consoleCalls = Object.keys(CONSOLE_METHODS).sort();
  assert.deepEqual(socket, SOCKET);
  for (const m of socket) {
    assert.ok(consoleCalls.includes(m), `${m} (admin socket) is a console call`);
    assert.ok(IPC_METHOD_NAMES.includes(m), `${m} (admin socket) is an IPC call`);
  }
  assert.deepEqual([...IPC_METHOD_NAMES], [...consoleCalls, ...IPC_ONLY].sort());
});

test('every allow-listed name is an AdminService method, and its other public members are known', () => {
  const proto = AdminService.prototype as unknown as Record<string, unknown>;
  const members = Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor');
  const allowed = new Set([...Object.keys(ADMIN_METHODS), ...Object.keys(CONSOLE_METHODS), ...IPC_METHOD_NAMES]);
  for (const m of allowed) {
    assert.equal(typeof Object.getOwnPropertyDescriptor(proto, m)?.value, 'function', `${m} is a method of AdminService`);
  }
  assert.deepEqual(members.filter((m) => !allowed.has(m)).sort(), NOT_CALLS);
  for (const p of PARTS) assert.ok(!allowed.has(p), `the part ${p} is on no allow-list`);
  // The socket passes exactly as many parameters as the method takes.
  for (const [m, kinds] of Object.entries(ADMIN_METHODS)) assert.equal((proto[m] as (...a: unknown[]) => unknown).length, kinds.length, m);
});

test('the admin socket refuses the console-only calls, the other AdminService methods and its parts', () => {
  const refused = [...IPC_METHOD_NAMES.filter((m) => !SOCKET.includes(m)), ...NOT_CALLS, ...PARTS];
  assert.ok(refused.length > 20);
  for (const m of refused) {
    assert.equal(isAdminMethod(m), false, m);
    assert.deepEqual(parseAdminRequest(JSON.stringify({ id: 1, method: m, params: [] })), { id: 1, error: `There is no admin method ${JSON.stringify(m)}.` });
  }
});

test('each admin socket call reaches the same AdminService method with the same arguments as over HTTP and IPC', async () => {
  const named: Record<string, Record<string, string | Record<string, unknown>>> = {
    status: {},
    listUsers: {},
    addUser: { user: 'bob', password: 'pw-1234567' },
    setPassword: { user: 'bob', password: 'pw-7654321' },
    removeUser: { user: 'bob' },
    certificate: {},
    listRooms: {},
    getRoom: { room: 'team' },
    createRoom: { room: 'team', options: { name: 'Team', owner: 'bob', password: 'pw' } },
    configureRoom: { room: 'team', changes: { moderated: true } },
    destroyRoom: { room: 'team', reason: 'Moved to #office' },
    kickOccupant: { room: 'team', nick: 'bob', reason: '' },
    setRoomAffiliation: { room: 'team', user: 'bob@test.local', affiliation: 'member', reason: '' },
  };
  assert.deepEqual(Object.keys(named).sort(), SOCKET);
  for (const [method, params] of Object.entries(named)) {
    const args = Object.values(params);
    const want = [{ method, args }];

    const socket = recordingAdmin();
    const req = parseAdminRequest(JSON.stringify({ id: 7, method, params: args }));
    assert.ok(!('error' in req), method);
    await dispatchAdmin(socket.api, req.method, req.params);
    assert.deepEqual(socket.calls, want, `${method} over the admin socket`);

    const http = recordingAdmin();
    await CONSOLE_METHODS[method](http.api, new Params(params), { username: 'alice', domain: 'office.local' });
    assert.deepEqual(http.calls, want, `${method} over the HTTP console`);

    const ipc = recordingAdmin();
    assert.deepEqual(await dispatchIpc(backendOf(ipc.api), method, params), { ok: true, value: { method } });
    assert.deepEqual(ipc.calls, want, `${method} over IPC`);
  }
});
