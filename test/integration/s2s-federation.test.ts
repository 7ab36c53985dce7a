// Federation between two Parley servers in this process, a.test and b.test, on loopback (static routes stand in for
// DNS): a message each way with the right addresses, an iq ping to the remote server, a presence subscription
// across servers with roster pushes on both sides, and the bounces of CORE-58 for a domain that does not resolve,
// a port nobody listens on, and a peer that never answers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, link, rosterGet, closedPort, silentListener, isStanza, type DomainServer, clientsOf } from '../helpers/s2s.js';
import { assertStanzaError, nextId, type Element } from '../helpers/raw-client.js';
import { rosterStore } from '../../server/storage/roster.js';

let a: DomainServer;
let b: DomainServer;
const clients = clientsOf();
const { login } = clients;

before(async () => {
  [a, b] = await Promise.all([
    startDomain('a.test', { s2sTimeoutSeconds: 3 }),
    startDomain('b.test'),
  ]);
  link(a, b);
  await Promise.all([a.addUser('alice'), a.addUser('anna'), b.addUser('bob'), b.addUser('bea')]);
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});


test('a message from alice@a.test reaches bob@b.test with her full JID as from, and his answer comes back', async () => {
  const alice = await login(a, 'alice', 'laptop');
  const bob = await login(b, 'bob', 'phone');
  alice.send(`<message to='bob@b.test' type='chat' id='m1'><body>hello from a</body></message>`);
  const got = await bob.nextElement(isStanza('message'), 'the message from alice');
  assert.equal(got.attrs.from, 'alice@a.test/laptop');
  assert.equal(got.attrs.to, 'bob@b.test');
  assert.equal(got.attrs.id, 'm1');
  assert.equal(got.getChildText('body'), 'hello from a');
  bob.send(`<message to='alice@a.test/laptop' type='chat' id='m2'><body>hello from b</body></message>`);
  const back = await alice.nextElement(isStanza('message'), 'the answer from bob');
  assert.equal(back.attrs.from, 'bob@b.test/phone');
  assert.equal(back.getChildText('body'), 'hello from b');
  // Both directions are authenticated streams now (dialback: the test CAs are not trusted by the other side).
  assert.deepEqual(a.s2s.status(), { inbound: ['b.test'], outbound: ['b.test'] });
  assert.deepEqual(b.s2s.status(), { inbound: ['a.test'], outbound: ['a.test'] });
});

test('an iq ping from a client of a.test to the server b.test is answered by b.test', async () => {
  const anna = await login(a, 'anna', 'pinger', false);
  const pong = await anna.ping({ to: 'b.test' });
  assert.equal(pong.attrs.from, 'b.test');
  assert.equal(pong.attrs.to, anna.jid);
  // An iq nobody on b.test handles comes back as service-unavailable from b.test (router reply over s2s).
  const id = nextId('nope');
  const err = await anna.iq(`<iq type='get' id='${id}' to='b.test'><nothing xmlns='urn:example:nothing'/></iq>`, id);
  assertStanzaError(err, 'service-unavailable', 'cancel', id);
  assert.equal(err.attrs.from, 'b.test');
});

test('a presence subscription across servers: roster pushes on both sides, presence delivered both ways', async () => {
  const anna = await login(a, 'anna', 'desk', false);
  const bea = await login(b, 'bea', 'desk', false);
  await rosterGet(anna);
  await rosterGet(bea);
  anna.send('<presence/>');
  bea.send('<presence/>');
  await anna.nextElement(isStanza('presence', (e) => e.attrs.from === anna.jid), 'anna\'s own presence');
  await bea.nextElement(isStanza('presence', (e) => e.attrs.from === bea.jid), 'bea\'s own presence');

  const isPushFor = (jid: string) => (e: Element): boolean => e.name === 'iq' && e.attrs.type === 'set' && e.getChild('query', 'jabber:iq:roster')?.getChild('item')?.attrs.jid === jid;
  anna.send(`<presence to='bea@b.test' type='subscribe'/>`);
  const push1 = await anna.nextElement(isPushFor('bea@b.test'), 'anna\'s roster push with ask=subscribe');
  assert.equal(push1.getChild('query')!.getChild('item')!.attrs.ask, 'subscribe');
  const request = await bea.nextElement(isStanza('presence', (e) => e.attrs.type === 'subscribe'), 'the subscription request at bea');
  assert.equal(request.attrs.from, 'anna@a.test');
  assert.equal(request.attrs.to, 'bea@b.test');

  bea.send(`<presence to='anna@a.test' type='subscribed'/>`);
  const push2 = await bea.nextElement(isPushFor('anna@a.test'), 'bea\'s roster push (from)');
  assert.equal(push2.getChild('query')!.getChild('item')!.attrs.subscription, 'from');
  const push3 = await anna.nextElement((e) => isPushFor('bea@b.test')(e) && e.getChild('query')!.getChild('item')!.attrs.subscription === 'to', 'anna\'s roster push (to)');
  assert.equal(push3.getChild('query')!.getChild('item')!.attrs.ask, undefined);
  const subscribed = await anna.nextElement(isStanza('presence', (e) => e.attrs.type === 'subscribed'), 'subscribed at anna');
  assert.equal(subscribed.attrs.from, 'bea@b.test');
  const beaPresence = await anna.nextElement(isStanza('presence', (e) => e.attrs.from === bea.jid && e.attrs.type === undefined), 'bea\'s presence at anna');
  assert.equal(beaPresence.attrs.to, 'anna@a.test');

  // Bea goes away: anna hears it over federation.
  bea.send(`<presence type='unavailable'/>`);
  await anna.nextElement(isStanza('presence', (e) => e.attrs.from === bea.jid && e.attrs.type === 'unavailable'), 'bea\'s unavailable at anna');
  assert.equal((await b.server.storage!.get(rosterStore).get('bea', 'anna@a.test'))?.subscription, 'from');
  assert.equal((await a.server.storage!.get(rosterStore).get('anna', 'bea@b.test'))?.subscription, 'to');
});

test('a domain that does not resolve: remote-server-not-found (CORE-58)', async () => {
  const alice = await login(a, 'alice', 'nf', false);
  alice.send(`<message to='someone@nowhere.invalid' type='chat' id='nf1'><body>?</body></message>`);
  const err = await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'nf1'), 'the bounce');
  assertStanzaError(err, 'remote-server-not-found', 'cancel', 'nf1');
  assert.equal(err.attrs.from, 'someone@nowhere.invalid');
  assert.equal(err.attrs.to, alice.jid);
  // An iq get bounces the same way.
  const id = nextId('nf');
  const iqErr = await alice.iq(`<iq type='get' id='${id}' to='nowhere.invalid'><ping xmlns='urn:xmpp:ping'/></iq>`, id);
  assertStanzaError(iqErr, 'remote-server-not-found', 'cancel', id);
});

test('a port nobody listens on, and a peer that never answers: remote-server-timeout (CORE-58)', async () => {
  const silent = await silentListener();
  try {
    a.server.config.s2sHosts = { ...a.server.config.s2sHosts, 'down.test': `127.0.0.1:${await closedPort()}`, 'mute.test': `127.0.0.1:${silent.port}` };
    const alice = await login(a, 'alice', 'to', false);
    alice.send(`<message to='x@down.test' type='chat' id='down1'><body>?</body></message>`);
    const err = await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'down1'), 'the bounce for down.test');
    assertStanzaError(err, 'remote-server-timeout', 'wait', 'down1');
    const started = Date.now();
    alice.send(`<message to='x@mute.test' type='normal' id='mute1'><body>?</body></message>`);
    const err2 = await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'mute1'), 'the bounce for mute.test', 8000);
    assertStanzaError(err2, 'remote-server-timeout', 'wait', 'mute1');
    assert.ok(Date.now() - started >= 2500, 'bounced after the s2s timeout (3 s), not before');
  } finally {
    await silent.close();
  }
});

test('a server that does not serve the domain (stream error host-unknown): remote-server-not-found', async () => {
  a.server.config.s2sHosts = { ...a.server.config.s2sHosts, 'ghost.test': b.route };
  const alice = await login(a, 'alice', 'ghost', false);
  alice.send(`<message to='x@ghost.test' type='chat' id='g1'><body>?</body></message>`);
  const err = await alice.nextElement(isStanza('message', (e) => e.attrs.id === 'g1'), 'the bounce for ghost.test');
  assertStanzaError(err, 'remote-server-not-found', 'cancel', 'g1');
});

test('the s2s port is among the server\'s ports (so discovery advertises _xmpp-server._tcp)', () => {
  assert.equal(a.server.ports.s2s, a.s2sPort);
  assert.ok(a.s2sPort > 0);
});

test('a remote user cannot use in-band registration here: bob@b.test cannot remove or re-key bob@a.test', async () => {
  await a.addUser('bob');
  const bob = await login(b, 'bob', 'reg', false);
  for (const [id, payload] of [['reg1', '<remove/>'], ['reg2', '<username>bob</username><password>taken-over</password>']]) {
    const err = await bob.iq(`<iq type='set' id='${id}' to='a.test'><query xmlns='jabber:iq:register'>${payload}</query></iq>`, id);
    assertStanzaError(err, 'service-unavailable', 'cancel', id);
  }
  assert.equal(await a.server.accounts!.exists('bob'), true);
  const stillBob = await login(a, 'bob', 'check', false);   // the password is unchanged (login uses the test password)
  assert.ok(stillBob.jid.startsWith('bob@a.test/'));
});
