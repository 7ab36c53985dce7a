// AdminService's rooms (server/admin/room-admin.ts) against an in-memory MUC service (test/helpers/fake-muc.ts):
// what reaches the service for each call, the room names, settings and addresses refused with sentences, the
// service turned off, the rooms of a stopped server read and written in its room store, and the console's
// coalesced 'rooms' events. The real MUC module is exercised by the integration and e2e tests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { openAccounts } from '../../server/accounts/open-accounts.js';
import { AdminService, AdminError } from '../../server/admin/admin-service.js';
import { AdminClient } from '../../server/admin/admin-client.js';
import { AdminSocketServer, parseAdminRequest } from '../../server/admin/admin-socket.js';
import type { ConsoleEvent } from '../../server/admin/console-api.js';
import { countMessages } from '../../server/admin/message-counter.js';
import { defaultConfig, type ServerConfig } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { Router } from '../../server/core/router.js';
import { SessionRegistry } from '../../server/core/session-registry.js';
import { registerMucAdmin } from '../../server/muc/muc-admin.js';
import { roomStore } from '../../server/muc/room-store.js';
import { FakeMuc } from '../helpers/fake-muc.js';

const DOMAIN = 'office.local';
const MUC = `conference.${DOMAIN}`;
const tmpDirs: string[] = [];

after(async () => {
  await Promise.all(tmpDirs.map((d) => fs.rm(d, { recursive: true, force: true })));
});

async function tmpDir(): Promise<string> {
  const d = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-rooms-unit-'));
  tmpDirs.push(d);
  return d;
}

interface Running { admin: AdminService; muc: FakeMuc; router: Router; config: ServerConfig }

/** An AdminService of a "running" server whose MUC service is the fake; accounts alice and bob exist. */
async function running(dataDir = '/nowhere'): Promise<Running> {
  const sessions = new SessionRegistry();
  const log = new Logger('error', null);
  const config = { ...defaultConfig(dataDir), domain: DOMAIN };
  const router = new Router(DOMAIN, sessions, log);
  const { accounts } = await openAccounts(null, { domain: DOMAIN, scramIterations: 4096, sessions, log: null });
  await accounts.create('alice', 'pw-alice');
  await accounts.create('bob', 'pw-bob');
  const muc = new FakeMuc(MUC, config.muc);
  registerMucAdmin(router, muc);
  const admin = new AdminService({
    domain: DOMAIN, dataDir, accounts, sessions, startedAt: Date.now(), ports: () => ({}), certificate: async () => null,
    runtime: { config, log, router, stats: { logins: 0, failedLogins: 0, stanzasIn: 0, stanzasOut: 0 }, messages: countMessages(router), setDiscovery: async () => undefined },
  });
  return { admin, muc, router, config };
}

async function refused(p: Promise<unknown>, message: string | RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof AdminError, `expected an AdminError, got ${String(err)}`);
    if (typeof message === 'string') assert.equal(err.message, message);
    else assert.match(err.message, message);
    return true;
  });
}

test('create, list, show, configure and destroy reach the MUC service with the console’s settings as configuration', async () => {
  const { admin, muc } = await running();
  assert.deepEqual(await admin.listRooms(), []);
  const made = await admin.createRoom('Team', { name: 'The team', membersOnly: true, password: 's3cret', owner: 'alice' });
  assert.deepEqual(muc.calls, [['createRoom', 'team', { owner: `alice@${DOMAIN}`, config: { name: 'The team', membersOnly: true, password: 's3cret', passwordProtected: true } }]]);
  assert.equal(made.jid, `team@${MUC}`);
  assert.equal(made.room, 'team');
  assert.equal(made.settings.passwordProtected, true);
  assert.equal(made.membersOnly, true);
  assert.ok(!JSON.stringify(made).includes('s3cret'), 'the password is never sent back');
  assert.deepEqual(made.affiliations, [{ jid: `alice@${DOMAIN}`, affiliation: 'owner', nick: '', reason: '' }]);
  assert.match(made.createdAt, /^\d{4}-\d\d-\d\dT/);

  await admin.createRoom('lobby', {});
  assert.deepEqual((await admin.listRooms()).map((r) => [r.jid, r.occupants]), [[`lobby@${MUC}`, 0], [`team@${MUC}`, 0]]);

  const changed = await admin.configureRoom(`team@${MUC}`, { moderated: true, password: '', maxUsers: 20 });
  assert.deepEqual(muc.calls.at(-1), ['configureRoom', 'team', { moderated: true, password: '', passwordProtected: false, maxUsers: 20 }]);
  assert.equal(changed.settings.moderated, true);
  assert.equal(changed.settings.passwordProtected, false);
  assert.equal(changed.settings.maxUsers, 20);

  assert.deepEqual(await admin.destroyRoom('team', '  Moved to lobby  '), { jid: `team@${MUC}` });
  assert.deepEqual(muc.calls.at(-1), ['destroyRoom', 'team', 'Moved to lobby', undefined]);
  await admin.destroyRoom('lobby', '');
  assert.deepEqual(muc.calls.at(-1), ['destroyRoom', 'lobby', undefined, undefined], 'no reason: none is sent');
  assert.deepEqual(await admin.listRooms(), []);
});

test('occupants: shown with real JIDs, roles and affiliations; kicked by nick; affiliations set for names and addresses', async () => {
  const { admin, muc } = await running();
  await admin.createRoom('team', { owner: 'alice' });
  muc.join('team', 'Alice', `alice@${DOMAIN}/laptop`);
  muc.join('team', 'Bob', `bob@${DOMAIN}/phone`);
  const view = await admin.getRoom('team');
  assert.equal(view.occupants, 2);
  assert.deepEqual(view.occupantList, [
    { nick: 'Alice', jid: `alice@${DOMAIN}`, resources: [`alice@${DOMAIN}/laptop`], role: 'moderator', affiliation: 'owner' },
    { nick: 'Bob', jid: `bob@${DOMAIN}`, resources: [`bob@${DOMAIN}/phone`], role: 'participant', affiliation: 'none' },
  ]);
  assert.equal((await admin.listRooms())[0].occupants, 2);

  assert.deepEqual(await admin.kickOccupant('team', 'Bob', 'Too loud'), { jid: `team@${MUC}`, nick: 'Bob' });
  assert.deepEqual(muc.calls.at(-1), ['kickOccupant', 'team', 'Bob', 'Too loud']);
  await refused(admin.kickOccupant('team', 'Bob', ''), `Nobody is in team@${MUC} under the nick "Bob".`);
  await refused(admin.kickOccupant('team', '', ''), 'Say which occupant, by their nick in the room.');

  assert.deepEqual(await admin.setRoomAffiliation('team', 'carol@example.org', 'member', ''), { jid: `team@${MUC}`, user: 'carol@example.org', affiliation: 'member' });
  assert.deepEqual(await admin.setRoomAffiliation('team', 'bob', 'outcast', 'Spam'), { jid: `team@${MUC}`, user: `bob@${DOMAIN}`, affiliation: 'outcast' });
  assert.deepEqual(muc.calls.at(-1), ['setAffiliation', 'team', `bob@${DOMAIN}`, 'outcast', 'Spam']);
  await refused(admin.setRoomAffiliation('team', 'bob', 'king', ''), 'The affiliation must be one of: owner, admin, member, none, outcast (banned).');
  await refused(admin.setRoomAffiliation('team', 'bob@office.local/phone', 'member', ''), `Give the person without "/phone": bob@${DOMAIN}.`);
  await refused(admin.setRoomAffiliation('team', 'bob@', 'member', ''), '"bob@" is not a valid address for the person: the domainpart is missing.');
  assert.deepEqual((await admin.getRoom('team')).affiliations.map((a) => [a.jid, a.affiliation]), [
    [`alice@${DOMAIN}`, 'owner'], ['carol@example.org', 'member'], [`bob@${DOMAIN}`, 'outcast'],
  ]);
});

test('room names, settings and owners are refused with sentences before anything reaches the service', async () => {
  const { admin, muc } = await running();
  await admin.createRoom('team', {});
  const before = muc.calls.length;
  await refused(admin.createRoom('team', {}), `The room team@${MUC} already exists.`);
  await refused(admin.createRoom('TEAM', {}), `The room team@${MUC} already exists.`);
  await refused(admin.createRoom('a b', {}), '"a b" cannot be a room name: it contains U+0020, which RFC 7622 forbids in a localpart (no space or " & \' / : < > @).');
  await refused(admin.createRoom('', {}), 'Give the room a name, like team.');
  await refused(admin.createRoom('x@elsewhere.org', {}), `x@elsewhere.org is not a room of this server, whose rooms are at ${MUC}. Use x@${MUC}, or just x.`);
  await refused(admin.createRoom(`x@${MUC}/nick`, {}), `Give the room without "/nick": x@${MUC}.`);
  await refused(admin.createRoom('x', { colour: 'red' } as never), '"colour" is not a room setting the console can change.');
  await refused(admin.createRoom('x', { public: 'yes' } as never), 'Listed in the room directory must be on or off.');
  await refused(admin.createRoom('x', { maxUsers: 501 }), 'The most people in the room must be a whole number from 0 (the service’s limit) to 500.');
  await refused(admin.createRoom('x', { whois: 'everybody' } as never), 'Who may see real addresses must be one of: moderators, anyone.');
  await refused(admin.createRoom('x', { name: 'x'.repeat(201) }), 'The room’s title is too long (at most 200 characters).');
  await refused(admin.createRoom('x', { owner: 'nobody' }), `There is no account nobody@${DOMAIN} to own the room. Add it first, or choose another owner.`);
  await refused(admin.createRoom('x', 'not settings' as never), 'The room settings must be given as names and values.');
  await refused(admin.getRoom('nope'), `There is no room nope@${MUC}.`);
  await refused(admin.configureRoom('nope', { moderated: true }), `There is no room nope@${MUC}.`);
  await refused(admin.destroyRoom('nope', ''), `There is no room nope@${MUC}.`);
  await refused(admin.kickOccupant('nope', 'bob', ''), `There is no room nope@${MUC}.`);
  await refused(admin.destroyRoom('team', 'x'.repeat(1001)), 'The reason is too long (at most 1000 characters).');
  assert.equal(muc.calls.length, before, 'nothing refused reached the service');
  // A remote owner is not checked against the accounts.
  assert.equal((await admin.createRoom('remote', { owner: 'carol@example.org' })).affiliations[0].jid, 'carol@example.org');
});

test('the service turned off (or not loaded): every room call says so', async () => {
  const { admin, router, config } = await running();
  registerMucAdmin(router, null);
  await refused(admin.listRooms(), 'The group chat service is not running on this server, so there are no rooms to manage.');
  config.muc.enabled = false;
  for (const p of [admin.listRooms(), admin.getRoom('team'), admin.createRoom('team', {}), admin.destroyRoom('team', ''), admin.kickOccupant('team', 'bob', '')]) {
    await refused(p, 'Group chat is turned off in Settings. Turn it on there and restart Parley to manage rooms.');
  }
});

test('the console feed sends one coalesced rooms event for a burst of changes', async () => {
  const { admin, muc } = await running();
  await admin.createRoom('team', {});
  const events: ConsoleEvent['type'][] = [];
  let resolve: () => void = () => undefined;
  const got = new Promise<void>((r) => { resolve = r; });
  const off = admin.subscribe((e) => {
    events.push(e.type);
    if (e.type === 'rooms') resolve();
  });
  try {
    for (let i = 0; i < 50; i++) muc.join('team', `n${i}`, `u${i}@${DOMAIN}/r`);
    await got;
    assert.deepEqual(events.filter((t) => t === 'rooms'), ['rooms']);
  } finally {
    off();
  }
});

test('no server running: stored rooms are listed, shown, created and destroyed in the room store; the rest waits for a start', async () => {
  const dataDir = await tmpDir();
  const { accounts, storage } = await openAccounts(null, { domain: DOMAIN, scramIterations: 4096, sessions: null, log: null });
  await accounts.create('alice', 'pw-alice');
  const config = { ...defaultConfig(dataDir), domain: DOMAIN };
  config.muc.maxRooms = 2;
  const admin = new AdminService({
    domain: DOMAIN, dataDir, accounts, sessions: null, startedAt: null, ports: () => ({}), certificate: async () => null, offline: { storage, config },
  });
  const made = await admin.createRoom('Team', { name: 'Team', membersOnly: true, owner: 'alice' });
  assert.equal(made.jid, `team@${MUC}`);
  assert.equal(made.occupants, 0);
  const doc = await (await storage.open(roomStore)).get('team');
  assert.ok(doc, 'the room is in the store');
  assert.equal(doc.config.membersOnly, true);
  assert.equal(doc.config.persistent, true, 'the service’s default');
  assert.deepEqual(doc.affiliations, [{ jid: `alice@${DOMAIN}`, affiliation: 'owner' }]);
  assert.equal(doc.subject, null);

  await refused(admin.createRoom('team', {}), `The room team@${MUC} already exists.`);
  await refused(admin.createRoom('temp', { persistent: false }), /^A temporary room ends when its last occupant leaves, so it cannot be made while Parley is stopped\./);
  await admin.createRoom('lobby', {});
  await refused(admin.createRoom('third', {}), 'The service already has 2 rooms, its limit (Settings, group chat). Raise the limit or destroy a room first.');
  assert.deepEqual((await admin.listRooms()).map((r) => [r.room, r.name, r.membersOnly]), [['lobby', '', false], ['team', 'Team', true]]);
  assert.equal((await admin.getRoom(`team@${MUC}`)).settings.membersOnly, true);

  await refused(admin.kickOccupant('team', 'bob', ''), `Parley is not running on ${dataDir}; start it (parley serve) to kick someone out of a room.`);
  await refused(admin.configureRoom('team', { moderated: true }), `Parley is not running on ${dataDir}; start it (parley serve) to change a room’s settings.`);
  await refused(admin.setRoomAffiliation('team', 'bob', 'member', ''), `Parley is not running on ${dataDir}; start it (parley serve) to change who belongs to a room.`);

  assert.deepEqual(await admin.destroyRoom('team', ''), { jid: `team@${MUC}` });
  await refused(admin.destroyRoom('team', ''), `There is no room team@${MUC}.`);
  assert.equal(await (await storage.open(roomStore)).get('team'), null);

  config.muc.enabled = false;
  await refused(admin.createRoom('x', {}), 'Group chat is turned off in Settings. Turn it on there and restart Parley to manage rooms.');
  assert.deepEqual((await admin.listRooms()).map((r) => r.room), ['lobby'], 'stored rooms are still listed');
});

test('admin socket: room calls carry a room’s settings as an object; wrong kinds of parameters are refused with a sentence', async (t) => {
  const dir = await tmpDir();
  const { admin, muc } = await running(dir);
  const server = await AdminSocketServer.start(dir, admin, new Logger('error', null));
  t.after(() => server.close());
  const client = await AdminClient.connect(dir);
  assert.ok(client);
  t.after(() => client.close());

  const made = await client.createRoom('team', { name: 'Team', moderated: true, owner: 'bob' });
  assert.equal(made.jid, `team@${MUC}`);
  assert.deepEqual(muc.calls.at(-1), ['createRoom', 'team', { owner: `bob@${DOMAIN}`, config: { name: 'Team', moderated: true } }]);
  muc.join('team', 'Bob', `bob@${DOMAIN}/phone`);
  assert.deepEqual((await client.listRooms()).map((r) => [r.jid, r.occupants]), [[`team@${MUC}`, 1]]);
  assert.equal((await client.getRoom('team')).occupantList[0].nick, 'Bob');
  assert.equal((await client.configureRoom('team', { membersOnly: true })).settings.membersOnly, true);
  assert.deepEqual(await client.kickOccupant('team', 'Bob', 'Bye'), { jid: `team@${MUC}`, nick: 'Bob' });
  assert.deepEqual(await client.setRoomAffiliation('team', 'carol@example.org', 'admin', ''), { jid: `team@${MUC}`, user: 'carol@example.org', affiliation: 'admin' });
  await assert.rejects(client.createRoom('team', {}), (err: unknown) => err instanceof AdminError && err.message === `The room team@${MUC} already exists.`);
  assert.deepEqual(await client.destroyRoom('team', 'Done'), { jid: `team@${MUC}` });

  assert.deepEqual(parseAdminRequest('{"id":1,"method":"createRoom","params":["x","y"]}'), { id: 1, error: 'createRoom takes 2 parameters: a string and an object.' });
  assert.deepEqual(parseAdminRequest('{"id":2,"method":"createRoom","params":["x",[1]]}'), { id: 2, error: 'createRoom takes 2 parameters: a string and an object.' });
  assert.deepEqual(parseAdminRequest('{"id":3,"method":"configureRoom","params":["x",null]}'), { id: 3, error: 'configureRoom takes 2 parameters: a string and an object.' });
  assert.deepEqual(parseAdminRequest('{"id":4,"method":"destroyRoom","params":["x"]}'), { id: 4, error: 'destroyRoom takes 2 string parameters.' });
  assert.deepEqual(parseAdminRequest('{"id":5,"method":"kickOccupant","params":["x",{},"y"]}'), { id: 5, error: 'kickOccupant takes 3 string parameters.' });
});
