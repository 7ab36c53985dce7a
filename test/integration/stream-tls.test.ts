// Raw-socket tests of STARTTLS, direct TLS and what may (not) happen before TLS (RFC 6120 §5, XEP-0368).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import tls from 'node:tls';
import net from 'node:net';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertServes, NS, b64, withTimeout } from '../helpers/raw-client.js';

let t: TestServer;
const USER = 'alice';
const PW = 'alice-password';

before(async () => {
  t = await startWithUsers({ [USER]: PW, bob: 'bob-password' });
});
after(() => t.stop());

const serves = (): Promise<void> => assertServes(t.c2sPort, t.caPem, USER, PW);

/** BAD-22: a <starttls/> where none may come gets a TLS <failure/>, the stream is closed, and the server serves on. */
async function assertStarttlsRefused(c: RawClient): Promise<void> {
  c.send(`<starttls xmlns='${NS.tls}'/>`);
  const f = await c.nextElement();
  assert.equal(f.name, 'failure');
  assert.equal(f.attrs.xmlns, NS.tls);
  await c.expectCloseTag();
  await c.expectClosed();
  await serves();
}

async function preTls(): Promise<RawClient> {
  const c = await RawClient.connect(t.c2sPort);
  await c.open();
  return c;
}

test('CORE-16: the first features offer only <starttls><required/></starttls>', async () => {
  const c = await RawClient.connect(t.c2sPort);
  const { features } = await c.open();
  const kids = features.getChildElements();
  assert.deepEqual(kids.map((k) => `${k.attrs.xmlns} ${k.name}`), [`${NS.tls} starttls`]);
  assert.deepEqual(kids[0].getChildElements().map((k) => k.name), ['required']);
  await c.close();
});

test('CORE-17/CORE-22: <starttls/> → <proceed/>, then a handshake that verifies test.local against the CA (DNS SAN)', async () => {
  const c = await preTls();
  const sock = await c.startTls(t.caPem);
  assert.equal(sock.authorized, true, `certificate verified: ${sock.authorizationError ?? ''}`);
  assert.match(sock.getPeerCertificate().subjectaltname ?? '', /DNS:test\.local\b/);
  assert.ok(['TLSv1.2', 'TLSv1.3'].includes(sock.getProtocol() ?? ''), `protocol ${sock.getProtocol()}`);
  await c.open();
  await c.close();
});

test('CORE-19: after TLS the client restarts without </stream:stream>; new id; features offer SASL and never STARTTLS again', async () => {
  const c = await RawClient.connect(t.c2sPort);
  const first = (await c.open()).header;
  await c.startTls(t.caPem);
  const { header, features } = await c.open();
  assert.notEqual(header.id, first.id);
  assert.equal(features.getChild('starttls', NS.tls), undefined);
  assert.ok(features.getChild('mechanisms', NS.sasl));
  await c.close();
});

test('CORE-21: TLS 1.0/1.1 are refused on STARTTLS and on direct TLS', async () => {
  const old = { ca: t.caPem, servername: DOMAIN, minVersion: 'TLSv1' as const, maxVersion: 'TLSv1.1' as const, ciphers: 'DEFAULT@SECLEVEL=0' };
  // Direct TLS.
  const direct = tls.connect({ host: '127.0.0.1', port: t.tlsPort, ...old });
  await assert.rejects(withTimeout(new Promise((ok, ko) => { direct.once('secureConnect', ok); direct.once('error', ko); }), 5000, 'TLS 1.1 handshake'));
  direct.destroy();
  // STARTTLS.
  const c = await preTls();
  c.send(`<starttls xmlns='${NS.tls}'/>`);
  assert.equal((await c.nextElement()).name, 'proceed');
  const raw = c.socket;
  const s = tls.connect({ socket: raw, ...old });
  await assert.rejects(withTimeout(new Promise((ok, ko) => { s.once('secureConnect', ok); s.once('error', ko); }), 5000, 'TLS 1.1 handshake'));
  s.destroy();
  await serves();
});

test('CORE-14: direct TLS negotiates ALPN xmpp-client; features offer SASL but no STARTTLS; a full login works', async () => {
  const c = await RawClient.connect(t.tlsPort, { directTls: { caPem: t.caPem, alpn: ['xmpp-client'] } });
  assert.equal((c.socket as tls.TLSSocket).alpnProtocol, 'xmpp-client');
  const { features } = await c.open();
  assert.equal(features.getChild('starttls', NS.tls), undefined);
  const mechs = features.getChild('mechanisms', NS.sasl)!.getChildren('mechanism').map((m) => m.getText());
  assert.ok(mechs.includes('PLAIN') && mechs.includes('SCRAM-SHA-256'), mechs.join(','));
  assert.equal((await c.authScram(USER, PW)).name, 'success');
  await c.restart();
  assert.match(await c.bind('direct'), new RegExp(`^${USER}@${DOMAIN}/direct$`));
  await c.ping();
  await c.close();
});

test('CORE-18: garbage instead of a ClientHello on the direct-TLS port: the connection just closes, no XML', async () => {
  const c = await RawClient.connect(t.tlsPort);   // plain TCP to the TLS port
  c.send(`<?xml version='1.0'?><stream:stream xmlns='${NS.client}' xmlns:stream='${NS.streams}' to='${DOMAIN}' version='1.0'>`);
  await c.expectClosed();
  assert.ok(!c.received.includes('<'), `no XML from a failed handshake: ${JSON.stringify(c.received)}`);
  await serves();
});

test('CORE-18/BAD-21: whitespace and XML sent after <proceed/> instead of a ClientHello: closed without a stream error', async () => {
  const c = await preTls();
  c.send(`<starttls xmlns='${NS.tls}'/>`);
  assert.equal((await c.nextElement()).name, 'proceed');
  c.send(`     \n<iq type='get' id='x'><ping xmlns='${NS.ping}'/></iq>`);
  await c.expectSilentClose();
  assert.ok(c.received.endsWith(`<proceed xmlns="${NS.tls}"/>`) || c.received.endsWith(`<proceed xmlns='${NS.tls}'/>`), `nothing after <proceed/>: ${c.received.slice(-120)}`);
  await serves();
});

test('BAD-19: <auth/> before STARTTLS (required) fails with <encryption-required/>; STARTTLS still works afterwards', async () => {
  const c = await preTls();
  const plain = await c.authPlain(USER, PW);
  assert.equal(plain.name, 'failure');
  assert.equal(plain.attrs.xmlns, NS.sasl);
  assert.ok(plain.getChild('encryption-required'), plain.toString());
  c.send(`<auth xmlns='${NS.sasl}' mechanism='SCRAM-SHA-256'>${b64(`n,,n=${USER},r=abcdefgh`)}</auth>`);
  const scram = await c.nextElement();
  assert.ok(scram.getChild('encryption-required'), scram.toString());
  await c.startTls(t.caPem);
  await c.open();
  assert.equal((await c.authScram(USER, PW)).name, 'success');
  c.destroy();
});

test('CORE-08/BAD-18: a message before STARTTLS gets <not-authorized/> and is not delivered', async () => {
  const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-password', { resource: 'pc' });
  const c = await preTls();
  c.send(`<message to='bob@${DOMAIN}/pc' id='m1'><body>sneaky</body></message>`);
  await c.expectStreamError('not-authorized');
  await bob.ping();   // strict: nothing arrived before the pong
  await bob.close();
  await serves();
});

test('BAD-18/CORE-39: a roster get and a jabber:iq:auth get before STARTTLS get <not-authorized/>', async () => {
  for (const payload of ["<query xmlns='jabber:iq:roster'/>", "<query xmlns='jabber:iq:auth'/>"]) {
    const c = await preTls();
    c.send(`<iq type='get' id='r1'>${payload}</iq>`);
    await c.expectStreamError('not-authorized');
  }
  await serves();
});

test('BAD-22: a second <starttls/> after TLS gets a TLS <failure/> and the stream is closed', async () => {
  const c = await preTls();
  await c.startTls(t.caPem);
  await c.open();
  await assertStarttlsRefused(c);
});

test('BAD-22: <starttls/> after SASL success gets a TLS <failure/> and the stream is closed', async () => {
  const c = await login(t.c2sPort, t.caPem, USER, PW, { resource: null });
  await assertStarttlsRefused(c);
});

test('BAD-22: <starttls/> on a direct-TLS connection gets a TLS <failure/> (never a second TLS layer)', async () => {
  const c = await RawClient.connect(t.tlsPort, { directTls: { caPem: t.caPem } });
  await c.open();
  c.send(`<starttls xmlns='${NS.tls}'/>`);
  const f = await c.nextElement();
  assert.equal(f.name, 'failure');
  await c.expectCloseTag();
  await c.expectClosed();
  await serves();
});

test('CORE-17: STARTTLS split across TCP segments byte by byte still proceeds', async () => {
  const c = await preTls();
  for (const b of Buffer.from(`<starttls xmlns='${NS.tls}'/>`)) {
    c.send(Buffer.from([b]));
    await new Promise<void>((r) => (c.socket as net.Socket).write('', () => r()));
  }
  assert.equal((await c.nextElement()).name, 'proceed');
  await c.upgradeToTls(t.caPem);
  await c.open();
  await c.close();
});
