// The seams of the router (the "seams" issue): a host added by a test-only module answers for its own domain and
// nothing of the server's answers for it; a test-only filter on the outbound and inbound events sees, in order,
// a chat message to a local contact, a presence broadcast to three contacts, an iq to a contact's full JID and a
// message to another server's user (a second Parley over federation), and can drop each, the sender getting
// XEP-0016's answer. Real servers, real sockets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MODULES } from '../../server/modules/index.js';
import { startDomain, link, isStanza, type DomainServer, clientsOf, untilPong } from '../helpers/s2s.js';
import { assertStanzaError, nextId, withTimeout, type Element, type RawClient } from '../helpers/raw-client.js';
import { EchoHostModule, NS_ECHO } from '../modules/echo-host.js';
import { StanzaObserver, type Seen } from '../modules/stanza-observer.js';

let a: DomainServer;
let b: DomainServer;
const echo = new EchoHostModule();
const observer = new StanzaObserver();
const clients = clientsOf();
const { login } = clients;

before(async () => {
  [a, b] = await Promise.all([
    startDomain('a.test', {}, [...DEFAULT_MODULES, echo, observer]),
    startDomain('b.test'),
  ]);
  link(a, b);
  await Promise.all(['alice', 'bob', 'carol', 'dave'].map((u) => a.addUser(u)).concat(b.addUser('rob')));
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});



/** A mutual subscription between two users of a.test, done over the protocol. */
async function befriend(x: RawClient & { jid: string }, y: RawClient & { jid: string }): Promise<void> {
  const bx = x.jid.split('/')[0];
  const by = y.jid.split('/')[0];
  x.send(`<presence to='${by}' type='subscribe'/>`);
  await untilPong(x);
  y.send(`<presence to='${bx}' type='subscribed'/><presence to='${bx}' type='subscribe'/>`);
  await untilPong(y);
  x.send(`<presence to='${by}' type='subscribed'/>`);
  await untilPong(x);
  await untilPong(y);
}

const pick = (seen: Seen[], pred: (s: Seen) => boolean): string[] => seen.filter(pred).map((s) => `${s.dir} ${s.kind}:${s.type} ${s.from} → ${s.to}`);

test('a host added by a module answers its own messages and disco; the server\'s own modules do not answer for it; removed, it is gone', async () => {
  const alice = await login(a, 'alice', 'echo', false);
  const host = echo.domain;
  assert.equal(host, 'echo.a.test');
  // disco#items on the domain lists the registered host.
  const itemsId = nextId('items');
  const items = await alice.iq(`<iq type='get' id='${itemsId}' to='a.test'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`, itemsId);
  assert.deepEqual(items.getChild('query')!.getChildren('item').map((i) => [i.attrs.jid, i.attrs.name]), [['conference.a.test', 'Chat rooms'], ['echo.a.test', 'Echo']]);
  // Its own disco#info answers, not the server's.
  const infoId = nextId('info');
  const info = await alice.iq(`<iq type='get' id='${infoId}' to='${host}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, infoId);
  assert.equal(info.attrs.type, 'result');
  assert.equal(info.attrs.from, host);
  assert.deepEqual(info.getChild('query')!.getChildren('identity').map((i) => i.attrs.category), ['component']);
  assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS_ECHO));
  // Messages to the host and to an address on it come back from it (not queued offline for a local "room").
  alice.send(`<message to='room@${host}' type='chat' id='e1'><body>hi</body></message>`);
  const back = await alice.nextElement(isStanza('message'), 'the echo');
  assert.equal(back.attrs.from, `room@${host}`);
  assert.equal(back.attrs.to, alice.jid);
  assert.equal(back.getChildText('body'), 'echo: hi');
  // The server's ping/version/time answer only for a.test: on the host, nobody handles them.
  for (const [ns, name] of [['urn:xmpp:ping', 'ping'], ['jabber:iq:version', 'query'], ['urn:xmpp:time', 'time']]) {
    const id = nextId('svc');
    const err = await alice.iq(`<iq type='get' id='${id}' to='${host}'><${name} xmlns='${ns}'/></iq>`, id);
    assertStanzaError(err, 'service-unavailable', 'cancel', id);
  }
  // Removed without touching the core: no longer listed, and its addresses are on no host (federation has no
  // route to echo.a.test either, so the sender hears it cannot be reached).
  echo.remove();
  const items2Id = nextId('items');
  const items2 = await alice.iq(`<iq type='get' id='${items2Id}' to='a.test'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`, items2Id);
  assert.deepEqual(items2.getChild('query')!.getChildren('item').map((i) => i.attrs.jid), ['conference.a.test']);
  const goneId = nextId('gone');
  const gone = await alice.iq(`<iq type='get' id='${goneId}' to='${host}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, goneId);
  assert.equal(gone.attrs.type, 'error');
  assert.equal(gone.attrs.from, host);
  await alice.close();
});

test('a filter on the outbound and inbound events sees each kind of stanza in order, and can drop each with the spec\'s answer', async () => {
  const alice = await login(a, 'alice', 'desk', false);
  const bob = await login(a, 'bob', 'r', false);
  const carol = await login(a, 'carol', 'r', false);
  const dave = await login(a, 'dave', 'r', false);
  const rob = await login(b, 'rob', 'r', true);
  for (const c of [bob, carol, dave]) await befriend(alice, c);
  for (const c of [bob, carol, dave]) {
    c.send('<presence/>');
    await untilPong(c);
  }
  await untilPong(alice);
  observer.recording = true;
  observer.take();

  // 1. A chat message to a local contact: out on the sender's side, then in on the recipient's, then delivered.
  alice.send(`<message to='bob@a.test' type='chat' id='c1'><body>hello</body></message>`);
  assert.equal((await bob.nextElement(isStanza('message'), 'alice\'s message')).attrs.id, 'c1');
  assert.deepEqual(pick(observer.take(), (s) => s.kind === 'message'), [
    `out message:chat ${alice.jid} → bob@a.test`,
    `in message:chat ${alice.jid} → bob@a.test`,
  ]);

  // 2. Initial presence broadcast to three contacts: each copy passes out and in.
  alice.send('<presence/>');
  await untilPong(alice);
  for (const c of [bob, carol, dave]) await c.nextElement(isStanza('presence', (e) => e.attrs.from === alice.jid && e.attrs.type === undefined), 'alice\'s presence');
  const broadcast = pick(observer.take(), (s) => s.kind === 'presence' && s.type === 'available' && s.from === alice.jid && s.to !== alice.jid);
  assert.deepEqual(broadcast, [
    `out presence:available ${alice.jid} → alice@a.test`,   // what the client sent: no `to`, its own account
    ...['bob', 'carol', 'dave'].flatMap((u) => [`out presence:available ${alice.jid} → ${u}@a.test`, `in presence:available ${alice.jid} → ${u}@a.test`]),
  ]);

  // 3. An iq to a contact's full JID.
  alice.send(`<iq type='get' id='q1' to='${bob.jid}'><query xmlns='jabber:iq:version'/></iq>`);
  assert.equal((await bob.nextElement(isStanza('iq'), 'alice\'s iq')).attrs.id, 'q1');
  assert.deepEqual(pick(observer.take(), (s) => s.kind === 'iq' && s.type === 'get'), [
    `out iq:get ${alice.jid} → ${bob.jid}`,
    `in iq:get ${alice.jid} → ${bob.jid}`,
  ]);

  // 4. A message to another server's user: out here, nothing inbound here, delivered there.
  alice.send(`<message to='rob@b.test' type='chat' id='r1'><body>over there</body></message>`);
  assert.equal((await rob.nextElement(isStanza('message'), 'alice\'s remote message')).attrs.id, 'r1');
  assert.deepEqual(pick(observer.take(), (s) => s.kind === 'message'), [`out message:chat ${alice.jid} → rob@b.test`]);

  // Dropping each. Outbound message and iq → <not-acceptable/>; nothing reaches the recipient.
  observer.drop = (s) => s.dir === 'out' && s.from === alice.jid && (s.kind !== 'presence' || s.to === 'carol@a.test');
  alice.send(`<message to='bob@a.test' type='chat' id='c2'><body>no</body></message>`);
  assertStanzaError(await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'c2'), 'the refusal of c2'), 'not-acceptable', 'modify', 'c2');
  alice.send(`<iq type='get' id='q2' to='${bob.jid}'><query xmlns='jabber:iq:version'/></iq>`);
  assertStanzaError(await alice.nextElement(isStanza('iq', (e) => e.attrs.id === 'q2'), 'the refusal of q2'), 'not-acceptable', 'modify', 'q2');
  alice.send(`<message to='rob@b.test' type='chat' id='r2'><body>no</body></message>`);
  assertStanzaError(await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'r2'), 'the refusal of r2'), 'not-acceptable', 'modify', 'r2');
  // A presence change: carol's copy is dropped silently, bob and dave still get theirs.
  alice.send('<presence><show>away</show></presence>');
  await untilPong(alice);
  for (const c of [bob, dave]) await c.nextElement(isStanza('presence', (e) => e.attrs.from === alice.jid && e.getChildText('show') === 'away'), 'the away presence');
  // Nothing of the dropped stanzas arrived before a marker sent after them.
  observer.drop = null;
  for (const [c, what] of [[bob, 'c2/q2'], [carol, 'the away presence'], [rob, 'r2']] as const) {
    const mark = nextId('mark');
    alice.send(`<message to='${c.jid}' type='headline' id='${mark}'><body>mark</body></message>`);
    const got: Element[] = [];
    for (;;) {
      const e = await c.nextElement(undefined, `the marker after ${what}`);
      if (e.attrs.id === mark) break;
      got.push(e);
    }
    assert.deepEqual(got.filter((e) => e.attrs.from === alice.jid && (e.name !== 'presence' || e.getChildText('show') === 'away')).map((e) => e.toString()), [], `nothing dropped reached ${c.jid}`);
  }

  // Inbound: a message stopped before delivery → <service-unavailable/> to the sender.
  observer.drop = (s) => s.dir === 'in' && s.kind === 'message' && s.to === 'dave@a.test';
  alice.send(`<message to='dave@a.test' type='chat' id='d1'><body>no</body></message>`);
  assertStanzaError(await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'd1'), 'the refusal of d1'), 'service-unavailable', 'cancel', 'd1');
  observer.drop = null;
  observer.recording = false;
});

test('resource-available and resource-unavailable tell modules when a resource comes and goes (by presence and by losing its connection)', async () => {
  const events = a.server.context_.router.events;
  const seen: string[] = [];
  let secondUnavailable!: () => void;
  const lost = new Promise<void>((resolve) => (secondUnavailable = resolve));
  const onAvailable = (s: { jid: { toString(): string } }): void => void seen.push(`available ${s.jid.toString()}`);
  const onUnavailable = (s: { jid: { toString(): string } }): void => {
    seen.push(`unavailable ${s.jid.toString()}`);
    if (seen.filter((x) => x.startsWith('unavailable')).length === 2) secondUnavailable();
  };
  events.on('resource-available', onAvailable);
  events.on('resource-unavailable', onUnavailable);
  try {
    const c = await login(a, 'carol', 'life', false);
    await untilPong(c);
    assert.deepEqual(seen, [], 'connected and bound is not available yet');
    c.send('<presence/>');
    await untilPong(c);
    c.send('<presence><show>away</show></presence>');   // a change, not a new arrival
    await untilPong(c);
    c.send(`<presence type='unavailable'/>`);
    await untilPong(c);
    c.send('<presence/>');
    await untilPong(c);
    c.destroy();
    await withTimeout(lost, 5000, 'resource-unavailable for the lost connection');
    assert.deepEqual(seen, [`available ${c.jid}`, `unavailable ${c.jid}`, `available ${c.jid}`, `unavailable ${c.jid}`]);
  } finally {
    events.off('resource-available', onAvailable);
    events.off('resource-unavailable', onUnavailable);
  }
});
