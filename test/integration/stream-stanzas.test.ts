// Raw-socket tests of stanza semantics on a bound c2s stream (RFC 6120 §8, §10; RFC 7622): from stamping, iq
// rules and error replies, addressing and JID validation, order, pass-through of unknown content.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { login, assertServes, assertStanzaError, NS, nextId, type RawClient, type Element } from '../helpers/raw-client.js';

let t: TestServer;
let alice: RawClient & { jid: string };
let bob: RawClient & { jid: string };
const BOB = `bob@${DOMAIN}/desk`;

before(async () => {
  t = await startWithUsers({ alice: 'alice-password', bob: 'bob-password' });
  alice = await login(t.c2sPort, t.caPem, 'alice', 'alice-password', { resource: 'laptop' });
  bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-password', { resource: 'desk' });
});
after(async () => {
  try {
    await Promise.all([alice.close(), bob.close()]);
  } finally {
    await t.stop();
  }
});

const serves = (): Promise<void> => assertServes(t.c2sPort, t.caPem, 'alice', 'alice-password');

/** Send from alice and return alice's reply with that id. */
async function ask(xml: string, id: string): Promise<Element> {
  alice.send(xml);
  return alice.nextElement((e) => e.attrs.id === id, `the reply to ${id}`);
}

/** Prove nothing else reached `c`: a strict ping (the pong must be the very next element). */
const quiet = (c: RawClient): Promise<Element> => c.ping();

test('CORE-13/CORE-56: ping without to (handled for the account) and ping to the domain both get an empty result', async () => {
  const p1 = await alice.ping();
  assert.equal(p1.getChildElements().length, 0);
  const p2 = await alice.ping({ to: DOMAIN });
  assert.equal(p2.attrs.from, DOMAIN);
  assert.equal(p2.attrs.to, alice.jid);
  const id = nextId('disco');
  const info = await ask(`<iq type='get' id='${id}' to='${DOMAIN}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`, id);
  assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS.ping), 'urn:xmpp:ping advertised');
});

test('CORE-47/BAD-25: a forged from (other user, other resource, the domain) is overwritten with the full JID', async () => {
  for (const forged of [`admin@${DOMAIN}`, `alice@${DOMAIN}/other`, DOMAIN, 'not a jid@@']) {
    const id = nextId('forged');
    alice.send(`<message to='${BOB}' from='${forged}' id='${id}' type='chat'><body>hi</body></message>`);
    const m = await bob.nextElement((e) => e.attrs.id === id);
    assert.equal(m.attrs.from, alice.jid, `from stamped for forged ${forged}`);
  }
  await quiet(alice);
});

test('CORE-48: the to attribute of a delivered stanza is not changed', async () => {
  const id = nextId('to');
  alice.send(`<message to='${BOB}' id='${id}'><body>x</body></message>`);
  const m = await bob.nextElement((e) => e.attrs.id === id);
  assert.equal(m.attrs.to, BOB);
});

test('CORE-49/BAD-34: iq with an unknown or missing type, or a get/set with zero or two children → <bad-request/> (modify), same id', async () => {
  const cases = [
    `<iq type='subscribe' id='%'><ping xmlns='${NS.ping}'/></iq>`,
    `<iq id='%'><ping xmlns='${NS.ping}'/></iq>`,
    `<iq type='get' id='%'/>`,
    `<iq type='set' id='%'/>`,
    `<iq type='get' id='%'><ping xmlns='${NS.ping}'/><ping xmlns='${NS.ping}'/></iq>`,
    `<iq type='get' id='%' to='${DOMAIN}'><query xmlns='jabber:iq:version'/><query xmlns='urn:x:other'/></iq>`,
  ];
  for (const c of cases) {
    const id = nextId('badiq');
    const reply = await ask(c.replace('%', id), id);
    assert.equal(reply.name, 'iq');
    assertStanzaError(reply, 'bad-request', 'modify', id);
  }
  await quiet(alice);
});

test('BAD-34: an iq without id gets no reply (there is nothing to correlate it with), and the stream goes on', async () => {
  alice.send(`<iq type='get'><ping xmlns='${NS.ping}'/></iq>`);
  alice.send(`<iq type='get' to='${DOMAIN}'><query xmlns='urn:x:unknown'/></iq>`);
  alice.send(`<iq type='result'/><iq type='bogus'/><iq/>`);
  await quiet(alice);
});

test('CORE-49/BAD-36/BAD-37: iq result and error sent to the server, even malformed, are never answered', async () => {
  alice.send(`<iq type='result' id='${nextId('r')}'/>`);
  alice.send(`<iq type='result' id='${nextId('r')}' to='${DOMAIN}'><query xmlns='urn:x:whatever'/></iq>`);
  alice.send(`<iq type='error' id='${nextId('e')}' to='${DOMAIN}'><error type='cancel'><service-unavailable xmlns='${NS.stanzas}'/></error></iq>`);
  alice.send(`<iq type='error' id='${nextId('e')}'/>`);
  await quiet(alice);
});

test('CORE-50/BAD-35: an iq get/set with an unknown payload to the server, to the own bare JID or without to → <service-unavailable/> (cancel)', async () => {
  for (const to of [` to='${DOMAIN}'`, ` to='alice@${DOMAIN}'`, '']) {
    for (const type of ['get', 'set']) {
      const id = nextId('unk');
      const reply = await ask(`<iq type='${type}' id='${id}'${to}><foo xmlns='urn:x:unknown'/></iq>`, id);
      assertStanzaError(reply, 'service-unavailable', 'cancel', id);
    }
  }
});

test('CORE-51: an error reply has type error, the same id, from/to swapped, one <error type> with one defined condition, and does not echo the payload', async () => {
  const id = nextId('err');
  const reply = await ask(`<iq type='get' id='${id}' to='${DOMAIN}'><foo xmlns='urn:x:unknown'><secret>payload</secret></foo></iq>`, id);
  assertStanzaError(reply, 'service-unavailable', 'cancel', id);
  assert.equal(reply.attrs.from, DOMAIN);
  assert.equal(reply.attrs.to, alice.jid);
  assert.deepEqual(reply.getChildElements().map((c) => c.name), ['error']);
  assert.ok(!reply.toString().includes('secret'), 'payload not echoed');
});

test('CORE-51/BAD-37: error messages are never answered with errors (to the server, to nobody, without <error/>)', async () => {
  alice.send(`<message type='error' to='${DOMAIN}' id='${nextId('em')}'><error type='cancel'><item-not-found xmlns='${NS.stanzas}'/></error></message>`);
  alice.send(`<message type='error' to='nobody@${DOMAIN}/gone' id='${nextId('em')}'/>`);
  alice.send(`<message type='error' to='x@remote.invalid' id='${nextId('em')}'/>`);
  alice.send(`<presence type='error' to='nobody@${DOMAIN}'/>`);
  await quiet(alice);
});

test('BAD-38: presence with an unknown type → <bad-request/> (modify)', async () => {
  const id = nextId('pr');
  const reply = await ask(`<presence type='bogus' id='${id}'/>`, id);
  assert.equal(reply.name, 'presence');
  assertStanzaError(reply, 'bad-request', 'modify', id);
});

test('BAD-38: presence with priority out of −128..127, a non-integer priority, two <show/> or an unknown <show/> → <bad-request/>', async () => {
  for (const body of ['<priority>500</priority>', '<priority>-129</priority>', '<priority>high</priority>', '<priority>1</priority><priority>2</priority>', '<show>away</show><show>xa</show>', '<show>sleepy</show>']) {
    const id = nextId('prio');
    const reply = await ask(`<presence id='${id}'>${body}</presence>`, id);
    assert.equal(reply.name, 'presence', body);
    assertStanzaError(reply, 'bad-request', 'modify', id);
  }
  await quiet(alice);
});

test('BAD-39: a message with an unknown type is treated as normal and delivered', async () => {
  const id = nextId('typ');
  alice.send(`<message to='${BOB}' id='${id}' type='bogus'><body>odd type</body></message>`);
  const m = await bob.nextElement((e) => e.attrs.id === id);
  assert.equal(m.getChildText('body'), 'odd type');
});

test('CORE-54/BAD-40: unknown extension elements and foreign-namespace attributes are delivered unchanged', async () => {
  const id = nextId('ext');
  const ext = `<x xmlns='urn:test:ext' a='1'><y xmlns:p='urn:test:p' p:attr='v'>text &amp; more</y><z/></x>`;
  alice.send(`<message to='${BOB}' id='${id}' xmlns:q='urn:test:q' q:flag='yes'><body>b</body>${ext}</message>`);
  const m = await bob.nextElement((e) => e.attrs.id === id);
  assert.equal(m.attrs['q:flag'], 'yes');
  assert.equal(m.attrs['xmlns:q'], 'urn:test:q');
  const x = m.getChild('x')!;
  assert.equal(x.attrs.xmlns, 'urn:test:ext');
  assert.equal(x.attrs.a, '1');
  const y = x.getChild('y')!;
  assert.equal(y.attrs['p:attr'], 'v');
  assert.equal(y.attrs['xmlns:p'], 'urn:test:p');
  assert.equal(y.getText(), 'text & more');
  assert.ok(x.getChild('z'));
});

test('CORE-54: prefixed extension elements keep their namespaces when routed, including nested and re-bound prefixes', async () => {
  const id = nextId('pfx');
  alice.send(`<message to='${BOB}' id='${id}'><p:x xmlns:p='urn:test:a'><p:y/></p:x><p:z xmlns:p='urn:test:b'/><w xmlns='urn:test:c'><p:v xmlns:p='urn:test:d'/></w></message>`);
  const m = await bob.nextElement((e) => e.attrs.id === id);
  // bob's parser resolves every prefix from what was delivered, so a missing or wrong declaration would show here.
  const [x, z, w] = m.getChildElements();
  assert.deepEqual([x.name, x.getNS()], ['p:x', 'urn:test:a']);
  assert.deepEqual([x.getChildElements()[0].name, x.getChildElements()[0].getNS()], ['p:y', 'urn:test:a']);
  assert.deepEqual([z.name, z.getNS()], ['p:z', 'urn:test:b']);
  assert.deepEqual([w.getChildElements()[0].name, w.getChildElements()[0].getNS()], ['p:v', 'urn:test:d']);
});

test('CORE-55: 100 messages sent in one burst arrive in order', async () => {
  let burst = '';
  for (let i = 0; i < 100; i++) burst += `<message to='${BOB}' id='seq-${i}' type='chat'><body>${i}</body></message>`;
  alice.send(burst);
  for (let i = 0; i < 100; i++) {
    const m = await bob.nextElement();
    assert.equal(m.attrs.id, `seq-${i}`);
  }
  await quiet(bob);
});

test('CORE-57: a message to the domain with a resource is handled locally (no loop, no crash); an unknown iq to it → service-unavailable', async () => {
  alice.send(`<message to='${DOMAIN}/foo' id='${nextId('dom')}'><body>to the server</body></message>`);
  const id = nextId('domiq');
  const reply = await ask(`<iq type='get' id='${id}' to='${DOMAIN}/foo'><foo xmlns='urn:x:unknown'/></iq>`, id);
  assertStanzaError(reply, 'service-unavailable', 'cancel', id);
  await quiet(alice);
});

test('CORE-58: without federation, a message or iq to a remote domain → <service-unavailable/> or <remote-server-not-found/> (cancel); presence is dropped', async () => {
  for (const kind of ['message', 'iq']) {
    const id = nextId('remote');
    const xml = kind === 'message'
      ? `<message to='x@nonexistent.invalid' id='${id}'><body>out</body></message>`
      : `<iq type='get' to='x@nonexistent.invalid' id='${id}'><ping xmlns='${NS.ping}'/></iq>`;
    const reply = await ask(xml, id);
    const err = reply.getChild('error')!;
    assert.equal(err.attrs.type, 'cancel');
    assert.ok(['service-unavailable', 'remote-server-not-found'].includes(err.getChildElements()[0].name), reply.toString());
  }
  alice.send(`<presence to='x@nonexistent.invalid'/>`);
  await quiet(alice);
});

test('CORE-59/BAD-30: malformed to addresses (RFC 7622 invalid examples and more) → <jid-malformed/> (modify)', async () => {
  const bad = [
    '"juliet"@example.com', 'foo bar@example.com', '@example.com/', 'henry\u2163@example.com', '\u265a@example.com',
    'juliet@', '/foobar', `@${DOMAIN}`, 'a@b@c', `u@${DOMAIN}/`, `u@${DOMAIN}/${'x'.repeat(1024)}`, `${'l'.repeat(1024)}@${DOMAIN}`,
    `a&amp;b@${DOMAIN}`, `a&lt;b@${DOMAIN}`, `a:b@${DOMAIN}`, `u@[::1`, `u@exa mple.com`, 'u@-bad-.com..', '', `u@${DOMAIN}/bell\u0007`.replace('\u0007', '&#x7F;'),
  ];
  for (const to of bad) {
    const id = nextId('jm');
    const reply = await ask(`<message to='${to}' id='${id}' type='chat'><body>x</body></message>`, id);
    assertStanzaError(reply, 'jid-malformed', 'modify', id);
  }
  const id = nextId('jmiq');
  assertStanzaError(await ask(`<iq type='get' to='a@b@c' id='${id}'><ping xmlns='${NS.ping}'/></iq>`, id), 'jid-malformed', 'modify', id);
  await quiet(bob);
  await quiet(alice);
});

test('CORE-60: JIDs are compared after normalisation: ALICE@TEST.LOCAL/other and a trailing dot reach alice/other; the resource is case-sensitive', async () => {
  // An iq between two resources of one account: delivered whenever the resource exists (RFC 6121 §8.5.3.1).
  const other = await login(t.c2sPort, t.caPem, 'alice', 'alice-password', { resource: 'other' });
  const bobMsg = nextId('case');
  alice.send(`<message to='BOB@TEST.LOCAL/desk' id='${bobMsg}' type='chat'><body>upper case</body></message>`);
  assert.equal((await bob.nextElement((e) => e.attrs.id === bobMsg)).getChildText('body'), 'upper case');
  for (const to of ['ALICE@TEST.LOCAL/other', `Alice@${DOMAIN}./other`]) {
    const id = nextId('case');
    alice.send(`<iq type='get' to='${to}' id='${id}'><query xmlns='urn:x:peer'/></iq>`);
    const got = await other.nextElement((e) => e.attrs.id === id, `the iq sent to ${to}`);
    assert.equal(got.attrs.from, alice.jid);
    other.send(`<iq type='result' to='${alice.jid}' id='${id}'/>`);
    assert.equal((await alice.nextElement((e) => e.attrs.id === id)).attrs.type, 'result');
  }
  const id = nextId('rescase');
  const reply = await ask(`<iq type='get' to='alice@${DOMAIN}/OTHER' id='${id}'><query xmlns='urn:x:peer'/></iq>`, id);
  assertStanzaError(reply, 'service-unavailable', 'cancel', id);
  await quiet(other);
  await other.close();
});

test("CORE-05: the stream's xml:lang is stamped on stanzas that lack one; an explicit xml:lang is kept", async () => {
  const de = await login(t.c2sPort, t.caPem, 'alice', 'alice-password', { lang: 'de', resource: 'german' });
  de.send(`<message to='${BOB}' id='lang1'><body>Hallo</body></message><message to='${BOB}' id='lang2' xml:lang='fr'><body>Salut</body></message>`);
  assert.equal((await bob.nextElement((e) => e.attrs.id === 'lang1'))!.attrs['xml:lang'], 'de');
  assert.equal((await bob.nextElement((e) => e.attrs.id === 'lang2'))!.attrs['xml:lang'], 'fr');
  await de.close();
});

test('CORE-09: server output never puts a prefix on stanzas (only stream:features / stream:error carry one)', async () => {
  const c = await login(t.c2sPort, t.caPem, 'alice', 'alice-password');
  await c.ping();
  await c.close();
  const names = [...c.received.matchAll(/<([A-Za-z_][\w.-]*:[\w.-]+)[\s/>]/g)].map((m) => m[1]);
  assert.deepEqual([...new Set(names)].sort(), ['stream:features', 'stream:stream']);
  await serves();
});
