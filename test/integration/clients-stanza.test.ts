// StanzaJS 12 against a real Parley server over real sockets: login (STARTTLS, direct TLS, SCRAM, SCRAM-PLUS with
// tls-unique), binding, conflicts, ping, disco, version, time, message addressing, unhandled iqs. StanzaJS ships no
// TCP transport; test/helpers/stanza-tcp-transport.ts supplies one, and it verifies the server certificate against
// the test CA for the name test.local.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JXT, type Stanzas } from 'stanza';
import { DOMAIN } from '../helpers/server.js';
import { stanzaLogin, stanzaLoginFailure, nextEvent, within, type StanzaSession, type StanzaOptions } from '../helpers/clients.js';
import {
  libraryTestServer, assertRandomResources, renamedResource, PACKAGE_VERSION, TLS13_MECHANISMS,
} from '../helpers/library-suite.js';

const NS_UNKNOWN = 'urn:example:parley:no-such-thing';

const lib = libraryTestServer<StanzaOptions, StanzaSession>(['alice', 'bob', 'carol', 'dave', 'erin', 'frank'], stanzaLogin);
const { login } = lib;

test('CORE-16/CORE-17/CORE-24/CORE-25: StanzaJS logs in over STARTTLS with SCRAM-SHA-1 (other mechanisms disabled)', async () => {
  const s = await login('alice', { mechanisms: ['SCRAM-SHA-1'], resource: 'scram1' });
  assert.equal(s.jid, `alice@${DOMAIN}/scram1`);
  // Cleartext: STARTTLS (required) only; after TLS: SASL and never STARTTLS again; after SASL: bind.
  const present = (f: object): string[] => Object.entries(f).filter(([, v]) => v !== undefined && v !== false).map(([k]) => k).sort();
  const [plain, secure, bound] = s.features.map(present);
  assert.deepEqual(plain, ['tls']);
  assert.equal(secure?.includes('sasl'), true);
  assert.equal(secure?.includes('tls'), false);
  assert.equal(bound?.includes('bind'), true);
  assert.equal(s.features.length, 3);
  assert.deepEqual(s.features[0].tls, { required: true });
  assert.deepEqual(s.serverMechanisms, TLS13_MECHANISMS);
  assert.deepEqual(s.authMechanisms, ['SCRAM-SHA-1']);
  assert.equal(s.tlsSocket?.authorized, true, 'certificate not verified against the test CA');
  assert.equal(s.tlsSocket?.getProtocol(), 'TLSv1.3');
  await s.close();
});

test('CORE-26: StanzaJS logs in over STARTTLS with SCRAM-SHA-256', async () => {
  const s = await login('alice', { mechanisms: ['SCRAM-SHA-256'], resource: 'scram256' });
  assert.equal(s.jid, `alice@${DOMAIN}/scram256`);
  assert.deepEqual(s.authMechanisms, ['SCRAM-SHA-256']);
  await s.close();
});

test('CORE-14: StanzaJS logs in with direct TLS on the TLS port (SNI test.local, ALPN xmpp-client)', async () => {
  const s = await login('alice', { directTls: true, resource: 'direct' });
  assert.equal(s.jid, `alice@${DOMAIN}/direct`);
  assert.equal(s.tlsSocket?.authorized, true, 'certificate not verified against the test CA');
  assert.equal(s.tlsSocket?.alpnProtocol, 'xmpp-client');
  assert.equal(s.features.some((f) => f.tls), false, 'STARTTLS offered inside direct TLS');
  assert.deepEqual(s.serverMechanisms, TLS13_MECHANISMS);
  // Without channel-binding data the helper leaves StanzaJS its best non-PLUS mechanism.
  assert.deepEqual(s.authMechanisms, ['SCRAM-SHA-256']);
  await s.close();
});

test('CORE-32: a wrong password makes StanzaJS report a not-authorized SASL failure', async () => {
  const { failure, login: l, authFailed } = await stanzaLoginFailure(lib.t, 'erin', 'not-the-password', { mechanisms: ['SCRAM-SHA-256'] });
  try {
    assert.equal(failure.type, 'failure');
    assert.equal(failure.condition, 'not-authorized');
    await authFailed;
    assert.deepEqual(l.authMechanisms, ['SCRAM-SHA-256']);
    assert.equal(l.client.sessionStarted, false);
  } finally {
    await l.close();
  }
});

test('CORE-40/CORE-42: bind with a chosen resource gives exactly that full JID', async () => {
  const s = await login('bob', { resource: 'Laptop-1' });
  assert.equal(s.jid, `bob@${DOMAIN}/Laptop-1`);
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
  for (const s of [first, second]) {
    const pong = await within(s.client.sendIQ({ type: 'get', to: DOMAIN, ping: true }), `ping from ${s.jid}`);
    assert.equal(pong.type, 'result');
    assert.equal(s.client.sessionStarted, true);
  }
  const arrived = nextEvent<Stanzas.ReceivedMessage>(first.client, 'message', 'the message to the first carol session');
  second.client.sendMessage({ to: first.jid, type: 'chat', body: 'to my other device' });
  const msg = await arrived;
  assert.equal(msg.from, second.jid);
  assert.equal(msg.body, 'to my other device');
  await Promise.all([first.close(), second.close()]);
});

test('CORE-13/SVC-11: ping to the server is answered with an empty result from the server', async () => {
  const s = await login('alice', { resource: 'ping' });
  const pong = await within(s.client.sendIQ({ type: 'get', to: DOMAIN, ping: true, id: 'ping-1' }), 'the ping result');
  assert.equal(pong.type, 'result');
  assert.equal(pong.id, 'ping-1');
  assert.equal(pong.from, DOMAIN);
  assert.equal(pong.to, `alice@${DOMAIN}/ping`);
  assert.equal(pong.payloadType, undefined);
  await within(s.client.ping(DOMAIN), 'client.ping()');
  await s.close();
});

test('SVC-01/SVC-05/CORE-38/CORE-39: disco#info on the server: server/im identity and the expected features, no compress, no iq-auth', async () => {
  const s = await login('alice', { resource: 'disco' });
  const info = await within(s.client.getDiscoInfo(DOMAIN), 'disco#info');
  assert.deepEqual(info.identities.filter((i) => i.category === 'server').map((i) => ({ category: i.category, type: i.type, name: i.name })),
    [{ category: 'server', type: 'im', name: 'Parley' }]);
  const features = info.features;
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
  const v = await within(s.client.getSoftwareVersion(DOMAIN), 'software version');
  assert.deepEqual(v, { name: 'Parley', version: PACKAGE_VERSION });
  await s.close();
});

test('SVC-10: entity time of the server: utc parses and is now, tzo is ±hh:mm of the local zone', async () => {
  const s = await login('alice', { resource: 'time' });
  let raw = '';
  const onRaw = (data: string): void => {
    raw += data;
  };
  s.client.on('raw:incoming', onRaw);
  const before = Date.now();
  const time = await within(s.client.getTime(DOMAIN), 'entity time');
  s.client.off('raw:incoming', onRaw);
  assert.ok(time.utc instanceof Date && !Number.isNaN(time.utc.getTime()), `utc ${String(time.utc)} does not parse`);
  // XEP-0082 DateTime with second precision: utc may lie up to a second before the request was sent.
  assert.ok(time.utc.getTime() >= before - 1000 && time.utc.getTime() <= Date.now() + 1000, `utc ${time.utc.toISOString()} is not now`);
  assert.equal(time.tzo, -new Date().getTimezoneOffset());
  assert.match(raw, /<tzo>[+-]\d{2}:\d{2}<\/tzo>/);
  assert.match(raw, /<utc>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z<\/utc>/);
  await s.close();
});

test('CORE-47: a message to another user\'s full JID arrives with the sender\'s full JID as from (a forged from is replaced)', async () => {
  const alice = await login('alice', { resource: 'desk' });
  const dave = await login('dave', { resource: 'tablet' });
  const arrived = nextEvent<Stanzas.ReceivedMessage>(dave.client, 'message', 'the message from alice at dave');
  alice.client.sendMessage({ to: `dave@${DOMAIN}/tablet`, from: `mallory@${DOMAIN}/x`, type: 'chat', id: 'm1', body: 'hello dave' });
  const msg = await arrived;
  assert.equal(msg.from, `alice@${DOMAIN}/desk`);
  assert.equal(msg.to, `dave@${DOMAIN}/tablet`);
  assert.equal(msg.type, 'chat');
  assert.equal(msg.id, 'm1');
  assert.equal(msg.body, 'hello dave');
  await Promise.all([alice.close(), dave.close()]);
});

test('CORE-50: an iq get to the server with an unknown namespace gets service-unavailable', async () => {
  const s = await login('alice', { resource: 'unknown' });
  // StanzaJS only sends payloads it has a definition for: define one in a namespace the server does not know.
  s.client.stanzas.define(JXT.extendIQ({ parleyUnknown: JXT.childBoolean(NS_UNKNOWN, 'query') }));
  // The reply is awaited as an event rather than through sendIQ(): when sendIQ() rejects, StanzaJS 12 leaves its
  // 15-second timeout timer running (Utils.timeoutPromise clears it only on success), which holds the process.
  const replied = nextEvent<Stanzas.IQ>(s.client, 'iq:id:unknown-1', 'the reply to the unknown iq');
  await s.client.send('iq', { type: 'get', to: DOMAIN, id: 'unknown-1', parleyUnknown: true } as Stanzas.IQ);
  const reply = await replied;
  assert.equal(reply.type, 'error');
  assert.equal(reply.from, DOMAIN);
  assert.equal(reply.error?.condition, 'service-unavailable');
  assert.equal(reply.error?.type, 'cancel');
  await s.close();
});

// StanzaJS's SCRAM-*-PLUS speaks only tls-unique (RFC 5929), which exists for TLS 1.2 and below; the server offers it
// there (with tls-server-end-point), and tls-exporter + tls-server-end-point on TLS 1.3, which StanzaJS cannot use.
for (const [mech, direct] of [['SCRAM-SHA-256-PLUS', false], ['SCRAM-SHA-1-PLUS', false], ['SCRAM-SHA-256-PLUS', true]] as const) {
  test(`CORE-25/CORE-26/CORE-27: StanzaJS logs in with ${mech} and tls-unique channel binding over TLS 1.2 (${direct ? 'direct TLS' : 'STARTTLS'})`, async () => {
    const s = await login('frank', { mechanisms: [mech], maxTlsVersion: 'TLSv1.2', tlsUnique: true, directTls: direct, resource: `cb-${mech}` });
    assert.equal(s.tlsSocket?.getProtocol(), 'TLSv1.2');
    assert.equal(s.jid, `frank@${DOMAIN}/cb-${mech}`);
    assert.deepEqual(s.serverMechanisms, TLS13_MECHANISMS);
    assert.deepEqual(s.authMechanisms, [mech]);
    await s.close();
  });
}

test('CORE-27: SCRAM-SHA-256-PLUS with tls-unique data that does not match the connection is not-authorized', async () => {
  const tamper = (b: Buffer): Buffer => {
    const c = Buffer.from(b);
    c[0] ^= 0x01;
    return c;
  };
  const { failure, login: l } = await stanzaLoginFailure(lib.t, 'frank', 'frank-secret', { mechanisms: ['SCRAM-SHA-256-PLUS'], maxTlsVersion: 'TLSv1.2', tlsUnique: { tamper } });
  try {
    assert.equal(failure.condition, 'not-authorized');
  } finally {
    await l.close();
  }
});

test('CORE-27: a client that could bind (flag "y") but picks SCRAM-SHA-256 while -PLUS is offered is refused as a downgrade', async () => {
  const { failure, login: l } = await stanzaLoginFailure(lib.t, 'frank', 'frank-secret', { mechanisms: ['SCRAM-SHA-256'], maxTlsVersion: 'TLSv1.2', tlsUnique: true });
  try {
    assert.equal(failure.condition, 'not-authorized');
    assert.deepEqual(l.authMechanisms, ['SCRAM-SHA-256']);
  } finally {
    await l.close();
  }
});
