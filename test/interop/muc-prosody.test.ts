// Group chat across federation with a real peer: Debian's Prosody (0.12) as a child process (helpers/prosody.ts),
// its MUC component at conference.prosody.test, and Parley at parley.test with service hosts of its own.
//   1. A Parley user in a Prosody room (XEP-0045 over s2s to a subdomain of the peer): the join order (the other
//      occupants, then the self-presence with 110), groupchat both ways with the sender's id kept, and a kick by the
//      room's owner (307 to the kicked user and to the others).
//   2. A Prosody user reaching a Parley service host (echo.parley.test, a test-only host): Prosody dials back
//      echo.parley.test (an inbound stream addressed to it) and the answer goes out *from* echo.parley.test.
//   3. A Prosody user in a Parley room at conference.parley.test: each side sees the other's presence with the right
//      status codes, groupchat both ways with the sender's id kept, a kick by the Parley owner (307) and one from the
//      console, and the Prosody user's occupant leaving when Prosody goes away: an orderly shutdown (SIGTERM:
//      Prosody sends the user's unavailable presence) and a server that is simply gone (SIGKILL: the room's next
//      presence to it bounces, and the ghost is removed with 333, MUC-25).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MODULES } from '../../server/modules/index.js';
import { startDomain, loginTo, isStanza, type DomainServer } from '../helpers/s2s.js';
import { Prosody, prosodySkip } from '../helpers/prosody.js';
import { nextId, type RawClient, type Element } from '../helpers/raw-client.js';
import { item, statuses } from '../helpers/muc-client.js';
import { EchoHostModule } from '../modules/echo-host.js';
import { mucAdminOf } from '../../server/muc/muc-admin.js';

const skip = prosodySkip;
const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';
const NS_MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
const PROSODY_MUC = 'conference.prosody.test';
const PARLEY_MUC = 'conference.parley.test';

let parley: DomainServer;
let prosody: Prosody | null = null;
const echo = new EchoHostModule();
const clients: RawClient[] = [];

before(async () => {
  if (skip) return;
  parley = await startDomain('parley.test', {}, [...DEFAULT_MODULES, echo]);
  await Promise.all([parley.addUser('pam'), parley.addUser('paul')]);
  prosody = await startPeer();
});

/** A Prosody for parley.test and its hosts, with a MUC component; Parley's routes point at it. */
async function startPeer(): Promise<Prosody> {
  const p = await Prosody.start({
    peers: { 'parley.test': parley.s2sPort, [echo.domain]: parley.s2sPort, [PARLEY_MUC]: parley.s2sPort },
    users: { pat: 'pat-secret', pia: 'pia-secret', pete: 'pete-secret' },
    components: [`Component ${JSON.stringify(PROSODY_MUC)} "muc"`],
    certNames: [PROSODY_MUC],
  });
  // Each remote domain is a server of its own to Parley, found by its own route (its SRV records on the Internet).
  const route = `127.0.0.1:${p.s2sPort}`;
  parley.server.config.s2sHosts = { 'prosody.test': route, [PROSODY_MUC]: route };
  return p;
}

after(async () => {
  for (const c of clients) c.destroy();
  await prosody?.dispose();
  await parley?.stop();
});

type Client = RawClient & { jid: string };

async function parleyUser(user: string, resource: string): Promise<Client> {
  const c = await loginTo(parley, user, resource);
  clients.push(c);
  return c;
}



const fromRoom = (room: string) => (e: Element): boolean => e.name === 'presence' && String(e.attrs.from).startsWith(`${room}/`);

test('a Parley user joins a Prosody room, talks both ways and is kicked by the room\'s owner', { skip, timeout: 30_000 }, async () => {
  const p = prosody!;
  const room = `lounge@${PROSODY_MUC}`;
  const pat = await p.login('pat', 'pat-secret', 'owner');

  // pat creates the room (Prosody locks a new room until its owner configures it: an instant room, XEP-0045 §10.1.2).
  pat.send(`<presence to='${room}/pat'><x xmlns='${NS_MUC}'/></presence>`);
  const created = await p.explain(pat.nextElement(fromRoom(room), 'pat\'s self-presence in the new room'));
  assert.deepEqual(statuses(created), ['110', '201']);
  const cfg = nextId('cfg');
  const configured = await pat.iq(`<iq type='set' to='${room}' id='${cfg}'><query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'/></query></iq>`, cfg);
  assert.equal(configured.attrs.type, 'result', configured.toString());

  // pam joins from Parley: first the occupants already there, then her own presence with 110 (XEP-0045 §7.2.3).
  const pam = await parleyUser('pam', 'desk');
  pam.send(`<presence to='${room}/pam'><x xmlns='${NS_MUC}'/></presence>`);
  const first = await p.explain(pam.nextElement(fromRoom(room), 'the first presence from the room at pam', 10_000));
  assert.equal(first.attrs.from, `${room}/pat`);
  assert.equal(first.attrs.to, pam.jid);
  assert.deepEqual(statuses(first), []);
  assert.equal(item(first).affiliation, 'owner');
  assert.equal(item(first).role, 'moderator');
  const self = await pam.nextElement(fromRoom(room), 'pam\'s self-presence');
  assert.equal(self.attrs.from, `${room}/pam`);
  assert.equal(self.attrs.type, undefined);
  assert.ok(statuses(self).includes('110'), `110 in ${self.toString()}`);
  assert.equal(item(self).role, 'participant');
  const subject = await pam.nextElement(isStanza('message', (e) => e.getChild('subject') !== undefined), 'the subject');
  assert.equal(subject.attrs.from, room);
  // The owner sees pam arrive (no jid: a semi-anonymous room shows real JIDs to moderators only — pat is one).
  const arrived = await pat.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/pam`, 'pam\'s arrival at pat');
  assert.equal(item(arrived).role, 'participant');
  assert.equal(item(arrived).jid, pam.jid);

  // Groupchat both ways; each occupant (the sender too) gets it from the sender's occupant JID, with its id.
  pam.send(`<message to='${room}' type='groupchat' id='g1'><body>hello from Parley</body></message>`);
  for (const [who, c] of [['pat', pat], ['pam', pam]] as const) {
    const m = await p.explain(c.nextElement(isStanza('message', (e) => e.getChildText('body') === 'hello from Parley'), `pam's groupchat at ${who}`));
    assert.equal(m.attrs.from, `${room}/pam`);
    assert.equal(m.attrs.type, 'groupchat');
    assert.equal(m.attrs.id, 'g1');
  }
  pat.send(`<message to='${room}' type='groupchat' id='g2'><body>hello from Prosody</body></message>`);
  const g2 = await p.explain(pam.nextElement(isStanza('message', (e) => e.attrs.id === 'g2'), 'pat\'s groupchat at pam'));
  assert.equal(g2.attrs.from, `${room}/pat`);
  assert.equal(g2.attrs.to, pam.jid);
  assert.equal(g2.getChildText('body'), 'hello from Prosody');

  // The owner kicks pam (XEP-0045 §8.2): pam gets her unavailable self-presence with 307 and 110, pat sees her go
  // with 307.
  const kick = nextId('kick');
  pat.send(`<iq type='set' to='${room}' id='${kick}'><query xmlns='${NS_MUC_ADMIN}'><item nick='pam' role='none'><reason>interop</reason></item></query></iq>`);
  const kicked = await p.explain(pam.nextElement((e) => fromRoom(room)(e) && e.attrs.type === 'unavailable', 'pam\'s kick'));
  assert.equal(kicked.attrs.from, `${room}/pam`);
  assert.deepEqual(statuses(kicked), ['110', '307']);
  assert.equal(item(kicked).role, 'none');
  const seen = await pat.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/pam` && e.attrs.type === 'unavailable', 'pam leaving, at pat');
  assert.deepEqual(statuses(seen), ['307']);
  const result = await pat.nextElement(isStanza('iq', (e) => e.attrs.id === kick), 'the kick\'s result');
  assert.equal(result.attrs.type, 'result');
});

test('a Prosody user reaches a Parley service host: Prosody dials back echo.parley.test and the answer comes from it', { skip, timeout: 20_000 }, async () => {
  const p = prosody!;
  const pia = await p.login('pia', 'pia-secret', 'interop');
  pia.send(`<message to='${echo.domain}' type='chat' id='e1'><body>ping the echo</body></message>`);
  const back = await p.explain(pia.nextElement(isStanza('message', (e) => e.attrs.id === 'e1'), 'the echo\'s answer at pia', 10_000));
  assert.equal(back.attrs.from, echo.domain);
  assert.equal(back.getChildText('body'), 'echo: ping the echo');
  // Prosody authenticated echo.parley.test itself as a sender on Parley's stream (dialback for the service host).
  assert.ok(p.log.some((l) => /^s2sin\S*\s+debug\s.*is now authenticated for echo\.parley\.test$/.test(l)), `Prosody authenticated echo.parley.test on an inbound stream\n${p.logTail()}`);
});

/** Create `room` on Parley's service as `c` (owner) and unlock it as an instant room (XEP-0045 §10.1.2). */
async function createParleyRoom(c: Client, room: string, nick: string): Promise<void> {
  c.send(`<presence to='${room}/${nick}'><x xmlns='${NS_MUC}'/></presence>`);
  const self = await c.nextElement(fromRoom(room), `${nick}'s self-presence in the new room`);
  assert.deepEqual(statuses(self), ['110', '201']);
  assert.equal(item(self).affiliation, 'owner');
  await c.nextElement(isStanza('message', (e) => e.getChild('subject') !== undefined), 'the new room\'s subject');
  const id = nextId('cfg');
  const r = await c.iq(`<iq type='set' to='${room}' id='${id}'><query xmlns='${NS_MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'/></query></iq>`, id);
  assert.equal(r.attrs.type, 'result', r.toString());
}

/**
 * `remote` (a Prosody user) joins `room` on Parley where `owner` is: it gets the owner's presence, then its own with
 * 110, then the subject; the owner sees it arrive (with its real JID: the owner is a moderator).
 */
async function joinFromProsody(p: Prosody, remote: Client, owner: Client, room: string, nick: string, ownerNick: string): Promise<void> {
  remote.send(`<presence to='${room}/${nick}'><x xmlns='${NS_MUC}'/></presence>`);
  const first = await p.explain(remote.nextElement(fromRoom(room), `the first presence from ${room} at ${nick}`, 10_000));
  assert.equal(first.attrs.from, `${room}/${ownerNick}`);
  assert.equal(first.attrs.to, remote.jid);
  assert.deepEqual(statuses(first), []);
  assert.equal(item(first).affiliation, 'owner');
  assert.equal(item(first).role, 'moderator');
  assert.equal(item(first).jid, undefined, 'a semi-anonymous room shows real JIDs to moderators only');
  const self = await remote.nextElement(fromRoom(room), `${nick}'s self-presence`);
  assert.equal(self.attrs.from, `${room}/${nick}`);
  assert.equal(self.attrs.type, undefined);
  assert.deepEqual(statuses(self), ['110']);
  assert.equal(item(self).affiliation, 'none');
  assert.equal(item(self).role, 'participant');
  const subject = await remote.nextElement(isStanza('message', (e) => e.getChild('subject') !== undefined), `the subject at ${nick}`);
  assert.equal(subject.attrs.from, room);
  const arrived = await owner.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/${nick}`, `${nick}'s arrival at the owner`);
  assert.equal(arrived.attrs.type, undefined);
  assert.deepEqual(statuses(arrived), []);
  assert.equal(item(arrived).role, 'participant');
  assert.equal(item(arrived).jid, remote.jid);
}

test('a Prosody user joins a Parley room: presences with their status codes, groupchat both ways with ids kept', { skip, timeout: 30_000 }, async () => {
  const p = prosody!;
  const room = `office@${PARLEY_MUC}`;
  const paul = await parleyUser('paul', 'desk');
  await createParleyRoom(paul, room, 'paul');
  const pia = await p.login('pia', 'pia-secret', 'interop');
  await joinFromProsody(p, pia, paul, room, 'pia', 'paul');

  // Groupchat both ways: every occupant, the sender too, gets it from the sender's occupant JID with its id (MUC-27).
  pia.send(`<message to='${room}' type='groupchat' id='g3'><body>hello from Prosody</body></message>`);
  for (const [who, c] of [['paul', paul], ['pia', pia]] as const) {
    const m = await p.explain(c.nextElement(isStanza('message', (e) => e.getChildText('body') === 'hello from Prosody'), `pia's groupchat at ${who}`));
    assert.equal(m.attrs.from, `${room}/pia`);
    assert.equal(m.attrs.to, c.jid);
    assert.equal(m.attrs.type, 'groupchat');
    assert.equal(m.attrs.id, 'g3');
  }
  paul.send(`<message to='${room}' type='groupchat' id='g4'><body>hello from Parley</body></message>`);
  const g4 = await p.explain(pia.nextElement(isStanza('message', (e) => e.attrs.id === 'g4'), 'paul\'s groupchat at pia'));
  assert.equal(g4.attrs.from, `${room}/paul`);
  assert.equal(g4.attrs.to, pia.jid);
  assert.equal(g4.getChildText('body'), 'hello from Parley');
  const echoed = await paul.nextElement(isStanza('message', (e) => e.attrs.id === 'g4'), 'paul\'s own groupchat back');
  assert.equal(echoed.attrs.from, `${room}/paul`);
});

test('a kick from the console (the same role change muc#admin makes) reaches the Prosody user with 110 and 307', { skip, timeout: 30_000 }, async () => {
  const p = prosody!;
  const room = `hall@${PARLEY_MUC}`;
  const paul = await parleyUser('paul', 'console');
  await createParleyRoom(paul, room, 'paul');
  const pia = await p.login('pia', 'pia-secret', 'console');
  await joinFromProsody(p, pia, paul, room, 'pia', 'paul');
  const admin = mucAdminOf(parley.server.context_.router);
  assert.ok(admin, 'the group chat service runs');
  await admin.kickOccupant('hall', 'pia', 'from the console');
  const kicked = await p.explain(pia.nextElement((e) => fromRoom(room)(e) && e.attrs.type === 'unavailable', 'pia\'s kick'));
  assert.equal(kicked.attrs.from, `${room}/pia`);
  assert.deepEqual(statuses(kicked), ['110', '307']);
  assert.equal(item(kicked).role, 'none');
  assert.equal(kicked.getChild('x', NS_MUC_USER)?.getChild('item')?.getChildText('reason'), 'from the console');
  const seen = await paul.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/pia` && e.attrs.type === 'unavailable', 'pia leaving, at paul');
  assert.deepEqual(statuses(seen), ['307']);
});

test('the Parley owner kicks a Prosody user (muc#admin role none): 110 and 307 to the kicked user over federation, 307 to the others', { skip, timeout: 30_000 }, async () => {
  const p = prosody!;
  const room = `porch@${PARLEY_MUC}`;
  const paul = await parleyUser('paul', 'kick');
  await createParleyRoom(paul, room, 'paul');
  const pia = await p.login('pia', 'pia-secret', 'kicked');
  await joinFromProsody(p, pia, paul, room, 'pia', 'paul');
  const kick = nextId('kick');
  paul.send(`<iq type='set' to='${room}' id='${kick}'><query xmlns='${NS_MUC_ADMIN}'><item nick='pia' role='none'><reason>interop</reason></item></query></iq>`);
  const result = await paul.nextElement(isStanza('iq', (e) => e.attrs.id === kick), 'the kick\'s result');
  assert.equal(result.attrs.type, 'result', result.toString());
  const kicked = await p.explain(pia.nextElement((e) => fromRoom(room)(e) && e.attrs.type === 'unavailable', 'pia\'s kick'));
  assert.equal(kicked.attrs.from, `${room}/pia`);
  assert.deepEqual(statuses(kicked), ['110', '307']);
  assert.equal(item(kicked).role, 'none');
  assert.equal(kicked.getChild('x', NS_MUC_USER)?.getChild('item')?.getChildText('reason'), 'interop');
  const seen = await paul.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/pia` && e.attrs.type === 'unavailable', 'pia leaving, at paul');
  assert.deepEqual(statuses(seen), ['307']);
  assert.equal(item(seen).role, 'none');
});

test('Prosody shuts down (SIGTERM): its user\'s occupant leaves the Parley room by the unavailable presence Prosody sends', { skip, timeout: 30_000 }, async () => {
  const p = prosody!;
  const room = `desk@${PARLEY_MUC}`;
  const paul = await parleyUser('paul', 'sigterm');
  await createParleyRoom(paul, room, 'paul');
  const pete = await p.login('pete', 'pete-secret', 'interop');
  await joinFromProsody(p, pete, paul, room, 'pete', 'paul');
  await p.stop('SIGTERM');
  const gone = await paul.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/pete` && e.attrs.type === 'unavailable', 'pete leaving, at paul', 10_000);
  // An ordinary exit (MUC-24): no status code, role none.
  assert.deepEqual(statuses(gone), []);
  assert.equal(item(gone).role, 'none');
  await p.dispose();
  prosody = await startPeer();
});

test('Prosody is gone (SIGKILL): the room\'s next presence to its user bounces and the ghost is removed with 333 (MUC-25)', { skip, timeout: 30_000 }, async () => {
  const p = prosody!;
  const room = `attic@${PARLEY_MUC}`;
  const paul = await parleyUser('paul', 'sigkill');
  await createParleyRoom(paul, room, 'paul');
  const pete = await p.login('pete', 'pete-secret', 'interop');
  await joinFromProsody(p, pete, paul, room, 'pete', 'paul');
  // Parley must have seen its stream to prosody.test drop before the room sends: a stanza written into a connection
  // whose end has not been read yet is lost without a bounce (TCP gives no error for it), as on any network.
  const dropped = new Promise<void>((resolve) => {
    const on = (_id: string, direction: 'in' | 'out', remote: string): void => {
      if (direction !== 'out' || remote !== 'prosody.test') return;
      parley.s2s.events.removeListener('stream-closed', on);
      resolve();
    };
    parley.s2s.events.on('stream-closed', on);
  });
  await p.stop('SIGKILL');
  await dropped;
  // A presence change of paul's is broadcast to pete too; its bounce (remote-server-timeout: nothing listens where
  // Prosody was) tells the room pete is unreachable. A groupchat message would do the same.
  paul.send(`<presence to='${room}/paul'><show>away</show></presence>`);
  const own = await paul.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/paul`, 'paul\'s own presence change back');
  assert.equal(own.getChildText('show'), 'away');
  const gone = await paul.nextElement((e) => e.name === 'presence' && e.attrs.from === `${room}/pete` && e.attrs.type === 'unavailable', 'pete removed, at paul', 10_000);
  assert.deepEqual(statuses(gone), ['333']);
  assert.equal(item(gone).role, 'none');
});
