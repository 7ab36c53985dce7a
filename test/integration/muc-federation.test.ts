// Group chat between two Parley servers on loopback (two offices): a.test's room at conference.a.test, a user of
// b.test in it. What the Prosody interop test (test/interop/muc-prosody.test.ts) does not show: Parley as the
// occupant's server of a Parley room — private messages between occupants across the link (MUC-29), one remote user
// under one nick from two clients (MUC-15), and the occupant's server shutting down in order: its users leave the
// room by their unavailable presence, sent before its federation closes (MUC-24), rather than staying as ghosts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, link, isStanza, clientsOf, type DomainServer } from '../helpers/s2s.js';
import { nextId, type Element, type RawClient } from '../helpers/raw-client.js';
import { item, statuses } from '../helpers/muc-client.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
const ROOM = 'team@conference.a.test';

let a: DomainServer;
let b: DomainServer;
const clients = clientsOf();
const { login } = clients;
type Client = RawClient & { jid: string };

before(async () => {
  [a, b] = await Promise.all([startDomain('a.test'), startDomain('b.test')]);
  link(a, b);
  // conference.a.test is a domain of its own to b.test (its own SRV records on the Internet).
  b.server.config.s2sHosts = { ...b.server.config.s2sHosts, 'conference.a.test': a.route };
  await Promise.all([a.addUser('alice'), b.addUser('bob')]);
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});



const presenceFrom = (from: string, type?: string) => (e: Element): boolean => e.name === 'presence' && e.attrs.from === from && e.attrs.type === type;
const isSubject = (e: Element): boolean => e.name === 'message' && e.getChild('subject') !== undefined;

let alice: Client;
let bob: Client;

test('a user of b.test joins a room of a.test: the occupants, then 110, then the subject; the owner sees it arrive', async () => {
  alice = await login(a, 'alice', 'desk');
  alice.send(`<presence to='${ROOM}/alice'><x xmlns='${NS_MUC}'/></presence>`);
  assert.deepEqual(statuses(await alice.nextElement(presenceFrom(`${ROOM}/alice`), 'alice\'s self-presence')), ['110', '201']);
  await alice.nextElement(isSubject, 'the new room\'s subject');
  const id = nextId('cfg');
  const r = await alice.iq(`<iq type='set' to='${ROOM}' id='${id}'><query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'/></query></iq>`, id);
  assert.equal(r.attrs.type, 'result', r.toString());

  bob = await login(b, 'bob', 'laptop');
  bob.send(`<presence to='${ROOM}/bob'><x xmlns='${NS_MUC}'/></presence>`);
  const first = await bob.nextElement(undefined, 'the first stanza from the room at bob');
  assert.equal(first.attrs.from, `${ROOM}/alice`);
  assert.equal(item(first).role, 'moderator');
  const self = await bob.nextElement(undefined, 'bob\'s self-presence');
  assert.equal(self.attrs.from, `${ROOM}/bob`);
  assert.deepEqual(statuses(self), ['110']);
  const subject = await bob.nextElement(undefined, 'the subject');
  assert.ok(isSubject(subject), subject.toString());
  const arrived = await alice.nextElement(presenceFrom(`${ROOM}/bob`), 'bob\'s arrival at alice');
  assert.equal(item(arrived).jid, bob.jid);
});

test('private messages between occupants cross the link both ways, from occupant JIDs (MUC-29)', async () => {
  bob.send(`<message to='${ROOM}/alice' type='chat' id='pm1'><body>psst</body></message>`);
  const pm = await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'pm1'), 'bob\'s private message');
  assert.equal(pm.attrs.from, `${ROOM}/bob`);
  assert.equal(pm.attrs.to, alice.jid);
  assert.ok(pm.getChild('x', NS_MUC_USER), pm.toString());
  alice.send(`<message to='${ROOM}/bob' type='chat' id='pm2'><body>yes?</body></message>`);
  const back = await bob.nextElement(isStanza('message', (e) => e.attrs.id === 'pm2'), 'alice\'s answer');
  assert.equal(back.attrs.from, `${ROOM}/alice`);
  assert.equal(back.attrs.to, bob.jid);
});

test('a second client of the remote user joins under the same nick: one occupant, both clients get the room\'s traffic (MUC-15)', async () => {
  const phone = await login(b, 'bob', 'phone');
  phone.send(`<presence to='${ROOM}/bob'><x xmlns='${NS_MUC}'/></presence>`);
  await phone.nextElement(presenceFrom(`${ROOM}/alice`), 'alice at the phone');
  assert.deepEqual(statuses(await phone.nextElement(presenceFrom(`${ROOM}/bob`), 'the phone\'s self-presence')), ['110']);
  await phone.nextElement(isSubject, 'the subject at the phone');
  alice.send(`<message to='${ROOM}' type='groupchat' id='g1'><body>both of you</body></message>`);
  for (const [name, c] of [['laptop', bob], ['phone', phone]] as const) {
    const m = await c.nextElement(isStanza('message', (e) => e.attrs.id === 'g1'), `the groupchat at bob's ${name}`);
    assert.equal(m.attrs.from, `${ROOM}/alice`);
    assert.equal(m.attrs.to, c.jid);
  }
  await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'g1'), 'alice\'s own groupchat back');
  // The phone leaves; bob is still in with his laptop, so alice sees no one leave (nothing but the phone's exit).
  phone.send(`<presence to='${ROOM}/bob' type='unavailable'/>`);
  const exit = await phone.nextElement(presenceFrom(`${ROOM}/bob`, 'unavailable'), 'the phone\'s exit');
  assert.ok(statuses(exit).includes('110'), exit.toString());
  phone.destroy();
});

// ParleyServer.stop() closes client streams and waits for the unavailable presence their closing sets off before it
// stops federation (as Prosody does: test/interop/muc-prosody.test.ts, SIGTERM); before, bob stayed a ghost.
test('b.test shuts down: bob leaves the room by his unavailable presence (MUC-24), not as a ghost', async () => {
  await b.stop();
  const gone = await alice.nextElement(presenceFrom(`${ROOM}/bob`, 'unavailable'), 'bob leaving, at alice', 5000);
  assert.deepEqual(statuses(gone), []);
  assert.equal(item(gone).role, 'none');
});
