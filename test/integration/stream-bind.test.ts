// Raw-socket tests of resource binding (RFC 6120 §7): generated and chosen resources, the conflict policies
// (new-resource default, refuse, kick-old), per-account limits, bind retries, and stanzas before bind.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertServes, assertStanzaError, NS, nextId } from '../helpers/raw-client.js';

let t: TestServer;
const USER = 'alice';
const PW = 'alice-password';

before(async () => {
  t = await startWithUsers({ [USER]: PW, bob: 'bob-password', retry: 'retry-password' });
});
after(() => t.stop());

const serves = (s: TestServer = t): Promise<void> => assertServes(s.c2sPort, s.caPem, USER, PW);
const authed = (s: TestServer = t, user = USER, pw = PW): Promise<RawClient> => login(s.c2sPort, s.caPem, user, pw, { resource: null });

test('CORE-41: an empty bind gets a random, unpredictable resource in the full JID', async () => {
  const a = await authed();
  const b = await authed();
  const ja = await a.bind();
  const jb = await b.bind();
  const re = new RegExp(`^${USER}@${DOMAIN}/([A-Za-z0-9_-]{8,})$`);
  assert.match(ja, re);
  assert.match(jb, re);
  assert.notEqual(ja, jb);
  await a.ping();
  await Promise.all([a.close(), b.close()]);
});

test('CORE-42: a chosen resource is accepted unchanged (also non-ASCII, PRECIS OpaqueString)', async () => {
  for (const res of ['balcony', 'Café Ünïcode ☕', 'with/slash']) {
    const c = await authed();
    assert.equal(await c.bind(res), `${USER}@${DOMAIN}/${res}`);
    await c.close();
  }
});

test('CORE-42/BAD-30: an invalid resource (control character, over 1023 octets) → <bad-request/>; a retry with a valid one binds', async () => {
  const c = await authed();
  assertStanzaError(await c.bindRaw('bad\u007fdelete'), 'bad-request', 'modify');
  assertStanzaError(await c.bindRaw('x'.repeat(1024)), 'bad-request', 'modify');
  assert.equal(await c.bind('x'.repeat(1023)), `${USER}@${DOMAIN}/${'x'.repeat(1023)}`);
  await c.close();
});

test('CORE-43: default policy new-resource: a second bind of /phone gets a different resource and both stay connected', async () => {
  const a = await authed();
  const b = await authed();
  assert.equal(await a.bind('phone'), `${USER}@${DOMAIN}/phone`);
  const jb = await b.bind('phone');
  assert.notEqual(jb, `${USER}@${DOMAIN}/phone`);
  assert.ok(jb.startsWith(`${USER}@${DOMAIN}/phone`), jb);
  await a.ping();
  await b.ping();
  // Each full JID reaches its own session.
  const bob = await login(t.c2sPort, t.caPem, 'bob', 'bob-password');
  bob.send(`<message to='${USER}@${DOMAIN}/phone' id='to-a'><body>a</body></message><message to='${jb}' id='to-b'><body>b</body></message>`);
  assert.equal((await a.nextElement()).attrs.id, 'to-a');
  assert.equal((await b.nextElement()).attrs.id, 'to-b');
  await Promise.all([a.close(), b.close(), bob.close()]);
});

test('CORE-44: bind is only possible after authentication (a bind iq before SASL is a stanza → <not-authorized/>)', async () => {
  const c = await RawClient.connect(t.c2sPort);
  await c.open();
  await c.startTls(t.caPem);
  await c.open();
  c.send(`<iq type='set' id='b0'><bind xmlns='${NS.bind}'><resource>early</resource></bind></iq>`);
  await c.expectStreamError('not-authorized');
  await serves();
});

test('CORE-08/BAD-18: a message after SASL but before bind gets <not-authorized/>', async () => {
  const c = await authed();
  c.send(`<message to='bob@${DOMAIN}' id='m'><body>too early</body></message>`);
  await c.expectStreamError('not-authorized');
  await serves();
});

test('CORE-45: failed binds are answered each time, and the 8th failure closes the stream with <policy-violation/>', async () => {
  const c = await authed(t, 'retry', 'retry-password');
  for (let i = 1; i <= 7; i++) assertStanzaError(await c.bindRaw(`bad\u007f${i}`), 'bad-request', 'modify');
  assertStanzaError(await c.bindRaw('bad\u0085eight'), 'bad-request', 'modify');
  await c.expectStreamError('policy-violation');
  await serves();
});

test('CORE-45: a bind iq of type get is a failed bind (<bad-request/>), not a crash', async () => {
  const c = await authed();
  const id = nextId('bget');
  c.send(`<iq type='get' id='${id}'><bind xmlns='${NS.bind}'/></iq>`);
  assertStanzaError(await c.nextElement(), 'bad-request', 'modify', id);
  assert.match(await c.bind(), new RegExp(`^${USER}@${DOMAIN}/`));
  await c.close();
});

test('BAD-22: a second bind on a bound stream is refused with a stanza error and the session keeps its JID', async () => {
  const c = await authed();
  const jid = await c.bind('first');
  const reply = await c.bindRaw('second');
  assert.equal(reply.attrs.type, 'error', reply.toString());
  const cond = reply.getChild('error')!.getChildElements()[0].name;
  assert.ok(['not-allowed', 'unexpected-request'].includes(cond), `condition ${cond}`);
  assert.equal(jid, `${USER}@${DOMAIN}/first`);
  await c.ping();
  await c.close();
});

test('CORE-46: the legacy session iq gets an empty result', async () => {
  const c = await authed();
  await c.bind();
  const id = nextId('sess');
  const reply = await c.iq(`<iq type='set' id='${id}'><session xmlns='${NS.session}'/></iq>`, id);
  assert.equal(reply.attrs.type, 'result');
  assert.equal(reply.getChildElements().length, 0);
  await c.close();
});

describe("resourceConflict: 'refuse', maxResourcesPerAccount: 2", () => {
  let s: TestServer;
  before(async () => {
    s = await startWithUsers({ [USER]: PW, bob: 'bob-password' }, { resourceConflict: 'refuse', limits: { maxResourcesPerAccount: 2 } });
  });
  after(() => s.stop());

  test("CORE-43: policy 'refuse': binding a resource in use → <conflict/> (cancel); another resource then binds", async () => {
    const a = await authed(s);
    const b = await authed(s);
    await a.bind('tablet');
    assertStanzaError(await b.bindRaw('tablet'), 'conflict', 'cancel');
    assert.equal(await b.bind('laptop'), `${USER}@${DOMAIN}/laptop`);
    await a.ping();
    await Promise.all([a.close(), b.close()]);
  });

  test('CORE-44/BAD-23: over the resource limit (2) a bind gets <resource-constraint/> (wait); after one leaves it works', async () => {
    const a = await authed(s);
    const b = await authed(s);
    const c = await authed(s);
    await a.bind('one');
    await b.bind('two');
    assertStanzaError(await c.bindRaw('three'), 'resource-constraint', 'wait');
    await a.close();
    // The server drops a's session when it sees the TCP close; retry (each try is a round trip) until it has.
    let bound = '';
    for (let i = 0; i < 50 && !bound; i++) {
      const r = await c.bindRaw('three');
      if (r.attrs.type === 'result') bound = r.getChild('bind')!.getChildText('jid')!;
      else assertStanzaError(r, 'resource-constraint', 'wait');
      if (i === 5) assert.ok(!c.closed);
    }
    assert.equal(bound, `${USER}@${DOMAIN}/three`);
    await Promise.all([b.close(), c.close()]);
  });
});

describe("resourceConflict: 'kick-old'", () => {
  let s: TestServer;
  before(async () => {
    s = await startWithUsers({ [USER]: PW, bob: 'bob-password' }, { resourceConflict: 'kick-old' });
  });
  after(() => s.stop());

  test("CORE-43/CORE-63: policy 'kick-old': the old session gets a <conflict/> stream error; the new one owns the JID", async () => {
    const old = await authed(s);
    const neu = await authed(s);
    await old.bind('desk');
    assert.equal(await neu.bind('desk'), `${USER}@${DOMAIN}/desk`);
    await old.expectStreamError('conflict');
    const bob = await login(s.c2sPort, s.caPem, 'bob', 'bob-password');
    bob.send(`<message to='${USER}@${DOMAIN}/desk' id='after-kick'><body>hi</body></message>`);
    assert.equal((await neu.nextElement()).attrs.id, 'after-kick');
    await neu.ping();
    await Promise.all([neu.close(), bob.close()]);
    await serves(s);
  });
});
