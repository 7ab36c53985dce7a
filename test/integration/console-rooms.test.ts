// Group chat administration against a real server and its real MUC module (issue 10): the console's HTTP API and
// the admin socket create, list, show, configure and destroy rooms, kick and ban occupants who entered with real
// XMPP clients (the clients get the XEP-0045 presences: 307, 301, <destroy/>), refuse bad input with sentences, and
// change the service's policy live (people per room, who may create rooms). A server with group chat turned off
// says so.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { ImClient, addUsers } from '../helpers/im-client.js';
import { codes, errorCondition, item, join, joinRefused, joinXml, MUC_USER, roomJid, SERVICE } from '../helpers/muc-client.js';
import { ok, refused, setUpConsole, type ConsoleLogin } from '../helpers/console-http.js';
import type { Element } from '../helpers/raw-client.js';
import type { RoomInfo, RoomView } from '../../server/admin/room-api.js';
import type { SettingsView } from '../../server/admin/console-api.js';
import { AdminClient } from '../../server/admin/admin-client.js';
import { AdminError } from '../../server/admin/admin-api.js';

let t: TestServer;
let admin: ConsoleLogin;
const clients: ImClient[] = [];

before(async () => {
  t = await startServer({ httpPort: 0, limits: { presencePerSecond: 1000, presenceBurst: 1000 } });
  admin = await setUpConsole(t.server.ports.http, t.server.setupLink!, DOMAIN, { user: 'admin', password: 'admin-password-1' });
  await addUsers(t, 'alice', 'bob', 'carol', 'dave');
});

after(async () => {
  for (const c of clients) await c.quit().catch(() => undefined);
  await t.stop();
});

async function client(user: string, resource = 'r'): Promise<ImClient> {
  const c = await ImClient.login(t, user, resource);
  clients.push(c);
  return c;
}

/** The unavailable presence this occupant gets about itself, from the room. */
function selfGone(c: ImClient, room: string, nick: string): Promise<Element> {
  return c.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `${roomJid(room)}/${nick}`, `${nick} leaving ${room}`);
}

test('the console creates a room, a real client enters it and is listed with its real JID and role, and a kick from the console reaches the client as 307', async () => {
  assert.deepEqual(await ok(admin, 'listRooms'), []);
  const made = await ok<RoomView>(admin, 'createRoom', { room: 'Team', options: { name: 'The team', owner: 'alice' } });
  assert.equal(made.jid, `team@${SERVICE}`);
  assert.equal(made.settings.name, 'The team');
  assert.equal(made.locked, false, 'made by the console: open at once');
  assert.deepEqual(made.affiliations, [{ jid: `alice@${DOMAIN}`, affiliation: 'owner', nick: '', reason: '' }]);
  const listed = await ok<RoomInfo[]>(admin, 'listRooms');
  assert.deepEqual(listed.map((r) => [r.jid, r.name, r.occupants, r.persistent, r.public]), [[`team@${SERVICE}`, 'The team', 0, true, true]]);

  const bob = await client('bob', 'phone');
  const got = await join(bob, 'team', 'Bob');
  const self = got.find((e) => e.attrs.from === `${roomJid('team')}/Bob`)!;
  assert.deepEqual(codes(self), [110]);
  assert.equal(item(self).role, 'participant');

  const view = await ok<RoomView>(admin, 'getRoom', { room: `team@${SERVICE}` });
  assert.deepEqual(view.occupantList, [{ nick: 'Bob', jid: `bob@${DOMAIN}`, resources: [bob.jid], role: 'participant', affiliation: 'none' }]);
  assert.equal((await ok<RoomInfo[]>(admin, 'listRooms'))[0].occupants, 1);

  assert.deepEqual(await ok(admin, 'kickOccupant', { room: 'team', nick: 'Bob', reason: 'Too loud' }), { jid: `team@${SERVICE}`, nick: 'Bob' });
  const kicked = await selfGone(bob, 'team', 'Bob');
  assert.deepEqual(codes(kicked).sort(), [110, 307]);
  assert.equal(item(kicked).role, 'none');
  assert.equal(kicked.getChild('x', MUC_USER)?.getChild('item')?.getChildText('reason'), 'Too loud');
  assert.deepEqual((await ok<RoomView>(admin, 'getRoom', { room: 'team' })).occupantList, []);
});

test('a ban from the console reaches the occupant as 301 and keeps them out; a destroy with a reason tells everyone inside', async () => {
  await ok(admin, 'createRoom', { room: 'lobby', options: {} });
  const carol = await client('carol');
  const dave = await client('dave');
  await join(carol, 'lobby', 'Carol');
  await join(dave, 'lobby', 'Dave');
  assert.deepEqual(await ok(admin, 'setRoomAffiliation', { room: 'lobby', user: 'carol', affiliation: 'outcast', reason: 'Spam' }),
    { jid: `lobby@${SERVICE}`, user: `carol@${DOMAIN}`, affiliation: 'outcast' });
  const banned = await selfGone(carol, 'lobby', 'Carol');
  assert.deepEqual(codes(banned).sort(), [110, 301]);
  assert.equal(item(banned).affiliation, 'outcast');
  assert.equal(await joinRefused(carol, 'lobby', 'Carol'), 'forbidden');
  assert.deepEqual((await ok<RoomView>(admin, 'getRoom', { room: 'lobby' })).affiliations, [{ jid: `carol@${DOMAIN}`, affiliation: 'outcast', nick: '', reason: 'Spam' }]);

  assert.deepEqual(await ok(admin, 'destroyRoom', { room: 'lobby', reason: 'Moving to team' }), { jid: `lobby@${SERVICE}` });
  const gone = await selfGone(dave, 'lobby', 'Dave');
  const destroy = gone.getChild('x', MUC_USER)?.getChild('destroy');
  assert.ok(destroy, gone.toString());
  assert.equal(destroy.getChildText('reason'), 'Moving to team');
  assert.deepEqual((await ok<RoomInfo[]>(admin, 'listRooms')).map((r) => r.room), ['team']);
});

test('the console changes a room’s settings; the service applies them (members only keeps a stranger out)', async () => {
  const changed = await ok<RoomView>(admin, 'configureRoom', { room: 'team', changes: { membersOnly: true, password: 'door', maxUsers: 10 } });
  assert.deepEqual([changed.settings.membersOnly, changed.settings.passwordProtected, changed.settings.maxUsers], [true, true, 10]);
  const dave = await client('dave', 'other');
  assert.equal(await joinRefused(dave, 'team', 'Dave', { password: 'door' }), 'registration-required');
  await ok(admin, 'setRoomAffiliation', { room: 'team', user: `dave@${DOMAIN}`, affiliation: 'member', reason: '' });
  assert.equal(await joinRefused(dave, 'team', 'Dave', { password: 'wrong' }), 'not-authorized');
  await join(dave, 'team', 'Dave', { password: 'door' });
  await ok(admin, 'configureRoom', { room: 'team', changes: { membersOnly: false, password: '' } });
  assert.equal((await ok<RoomView>(admin, 'getRoom', { room: 'team' })).passwordProtected, false);
});

test('bad room input and refusals of the service come back as sentences with 400', async () => {
  await refused(admin, 'createRoom', { room: 'a b', options: {} }, '"a b" cannot be a room name: it contains U+0020, which RFC 7622 forbids in a localpart (no space or " & \' / : < > @).');
  await refused(admin, 'createRoom', { room: 'TEAM', options: {} }, `The room team@${SERVICE} already exists.`);
  await refused(admin, 'createRoom', { room: 'x@elsewhere.org', options: {} }, `x@elsewhere.org is not a room of this server, whose rooms are at ${SERVICE}. Use x@${SERVICE}, or just x.`);
  await refused(admin, 'createRoom', { room: 'x' }, 'The room configuration is missing.');
  await refused(admin, 'createRoom', { room: 'x', options: { maxUsers: 100000 } }, 'The most people in the room must be a whole number from 0 (the service’s limit) to 500.');
  await refused(admin, 'createRoom', { room: 'x', options: { owner: 'nobody' } }, `There is no account nobody@${DOMAIN} to own the room. Add it first, or choose another owner.`);
  await refused(admin, 'getRoom', { room: 'nope' }, `There is no room nope@${SERVICE}.`);
  await refused(admin, 'destroyRoom', { room: 'nope', reason: '' }, `There is no room nope@${SERVICE}.`);
  await refused(admin, 'kickOccupant', { room: 'team', nick: 'Nobody', reason: '' }, `Nobody is in team@${SERVICE} under the nick "Nobody".`);
  await refused(admin, 'setRoomAffiliation', { room: 'team', user: 'bob', affiliation: 'king', reason: '' }, 'The affiliation must be one of: owner, admin, member, none, outcast (banned).');
  // The service's own refusal, passed on as it is: the last owner stays.
  await refused(admin, 'setRoomAffiliation', { room: 'team', user: 'alice', affiliation: 'member', reason: '' }, `alice@${DOMAIN} is the last owner of team@${SERVICE}; make someone else owner first.`);
});

test('the group chat settings apply to the running service at once: people per room, who may create rooms', async () => {
  const view = await ok<SettingsView>(admin, 'setSettings', { changes: { mucMaxOccupants: 1, mucCreateRooms: 'admins' } });
  assert.equal(view.running?.mucMaxOccupants, 1);
  assert.deepEqual(view.pendingRestart.filter((k) => k.startsWith('muc')), [], 'nothing waits for a restart');
  assert.equal(t.server.config.muc.maxOccupants, 1);
  await ok(admin, 'createRoom', { room: 'small', options: {} });
  const [alice, bob] = [await client('alice', 'small'), await client('bob', 'small')];
  await join(alice, 'small', 'Alice');
  assert.equal(await joinRefused(bob, 'small', 'Bob'), 'service-unavailable', 'the room is full (MUC-16)');
  // bob is no administrator: entering a room that does not exist does not create it (MUC-47).
  bob.send(joinXml('bobs-room', 'Bob'));
  const refusal = await bob.waitFor((e) => e.name === 'presence' && e.attrs.type === 'error' && e.attrs.from === `${roomJid('bobs-room')}/Bob`, 'the refusal');
  assert.equal(errorCondition(refusal), 'not-allowed');

  await ok(admin, 'setSettings', { changes: { mucMaxOccupants: 500, mucCreateRooms: 'everyone' } });
  await join(bob, 'small', 'Bob');
  assert.equal((await ok<RoomInfo[]>(admin, 'listRooms')).find((r) => r.room === 'small')?.occupants, 2);
});

test('the admin socket (the CLI’s way in) reaches the same rooms with the same sentences', async () => {
  const cli = await AdminClient.connect(t.dataDir);
  assert.ok(cli, 'the test server listens on its admin socket');
  try {
    const made = await cli.createRoom('via-socket', { name: 'Socket', membersOnly: true });
    assert.equal(made.jid, `via-socket@${SERVICE}`);
    assert.equal(made.membersOnly, true);
    assert.ok((await cli.listRooms()).some((r) => r.jid === made.jid));
    await assert.rejects(cli.getRoom('nope'), (err: unknown) => err instanceof AdminError && err.message === `There is no room nope@${SERVICE}.`);
    assert.deepEqual(await cli.destroyRoom('via-socket', ''), { jid: made.jid });
  } finally {
    cli.close();
  }
});

test('with group chat turned off, the room calls say so', async () => {
  const off = await startServer({ httpPort: 0, muc: { enabled: false } });
  try {
    const login = await setUpConsole(off.server.ports.http, off.server.setupLink!, DOMAIN, { user: 'admin', password: 'admin-password-1' });
    const sentence = 'Group chat is turned off in Settings. Turn it on there and restart Parley to manage rooms.';
    await refused(login, 'listRooms', {}, sentence);
    await refused(login, 'createRoom', { room: 'team', options: {} }, sentence);
    // Turning it on is saved and waits for a restart.
    const view = await ok<SettingsView>(login, 'setSettings', { changes: { mucEnabled: true } });
    assert.deepEqual(view.pendingRestart.filter((k) => k.startsWith('muc')), ['mucEnabled']);
    await refused(login, 'listRooms', {}, sentence);
  } finally {
    await off.stop();
  }
});

test('nicks are compared as the service keeps them (case matters); a kicked client is told once and nothing more', async () => {
  const erin = await client('alice', 'erin');
  await join(erin, 'team', 'Erin');
  await refused(admin, 'kickOccupant', { room: 'team', nick: 'erin', reason: '' }, `Nobody is in team@${SERVICE} under the nick "erin".`);
  await ok(admin, 'kickOccupant', { room: 'team', nick: 'Erin', reason: '' });
  const kicked = await selfGone(erin, 'team', 'Erin');
  assert.deepEqual(codes(kicked).sort(), [110, 307]);
  // The server answers a ping after everything it sent this client: nothing else came from the room.
  assert.deepEqual((await erin.untilPong()).map((e) => e.toString()), []);
  assert.ok(!(await ok<RoomView>(admin, 'getRoom', { room: 'team' })).occupantList.some((o) => o.nick === 'Erin'));
});
