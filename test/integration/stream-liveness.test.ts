// CORE-12: silent peers. A bound client that sends nothing for idlePingSeconds gets an XEP-0199 ping from the
// server; one that answers stays, one that does not is closed with <connection-timeout/>.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { login, assertServes } from '../helpers/raw-client.js';

let s: TestServer;
before(async () => {
  s = await startWithUsers({ alice: 'alice-password' }, { idlePingSeconds: 1, pingTimeoutSeconds: 1 });
});
after(() => s.stop());

const isPing = (e: { name: string; attrs: Record<string, string>; getChild(n: string, ns?: string): unknown }): boolean =>
  e.name === 'iq' && e.attrs.type === 'get' && e.getChild('ping', 'urn:xmpp:ping') !== undefined;

test('CORE-12: an idle client is pinged by the server and stays connected when it answers', async () => {
  const c = await login(s.c2sPort, s.caPem, 'alice', 'alice-password', { resource: 'awake' });
  const ping = await c.nextElement(isPing, 'an idle ping from the server', 10_000);
  assert.equal(ping.attrs.from, DOMAIN);
  assert.equal(ping.attrs.to, c.jid);
  c.send(`<iq type='result' id='${ping.attrs.id}' to='${DOMAIN}'/>`);
  // Answering resets the clock: the next thing the server sends is another ping, not a stream error.
  const again = await c.nextElement(undefined, 'the next element after answering', 10_000);
  assert.equal(isPing(again), true, `expected a second ping, got ${again.toString()}`);
  assert.equal(c.closed, false);
  await c.close();
});

test('CORE-12: an idle client that does not answer the ping is closed with connection-timeout', async () => {
  const c = await login(s.c2sPort, s.caPem, 'alice', 'alice-password', { resource: 'asleep' });
  await c.nextElement(isPing, 'an idle ping from the server', 10_000);
  const err = await c.expectStreamError('connection-timeout');
  assert.ok(err.getChild('connection-timeout', 'urn:ietf:params:xml:ns:xmpp-streams'));
  await assertServes(s.c2sPort, s.caPem, 'alice', 'alice-password');
});
