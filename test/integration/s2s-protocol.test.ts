// The inbound side of federation against a hand-driven peer (test/helpers/s2s.ts rawPeer): stream header checks
// (S2S-01), features per stage (11f), nothing before authentication (S2S-09), dialback errors that keep the stream
// (S2S-06), dialback keys checked with the authoritative server — here the real Parley of a.test, so a key made by
// a.test's own key generator passes and any other is refused (S2S-04) — and the addressing rules once
// authenticated: improper-addressing (S2S-07, BAD-27), invalid-from (S2S-08, BAD-26), host-unknown (BAD-28).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, link, loginTo, rawPeer, s2sStreamHeader, isStanza, PASSWORD, type DomainServer } from '../helpers/s2s.js';
import { RawClient, type Element } from '../helpers/raw-client.js';

let a: DomainServer;
let b: DomainServer;
const clients: RawClient[] = [];

before(async () => {
  [a, b] = await Promise.all([startDomain('a.test'), startDomain('b.test')]);
  link(a, b);
  await b.addUser('bob', PASSWORD);
});

after(async () => {
  for (const c of clients) c.destroy();
  await Promise.all([a?.stop(), b?.stop()]);
});

async function peer(from = 'a.test'): Promise<{ c: RawClient; header: Record<string, string>; features: Element }> {
  const p = await rawPeer(b, from);
  clients.push(p.c);
  return p;
}

const isDb = (name: 'result' | 'verify') => (e: Element): boolean => e.name === `db:${name}`;

/** A raw peer that b.test accepts as a.test: its key is made by a.test's own generator, so a.test confirms it. */
async function authenticatedAsA(): Promise<RawClient> {
  const { c, header } = await peer('a.test');
  const key = a.s2s.keys.generate('b.test', 'a.test', header.id);
  c.send(`<db:result from='a.test' to='b.test'>${key}</db:result>`);
  const verdict = await c.nextElement(isDb('result'), 'the dialback verdict');
  assert.equal(verdict.attrs.type, 'valid', verdict.toString());
  assert.equal(verdict.attrs.from, 'b.test');
  assert.equal(verdict.attrs.to, 'a.test');
  return c;
}

test('a stream header in jabber:client on the s2s port: invalid-namespace (S2S-01); unknown domain: host-unknown', async () => {
  const c = await RawClient.connect(b.s2sPort);
  clients.push(c);
  c.resetParser();
  c.send(s2sStreamHeader({ from: 'a.test', to: 'b.test', ns: 'jabber:client' }));
  const header = await c.expectHeader();
  assert.equal(header.xmlns, 'jabber:server');
  await c.expectStreamError('invalid-namespace');
  const d = await RawClient.connect(b.s2sPort);
  clients.push(d);
  d.resetParser();
  d.send(s2sStreamHeader({ from: 'a.test', to: 'elsewhere.test' }));
  await d.expectHeader();
  await d.expectStreamError('host-unknown');
});

test('features: STARTTLS required first, then dialback with errors; the header declares the dialback namespace', async () => {
  const c = await RawClient.connect(b.s2sPort);
  clients.push(c);
  c.resetParser();
  c.send(s2sStreamHeader({ from: 'a.test', to: 'b.test' }));
  const first = await c.expectStreamStart();
  assert.equal(first.header['xmlns:db'], 'jabber:server:dialback');
  assert.equal(first.header.from, 'b.test');
  assert.equal(first.header.to, 'a.test');
  assert.ok(first.header.id && first.header.id.length >= 16, 'an unpredictable stream id');
  assert.deepEqual(first.features.getChildElements().map((e) => e.name), ['starttls']);
  assert.ok(first.features.getChild('starttls')!.getChild('required'));
  // Dialback before TLS is refused with a dialback error, and the stream stays usable (XEP-0220 §2.4).
  c.send(`<db:result from='a.test' to='b.test'>0123</db:result>`);
  const refused = await c.nextElement(isDb('result'), 'the dialback error');
  assert.equal(refused.attrs.type, 'error');
  assert.ok(refused.getChild('error')!.getChild('policy-violation'), refused.toString());
  await c.startTls(b.caPem, { servername: 'b.test' });
  c.send(s2sStreamHeader({ from: 'a.test', to: 'b.test' }));
  const second = await c.expectStreamStart();
  const names = second.features.getChildElements().map((e) => `${e.name} ${String(e.attrs.xmlns)}`);
  assert.deepEqual(names, ['dialback urn:xmpp:features:dialback'], 'no EXTERNAL without a client certificate');
  assert.ok(second.features.getChild('dialback')!.getChild('errors'));
});

test('a stanza before authentication: not-authorized (S2S-09)', async () => {
  const { c } = await peer();
  c.send(`<message from='alice@a.test' to='bob@b.test'><body>early</body></message>`);
  await c.expectStreamError('not-authorized');
});

test('<db:result/> for a domain b.test does not serve: type=error item-not-found, the stream stays (S2S-06)', async () => {
  const { c } = await peer();
  c.send(`<db:result from='a.test' to='notmine.test'>abcd</db:result>`);
  const e = await c.nextElement(isDb('result'), 'the dialback error');
  assert.equal(e.attrs.type, 'error');
  assert.equal(e.attrs.from, 'notmine.test');
  assert.equal(e.attrs.to, 'a.test');
  const err = e.getChild('error')!;
  assert.equal(err.attrs.type, 'cancel');
  assert.ok(err.getChild('item-not-found', 'urn:ietf:params:xml:ns:xmpp-stanzas'), e.toString());
  // Still open: a dialback request for the right domain is processed.
  c.send(`<db:result from='a.test' to='b.test'>${a.s2s.keys.generate('b.test', 'a.test', c.headers.at(-1)!.id)}</db:result>`);
  const ok = await c.nextElement(isDb('result'), 'the verdict');
  assert.equal(ok.attrs.type, 'valid');
});

test('dialback with a wrong key: a.test denies it, b.test answers invalid and closes the stream (S2S-04)', async () => {
  const { c } = await peer('a.test');
  c.send(`<db:result from='a.test' to='b.test'>${'0'.repeat(64)}</db:result>`);
  const verdict = await c.nextElement(isDb('result'), 'the dialback verdict');
  assert.equal(verdict.attrs.type, 'invalid');
  assert.equal(verdict.attrs.from, 'b.test');
  await c.expectCloseTag();
  await c.expectClosed();
});

test('a key made for another stream id is refused too (keys are bound to the stream)', async () => {
  const { c } = await peer('a.test');
  c.send(`<db:result from='a.test' to='b.test'>${a.s2s.keys.generate('b.test', 'a.test', 'some-other-stream')}</db:result>`);
  const verdict = await c.nextElement(isDb('result'), 'the dialback verdict');
  assert.equal(verdict.attrs.type, 'invalid');
});

test('authenticated as a.test: a stanza from a.test is delivered to the local user', async () => {
  const bob = await loginTo(b, 'bob', 'raw');
  clients.push(bob);
  const c = await authenticatedAsA();
  c.send(`<message from='alice@a.test/x' to='bob@b.test' type='chat' id='r1'><body>by hand</body></message>`);
  const got = await bob.nextElement(isStanza('message'), 'the message');
  assert.equal(got.attrs.from, 'alice@a.test/x');
  assert.equal(got.getChildText('body'), 'by hand');
  assert.equal(got.attrs.xmlns, undefined, 'delivered in the client stream\'s namespace');
});

test('authenticated as a.test, sending from c.test: invalid-from (S2S-08, BAD-26)', async () => {
  const c = await authenticatedAsA();
  c.send(`<message from='mallory@c.test' to='bob@b.test'><body>spoof</body></message>`);
  await c.expectStreamError('invalid-from');
});

test('a stanza without from, or with an invalid from: improper-addressing (S2S-07, BAD-27)', async () => {
  const c = await authenticatedAsA();
  c.send(`<message to='bob@b.test'><body>no from</body></message>`);
  await c.expectStreamError('improper-addressing');
  const d = await authenticatedAsA();
  d.send(`<iq from='a.test' type='get' id='x'><ping xmlns='urn:xmpp:ping'/></iq>`);
  await d.expectStreamError('improper-addressing');
  const e = await authenticatedAsA();
  e.send(`<message from='@a.test' to='bob@b.test'/>`);
  await e.expectStreamError('improper-addressing');
});

test('a stanza for a domain b.test does not serve: host-unknown, never relayed (BAD-28)', async () => {
  const c = await authenticatedAsA();
  c.send(`<message from='alice@a.test' to='carol@c.test'><body>relay?</body></message>`);
  await c.expectStreamError('host-unknown');
});

test('b.test as authoritative server answers <db:verify/>: valid for its own keys only', async () => {
  const { c } = await peer('a.test');
  const mine = b.s2s.keys.generate('a.test', 'b.test', 'stream-1');
  c.send(`<db:verify from='a.test' to='b.test' id='stream-1'>${mine}</db:verify>`);
  const ok = await c.nextElement(isDb('verify'), 'the verification');
  assert.deepEqual({ ...ok.attrs }, { from: 'b.test', to: 'a.test', id: 'stream-1', type: 'valid' });
  c.send(`<db:verify from='a.test' to='b.test' id='stream-2'>${mine}</db:verify>`);
  const bad = await c.nextElement(isDb('verify'), 'the verification');
  assert.equal(bad.attrs.type, 'invalid');
  c.send(`<db:verify from='a.test' to='nobody.test' id='stream-1'>${mine}</db:verify>`);
  const err = await c.nextElement(isDb('verify'), 'the verification');
  assert.equal(err.attrs.type, 'error');
  assert.ok(err.getChild('error')!.getChild('item-not-found'), err.toString());
});

test('a failed TLS handshake after <proceed/> just ends the connection', async () => {
  const c = await RawClient.connect(b.s2sPort);
  clients.push(c);
  c.resetParser();
  c.send(s2sStreamHeader({ from: 'a.test', to: 'b.test' }));
  await c.expectStreamStart();
  c.send(`<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>`);
  const proceed = await c.nextElement(undefined, '<proceed/>');
  assert.equal(proceed.name, 'proceed');
  c.send('this is not a TLS ClientHello\r\n\r\n');
  await c.expectClosed();
});
