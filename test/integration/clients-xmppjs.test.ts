// @xmpp/client (xmpp.js 0.14) against a real Parley server over real sockets: login (STARTTLS, direct TLS, SCRAM),
// binding, conflicts, ping, disco, version, time, message addressing, unhandled iqs.
// @xmpp/client has no option for a CA (STARTTLS upgrades with { socket, host } only, direct TLS connects with
// { host, port } only), so certificate checks are off in this file alone; the StanzaJS tests verify the chain.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xml, type XmppError } from '@xmpp/client';
import type { Element } from 'ltx';
import { DOMAIN } from '../helpers/server.js';
import { xmppjsClient, xmppjsLogin, xmppjsLoginFailure, nextEvent, within, type XmppjsOptions, type XmppjsSession } from '../helpers/clients.js';
import {
  libraryTestServer, assertRandomResources, renamedResource, PACKAGE_VERSION, TLS13_MECHANISMS,
} from '../helpers/library-suite.js';

const lib = libraryTestServer<XmppjsOptions, XmppjsSession>(['alice', 'bob', 'carol', 'dave', 'erin'], xmppjsLogin);
const { login } = lib;

function iq(type: 'get' | 'set', to: string | undefined, payload: Element): Element {
  return xml('iq', { type, to }, payload);
}

test('CORE-16/CORE-17/CORE-24/CORE-25: @xmpp/client logs in over STARTTLS with SCRAM-SHA-1 (forced via the credentials callback)', async () => {
  const s = await login('alice', { mechanism: 'SCRAM-SHA-1', resource: 'scram1' });
  assert.equal(s.jid, `alice@${DOMAIN}/scram1`);
  assert.equal(s.client.isSecure(), true);
  // Cleartext: STARTTLS (required) and nothing else; after TLS: SASL, never STARTTLS again; after SASL: bind.
  const [plain, secure, bound] = s.features.map((f) => f.getChildElements().map((c) => `${c.getName()} ${c.getNS()}`));
  assert.deepEqual(plain, ['starttls urn:ietf:params:xml:ns:xmpp-tls']);
  assert.ok(s.features[0].getChild('starttls')?.getChild('required'), 'starttls without <required/>');
  assert.equal(secure.includes('mechanisms urn:ietf:params:xml:ns:xmpp-sasl'), true);
  assert.equal(secure.includes('sasl-channel-binding urn:xmpp:sasl-cb:0'), true);
  assert.equal(secure.includes('starttls urn:ietf:params:xml:ns:xmpp-tls'), false);
  assert.equal(bound.includes('bind urn:ietf:params:xml:ns:xmpp-bind'), true);
  assert.equal(s.features.length, 3);
  assert.deepEqual(s.serverMechanisms, TLS13_MECHANISMS);
  assert.deepEqual(s.usableMechanisms, ['SCRAM-SHA-1', 'PLAIN']);
  assert.deepEqual(s.authMechanisms, ['SCRAM-SHA-1']);
  await s.close();
});

test('CORE-26: SCRAM-SHA-256 login — @xmpp/client 0.14 cannot (it implements SCRAM-SHA-1, PLAIN and ANONYMOUS only)', async (tc) => {
  const probe = xmppjsClient(lib.t, 'alice', 'alice-secret');
  const implemented = probe.client.saslFactory._mechs.map((m) => m.name);
  if (!implemented.includes('SCRAM-SHA-256')) {
    tc.skip(`@xmpp/client implements only ${implemented.join(', ')}`);
    return;
  }
  const s = await login('alice', { mechanism: 'SCRAM-SHA-256' });
  assert.deepEqual(s.authMechanisms, ['SCRAM-SHA-256']);
  assert.equal(s.jid.startsWith(`alice@${DOMAIN}/`), true);
});

// @xmpp/client connects to xmpps://127.0.0.1 without SNI (Node sends none for an IP address, nor for "localhost"):
// the direct-TLS listener must present its certificate without SNI too.
test('CORE-14: @xmpp/client logs in with direct TLS on the TLS port (xmpps://127.0.0.1, no SNI)', async () => {
  const s = await login('alice', { directTls: true, resource: 'direct' });
  assert.equal(s.jid, `alice@${DOMAIN}/direct`);
  assert.equal(s.client.isSecure(), true);
  assert.equal(s.features.some((f) => f.getChild('starttls')), false, 'STARTTLS offered inside direct TLS');
  assert.deepEqual(s.serverMechanisms, TLS13_MECHANISMS);
  assert.deepEqual(s.authMechanisms, ['SCRAM-SHA-1']);
  await s.close();
});

test('CORE-32: a wrong password makes @xmpp/client report a not-authorized SASL failure', async () => {
  const { error, login: l } = await xmppjsLoginFailure(lib.t, 'erin', 'not-the-password', { mechanism: 'SCRAM-SHA-1' });
  try {
    assert.equal(error.name, 'SASLError');
    assert.equal((error as XmppError).condition, 'not-authorized');
    assert.deepEqual(l.authMechanisms, ['SCRAM-SHA-1']);
    assert.equal(l.client.status === 'online', false);
  } finally {
    await l.close();
  }
});

test('CORE-40/CORE-42: bind with a chosen resource gives exactly that full JID', async () => {
  const s = await login('bob', { resource: 'Laptop-1' });
  assert.equal(s.jid, `bob@${DOMAIN}/Laptop-1`);
  assert.equal(s.client.jid?.toString(), `bob@${DOMAIN}/Laptop-1`);
  await s.close();
});

test('CORE-41: bind without a resource gets a random server-generated one of at least 8 characters', async () => {
  const a = await login('bob');
  const b = await login('bob');
  assertRandomResources('bob', a.jid, b.jid);
  await Promise.all([a.close(), b.close()]);
});

test('CORE-43: a second login with the same resource gets a different full JID and both stay connected (new-resource)', async () => {
  const first = await login('carol', { resource: 'phone' });
  assert.equal(first.jid, `carol@${DOMAIN}/phone`);
  const second = await login('carol', { resource: 'phone' });
  assert.match(second.jid, renamedResource('carol', 'phone'));
  assert.notEqual(second.jid, first.jid);
  // Both streams still work: each pings the server, and a message to the first full JID reaches the first only.
  for (const s of [first, second]) {
    const pong = await s.client.iqCaller.request(iq('get', DOMAIN, xml('ping', { xmlns: 'urn:xmpp:ping' })), 5000);
    assert.equal(pong.attrs.type, 'result');
    assert.equal(s.client.status, 'online');
  }
  const arrived = nextEvent<Element>(first.client, 'stanza', 'the message to the first carol session', (el) => el.is('message'));
  await second.client.send(xml('message', { to: first.jid, type: 'chat' }, xml('body', {}, 'to my other device')));
  const msg = await arrived;
  assert.equal(msg.attrs.from, second.jid);
  assert.equal(msg.getChildText('body'), 'to my other device');
  await Promise.all([first.close(), second.close()]);
});

test('CORE-13/SVC-11: ping to the server is answered with an empty result from the server', async () => {
  const s = await login('alice', { resource: 'ping' });
  const req = iq('get', DOMAIN, xml('ping', { xmlns: 'urn:xmpp:ping' }));
  const pong = await s.client.iqCaller.request(req, 5000);
  assert.equal(pong.attrs.type, 'result');
  assert.equal(pong.attrs.id, req.attrs.id);
  assert.equal(pong.attrs.from, DOMAIN);
  assert.equal(pong.attrs.to, `alice@${DOMAIN}/ping`);
  assert.equal(pong.getChildElements().length, 0);
  await s.close();
});

test('SVC-01/SVC-05/CORE-38/CORE-39: disco#info on the server: server/im identity and the expected features, no compress, no iq-auth', async () => {
  const s = await login('alice', { resource: 'disco' });
  const res = await s.client.iqCaller.request(iq('get', DOMAIN, xml('query', { xmlns: 'http://jabber.org/protocol/disco#info' })), 5000);
  assert.equal(res.attrs.from, DOMAIN);
  const query = res.getChild('query', 'http://jabber.org/protocol/disco#info');
  assert.ok(query, 'disco#info result without <query/>');
  const identities = query.getChildren('identity').map((i) => ({ ...i.attrs }));
  assert.deepEqual(identities.filter((i) => i.category === 'server'), [{ category: 'server', type: 'im', name: 'Parley' }]);
  for (const i of query.getChildren('identity')) assert.ok(i.attrs.category && i.attrs.type, `identity without category/type: ${i.toString()}`);
  for (const f of query.getChildren('feature')) assert.equal(f.getChildElements().length, 0, `feature with children: ${f.toString()}`);
  const features = query.getChildren('feature').map((f) => String(f.attrs.var));
  assert.equal(new Set(features).size, features.length, `duplicate features: ${features.join(' ')}`);
  for (const f of ['http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items', 'urn:xmpp:ping', 'jabber:iq:version', 'urn:xmpp:time']) {
    assert.ok(features.includes(f), `missing feature ${f} in ${features.join(' ')}`);
  }
  assert.equal(features.includes('jabber:iq:auth'), false);
  assert.equal(features.includes('http://jabber.org/features/compress'), false);
  await s.close();
});

test('SVC-08: software version of the server is Parley and the package version', async () => {
  const s = await login('alice', { resource: 'version' });
  const res = await s.client.iqCaller.request(iq('get', DOMAIN, xml('query', { xmlns: 'jabber:iq:version' })), 5000);
  const q = res.getChild('query', 'jabber:iq:version');
  assert.ok(q, 'version result without <query/>');
  assert.equal(q.getChildText('name'), 'Parley');
  assert.equal(q.getChildText('version'), PACKAGE_VERSION);
  assert.equal(q.getChild('os'), undefined);
  await s.close();
});

test('SVC-10: entity time of the server: utc parses and is now, tzo is ±hh:mm of the local zone', async () => {
  const s = await login('alice', { resource: 'time' });
  const before = Date.now();
  const res = await s.client.iqCaller.request(iq('get', DOMAIN, xml('time', { xmlns: 'urn:xmpp:time' })), 5000);
  const time = res.getChild('time', 'urn:xmpp:time');
  assert.ok(time, 'time result without <time/>');
  const utc = time.getChildText('utc') ?? '';
  assert.match(utc, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
  const ms = Date.parse(utc);
  assert.ok(ms >= before - 1000 && ms <= Date.now() + 1000, `utc ${utc} is not now`);
  const tzo = time.getChildText('tzo') ?? '';
  assert.match(tzo, /^[+-]\d{2}:\d{2}$/);
  assert.equal(tzo, localTzo());
  await s.close();
});

test('CORE-47: a message to another user\'s full JID arrives with the sender\'s full JID as from (a forged from is replaced)', async () => {
  const alice = await login('alice', { resource: 'desk' });
  const dave = await login('dave', { resource: 'tablet' });
  const arrived = nextEvent<Element>(dave.client, 'stanza', 'the message from alice at dave', (el) => el.is('message'));
  await alice.client.send(xml('message', { to: `dave@${DOMAIN}/tablet`, type: 'chat', id: 'm1', from: `mallory@${DOMAIN}/x` }, xml('body', {}, 'hello dave')));
  const msg = await arrived;
  assert.equal(msg.attrs.from, `alice@${DOMAIN}/desk`);
  assert.equal(msg.attrs.to, `dave@${DOMAIN}/tablet`);
  assert.equal(msg.attrs.type, 'chat');
  assert.equal(msg.attrs.id, 'm1');
  assert.equal(msg.getChildText('body'), 'hello dave');
  await Promise.all([alice.close(), dave.close()]);
});

test('CORE-50: an iq get to the server with an unknown namespace gets service-unavailable', async () => {
  const s = await login('alice', { resource: 'unknown' });
  const err = await within(s.client.iqCaller.request(iq('get', DOMAIN, xml('query', { xmlns: 'urn:example:parley:no-such-thing' })), 5000)
    .then(() => assert.fail('an unknown iq was answered with a result'), (e: unknown) => e as XmppError), 'the error reply');
  assert.equal(err.name, 'StanzaError');
  assert.equal(err.condition, 'service-unavailable');
  const error = err.element;
  assert.equal(error?.attrs.type, 'cancel');
  assert.equal(error?.parent?.attrs.from, DOMAIN);
  await s.close();
});

test('CORE-25/CORE-26/CORE-27: SCRAM-*-PLUS with channel binding — @xmpp/client 0.14 cannot (no -PLUS mechanism, no channel-binding data)', async (tc) => {
  const probe = xmppjsClient(lib.t, 'alice', 'alice-secret');
  const plus = probe.client.saslFactory._mechs.map((m) => m.name).filter((n) => n.endsWith('-PLUS'));
  if (plus.length === 0) {
    tc.skip('@xmpp/client implements no SCRAM-*-PLUS mechanism');
    return;
  }
  const s = await login('alice', { mechanism: plus[0] });
  assert.deepEqual(s.authMechanisms, [plus[0]]);
});

function localTzo(): string {
  const off = -new Date().getTimezoneOffset();
  const abs = Math.abs(off);
  return `${off >= 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
