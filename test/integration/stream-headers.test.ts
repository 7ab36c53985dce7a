// Raw-socket tests of the c2s stream header, version negotiation, namespaces and closing (RFC 6120 §4).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertServes, NS, streamHeader } from '../helpers/raw-client.js';

let t: TestServer;
const USER = 'alice';
const PW = 'alice-password';

before(async () => {
  t = await startWithUsers({ [USER]: PW, bob: 'bob-password' });
});
after(() => t.stop());

const serves = (): Promise<void> => assertServes(t.c2sPort, t.caPem, USER, PW);
const connect = (): Promise<RawClient> => RawClient.connect(t.c2sPort);

function assertResponseHeader(h: Record<string, string>): void {
  assert.equal(h.from, DOMAIN, 'from = the served domain');
  assert.equal(h.xmlns, NS.client);
  assert.equal(h['xmlns:stream'], NS.streams);
  assert.ok(h['xml:lang'], 'xml:lang present');
  assert.match(h.id ?? '', /^[A-Za-z0-9_-]{16,}$/, 'id present and long enough to be unpredictable');
}

test('CORE-01/CORE-02: a client header gets a response header with from, id, version, xml:lang and both namespaces, then features', async () => {
  const c = await connect();
  const { header, features } = await c.open();
  assertResponseHeader(header);
  assert.equal(header.version, '1.0');
  assert.ok(features.getChildElements().length > 0);
  assert.ok(c.received.startsWith("<?xml version='1.0'?><stream:stream "), `raw output starts with the declaration and the header: ${c.received.slice(0, 80)}`);
  await c.close();
});

test('CORE-03: stream ids are distinct across streams and are regenerated after STARTTLS and after SASL', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await login(t.c2sPort, t.caPem, USER, PW);
    assert.equal(c.headers.length, 3, 'three headers: initial, after TLS, after SASL');
    ids.push(...c.headers.map((h) => h.id));
    await c.close();
  }
  assert.equal(new Set(ids).size, ids.length, `all ${ids.length} ids distinct: ${ids.join(' ')}`);
  for (const id of ids) assert.ok(Buffer.from(id, 'base64url').length >= 12, `id ${id} carries at least 96 bits`);
});

test('CORE-04: header from is echoed as to; without from there is no to; an id sent by the client is ignored', async () => {
  const a = await connect();
  const ha = (await a.open({ from: `${USER}@${DOMAIN}`, id: 'client-chosen-id' })).header;
  assert.equal(ha.to, `${USER}@${DOMAIN}`);
  assert.notEqual(ha.id, 'client-chosen-id');
  await a.close();
  const b = await connect();
  const hb = (await b.open()).header;
  assert.equal(hb.to, undefined);
  await b.close();
});

test('CORE-05: the response xml:lang follows the client (de-CH), and defaults to en when the client names none', async () => {
  const a = await connect();
  assert.equal((await a.open({ lang: 'de-CH' })).header['xml:lang'], 'de-CH');
  await a.close();
  const b = await connect();
  assert.equal((await b.open({ lang: null })).header['xml:lang'], 'en');
  await b.close();
});

test('CORE-06: version 1.10 is answered with 1.0 (numeric per-part comparison)', async () => {
  const c = await connect();
  const { header, features } = await c.open({ version: '1.10' });
  assert.equal(header.version, '1.0');
  assert.equal(features.name, 'stream:features');
  await c.close();
});

test('BAD-16: an unsupported major version (2.0) is answered with our version 1.0 and the stream goes on', async () => {
  const c = await connect();
  const { header, features } = await c.open({ version: '2.0' });
  assert.equal(header.version, '1.0');
  assert.ok(features.getChild('starttls', NS.tls));
  await c.close();
});

for (const [label, version] of [['no version attribute (0.9)', null], ["version='0.9'", '0.9'], ["version='abc'", 'abc']] as const) {
  test(`CORE-06/BAD-16: ${label} gets a response header, no features, then <unsupported-version/>`, async () => {
    const c = await connect();
    c.sendHeader({ version });
    const h = await c.expectHeader();
    assert.equal(h.from, DOMAIN);
    if (version !== 'abc') assert.equal(h.version, undefined, 'a pre-1.0 stream is answered without version');
    await c.expectStreamError('unsupported-version');
    assert.ok(!c.received.includes('stream:features'), 'no features on a pre-1.0 stream');
    await serves();
  });
}

test('CORE-07: features follow every header: starttls, then mechanisms after TLS, then bind after SASL', async () => {
  const c = await login(t.c2sPort, t.caPem, USER, PW, { resource: null });
  const count = c.received.split('<stream:features').length - 1;
  assert.equal(count, 3, 'three features elements across TLS → SASL → bind');
  await c.close();
});

test('CORE-09/BAD-14: a stream prefix other than "stream" gets <bad-namespace-prefix/> after a response header', async () => {
  const c = await connect();
  c.send(`<?xml version='1.0'?><foo:stream xmlns='${NS.client}' xmlns:foo='${NS.streams}' to='${DOMAIN}' version='1.0'>`);
  const h = await c.expectHeader();
  assert.equal(h.from, DOMAIN);
  await c.expectStreamError('bad-namespace-prefix');
  await serves();
});

test('CORE-09/BAD-14: a prefixed jabber:client stanza gets <bad-namespace-prefix/> and is not routed', async () => {
  const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-password', { resource: 'desk' });
  const c = await login(t.c2sPort, t.caPem, USER, PW);
  c.send(`<cl:message xmlns:cl='${NS.client}' to='bob@${DOMAIN}/desk'><cl:body>prefixed</cl:body></cl:message>`);
  await c.expectStreamError('bad-namespace-prefix');
  await bob.ping();   // strict: nothing was delivered before the pong
  await bob.close();
  await serves();
});

test("BAD-13: a stream element outside http://etherx.jabber.org/streams gets <invalid-namespace/>", async () => {
  const c = await connect();
  c.send(`<?xml version='1.0'?><stream:stream xmlns='${NS.client}' xmlns:stream='http://wrong.example/streams' to='${DOMAIN}' version='1.0'>`);
  assert.equal((await c.expectHeader()).from, DOMAIN);
  await c.expectStreamError('invalid-namespace');
  await serves();
});

test("BAD-13: default namespace jabber:server on the client port gets <invalid-namespace/>", async () => {
  const c = await connect();
  c.send(`<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='${NS.streams}' to='${DOMAIN}' version='1.0'>`);
  await c.expectHeader();
  await c.expectStreamError('invalid-namespace');
  await serves();
});

test('BAD-13: a header without a default namespace gets <invalid-namespace/>', async () => {
  const c = await connect();
  c.send(`<?xml version='1.0'?><stream:stream xmlns:stream='${NS.streams}' to='${DOMAIN}' version='1.0'>`);
  await c.expectHeader();
  await c.expectStreamError('invalid-namespace');
  await serves();
});

test("CORE-62/BAD-15: header to='evil.example' gets a response header from our domain, then <host-unknown/>", async () => {
  const c = await connect();
  c.sendHeader({ to: 'evil.example' });
  const h = await c.expectHeader();
  assertResponseHeader(h);
  await c.expectStreamError('host-unknown');
  await serves();
});

test('CORE-62/BAD-15: a header without to gets a response header, then <host-unknown/>', async () => {
  const c = await connect();
  c.sendHeader({ to: null });
  assertResponseHeader(await c.expectHeader());
  await c.expectStreamError('host-unknown');
  await serves();
});

test('CORE-59/BAD-15: header to is compared after normalisation (TEST.LOCAL and a trailing dot are our domain)', async () => {
  for (const to of [DOMAIN.toUpperCase(), DOMAIN + '.']) {
    const c = await connect();
    const { header, features } = await c.open({ to });
    assert.equal(header.from, DOMAIN);
    assert.ok(features.getChild('starttls', NS.tls), `features for to='${to}'`);
    await c.close();
  }
});

test('CORE-10: </stream:stream> before login is answered with </stream:stream> and a TCP close', async () => {
  const c = await connect();
  await c.open();
  await c.close();
  assert.ok(c.received.endsWith('</stream:stream>'), 'nothing after the closing tag');
});

test('CORE-10: closing a bound stream ends the session: iqs to its full JID then get <service-unavailable/>', async () => {
  const a = await login(t.c2sPort, t.caPem, USER, PW, { resource: 'closing' });
  const b = await login(t.c2sPort, t.caPem, USER, PW, { resource: 'watcher' });   // same account: may see a's resources
  const probe = (id: string): string => `<iq type='get' to='${a.jid}' id='${id}'><query xmlns='urn:x:probe'/></iq>`;
  b.send(probe('p0'));
  await a.nextElement((e) => e.name === 'iq' && e.attrs.id === 'p0', 'the iq while bound');
  await a.close();
  // The server notices the TCP close a moment after we do: ask until the error comes (each try is a round trip).
  let gone = false;
  for (let i = 1; i <= 50 && !gone; i++) {
    b.send(probe(`p${i}`));
    await b.ping({ strict: false });   // b's stanzas are answered in order: an error for p<i> would already be queued
    const reply = b.takeQueued((e) => e.attrs.id === `p${i}`);
    if (reply) {
      assert.equal(reply.attrs.type, 'error');
      assert.equal(reply.getChild('error')!.getChildElements()[0].name, 'service-unavailable');
      gone = true;
    }
  }
  assert.ok(gone, 'the closed session is gone');
  await b.close();
});

test('CORE-61: a stream error is the error element, then </stream:stream>, then FIN, with nothing in between', async () => {
  const c = await connect();
  await c.open();
  c.send('<foo:bar/>');
  await c.expectStreamError('not-well-formed');
  assert.match(c.received, /<stream:error>.*<\/stream:error><\/stream:stream>$/s);
  await serves();
});

test('CORE-63: stopping the server sends <system-shutdown/> to every stream (pre-TLS and bound ones)', async () => {
  const s = await startWithUsers({ carol: 'carol-password' });
  const bound = await login(s.c2sPort, s.caPem, 'carol', 'carol-password');
  const fresh = await RawClient.connect(s.c2sPort);
  await fresh.open();
  const stopped = s.stop();
  await Promise.all([bound.expectStreamError('system-shutdown'), fresh.expectStreamError('system-shutdown')]);
  await stopped;
  // The other server of this file is untouched.
  await serves();
});

test('CORE-02: the response header is well-formed raw XML the parser accepts byte by byte', async () => {
  const c = await connect();
  // Send the header one byte at a time: framing must cope with arbitrary splits.
  for (const ch of Buffer.from(streamHeader())) c.send(Buffer.from([ch]));
  const { header } = await c.expectStreamStart();
  assertResponseHeader(header);
  await c.close();
});
