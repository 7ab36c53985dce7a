// Raw-socket tests of SASL on the client stream (RFC 6120 §6, RFC 5802/7677, XEP-0440): mechanisms per stage,
// SCRAM with and without channel binding, PLAIN, failure conditions, retries → policy-violation, authzid.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertServes, NS, b64, type Element } from '../helpers/raw-client.js';

let t: TestServer;
const USER = 'alice';
const PW = 'alice-password';

before(async () => {
  t = await startWithUsers({
    [USER]: PW, bob: 'bob-password', juliet: 'juliet-password', umlaut: 'p\u00e4ssw\u00f6rd', victim: 'victim-password', dave: 'dave-password',
  });
  await t.server.accounts!.setFlags('dave', { disabled: true });
});
after(() => t.stop());

const serves = (): Promise<void> => assertServes(t.c2sPort, t.caPem, USER, PW);

/** A TLS-secured stream right before SASL. */
async function preAuth(): Promise<{ c: RawClient; features: Element }> {
  const c = await RawClient.connect(t.c2sPort);
  await c.open();
  await c.startTls(t.caPem);
  const { features } = await c.open();
  return { c, features };
}

function assertFailure(e: Element, condition: string): void {
  assert.equal(e.name, 'failure', `expected a SASL failure <${condition}/>, got ${e.toString()}`);
  assert.equal(e.attrs.xmlns, NS.sasl);
  const conds = e.getChildElements().filter((k) => k.name !== 'text');
  assert.deepEqual(conds.map((k) => k.name), [condition], e.toString());
}

async function answer(c: RawClient, xml: string): Promise<Element> {
  c.send(xml);
  return c.nextElement(undefined, 'the SASL answer');
}

test('CORE-24/CORE-26/CORE-27/CORE-29: after TLS the mechanisms are SCRAM-SHA-256(-PLUS), SCRAM-SHA-1(-PLUS), PLAIN in that order, with channel-binding types; no EXTERNAL without a client certificate', async () => {
  const { c, features } = await preAuth();
  const mechs = features.getChild('mechanisms', NS.sasl)!.getChildren('mechanism').map((m) => m.getText());
  assert.deepEqual(mechs, ['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256', 'SCRAM-SHA-1-PLUS', 'SCRAM-SHA-1', 'PLAIN']);
  const cbs = features.getChild('sasl-channel-binding', NS.saslCb)!.getChildren('channel-binding').map((b) => b.attrs.type);
  assert.ok(cbs.includes('tls-server-end-point'), cbs.join(','));
  if (c.tlsSocket!.getProtocol() === 'TLSv1.3') assert.ok(cbs.includes('tls-exporter'), cbs.join(','));
  assert.equal(features.getChild('bind', NS.bind), undefined, 'CORE-40: no bind before authentication');
  c.destroy();
});

test('CORE-38/CORE-39: no stage offers stream compression or iq-auth', async () => {
  const c = await login(t.c2sPort, t.caPem, USER, PW, { resource: null });
  assert.ok(!c.received.includes('http://jabber.org/features/compress'));
  assert.ok(!c.received.includes('http://jabber.org/features/iq-auth'));
  await c.close();
});

for (const hash of ['SHA-1', 'SHA-256'] as const) {
  test(`CORE-25/CORE-26: SCRAM-${hash} succeeds and the server signature in <success/> verifies`, async () => {
    const { c } = await preAuth();
    const ok = await c.authScram(USER, PW, { hash });
    assert.equal(ok.name, 'success');
    c.destroy();
  });
}

for (const [hash, cb] of [['SHA-256', 'tls-exporter'], ['SHA-256', 'tls-server-end-point'], ['SHA-1', 'tls-exporter'], ['SHA-1', 'tls-server-end-point']] as const) {
  test(`CORE-25/CORE-27: SCRAM-${hash}-PLUS with ${cb} channel binding succeeds`, async () => {
    const { c } = await preAuth();
    if (cb === 'tls-exporter' && c.tlsSocket!.getProtocol() !== 'TLSv1.3') return c.destroy();
    const ok = await c.authScram(USER, PW, { hash, cb });
    assert.equal(ok.name, 'success', ok.toString());
    c.destroy();
  });
}

test("CORE-27: GS2 flag 'y' (client thinks the server lacks channel binding) while -PLUS was offered → <not-authorized/>", async () => {
  const { c } = await preAuth();
  assertFailure(await c.authScram(USER, PW, { gs2Flag: 'y' }), 'not-authorized');
  c.destroy();
  await serves();
});

test('CORE-25: PLAIN over TLS succeeds', async () => {
  const { c } = await preAuth();
  assert.equal((await c.authPlain(USER, PW)).name, 'success');
  c.destroy();
});

test('CORE-30: base64 that is not RFC 4648 (bad alphabet, whitespace, non-zero pad bits) → <incorrect-encoding/>', async () => {
  const bad = ['!!!', ` ${b64(`\u0000${USER}\u0000${PW}`)}`, `${b64(`\u0000${USER}`)}\n${b64(`\u0000${PW}`)}`, 'QQ=', 'QR=='];
  for (let i = 0; i < bad.length; i += 4) {
    const { c } = await preAuth();
    for (const text of bad.slice(i, i + 4)) assertFailure(await answer(c, `<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${text}</auth>`), 'incorrect-encoding');
    c.destroy();
  }
  await serves();
});

test("CORE-30: <auth/> without initial response gets an empty challenge '='; the response then completes PLAIN", async () => {
  const { c } = await preAuth();
  const ch = await answer(c, `<auth xmlns='${NS.sasl}' mechanism='PLAIN'/>`);
  assert.equal(ch.name, 'challenge');
  assert.equal(ch.getText(), '=');
  const ok = await answer(c, `<response xmlns='${NS.sasl}'>${b64(`\u0000${USER}\u0000${PW}`)}</response>`);
  assert.equal(ok.name, 'success');
  c.destroy();
});

test('CORE-31: <abort/> during SCRAM → <failure><aborted/></failure>; a new exchange then succeeds', async () => {
  const { c } = await preAuth();
  const ch = await answer(c, `<auth xmlns='${NS.sasl}' mechanism='SCRAM-SHA-256'>${b64(`n,,n=${USER},r=clientnonce123`)}</auth>`);
  assert.equal(ch.name, 'challenge');
  assertFailure(await answer(c, `<abort xmlns='${NS.sasl}'/>`), 'aborted');
  assert.equal((await c.authScram(USER, PW)).name, 'success');
  c.destroy();
});

test('CORE-31: a new <auth/> during a running SCRAM exchange discards it and starts over', async () => {
  const { c } = await preAuth();
  const ch = await answer(c, `<auth xmlns='${NS.sasl}' mechanism='SCRAM-SHA-1'>${b64(`n,,n=${USER},r=clientnonce456`)}</auth>`);
  assert.equal(ch.name, 'challenge');
  assert.equal((await c.authPlain(USER, PW)).name, 'success');
  c.destroy();
});

test('CORE-32: defined failure conditions: invalid-mechanism, malformed-request, not-authorized, account-disabled', async () => {
  let { c } = await preAuth();
  assertFailure(await answer(c, `<auth xmlns='${NS.sasl}' mechanism='DIGEST-MD5'>=</auth>`), 'invalid-mechanism');
  assertFailure(await answer(c, `<auth xmlns='${NS.sasl}' mechanism='plain'>${b64(`\u0000${USER}\u0000${PW}`)}</auth>`), 'invalid-mechanism');
  assertFailure(await answer(c, `<auth xmlns='${NS.sasl}'>${b64(`\u0000${USER}\u0000${PW}`)}</auth>`), 'invalid-mechanism');
  assertFailure(await answer(c, `<response xmlns='${NS.sasl}'>${b64('stray')}</response>`), 'malformed-request');
  c.destroy();
  ({ c } = await preAuth());
  assertFailure(await answer(c, `<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${b64('no separators at all')}</auth>`), 'malformed-request');
  assertFailure(await answer(c, `<auth xmlns='${NS.sasl}' mechanism='SCRAM-SHA-256'>${b64('garbage,that,is,not,scram')}</auth>`), 'malformed-request');
  assertFailure(await c.authScram('nosuchuser', 'whatever'), 'not-authorized');
  assertFailure(await c.authScram('bob', 'wrong-password', { tamperNonce: true }), 'not-authorized');
  c.destroy();
  ({ c } = await preAuth());
  assertFailure(await c.authPlain('bob', 'wrong-password'), 'not-authorized');
  assertFailure(await c.authScram('dave', 'dave-password'), 'account-disabled');
  c.destroy();
  await serves();
});

test('CORE-33: five failed attempts on one stream → the fifth <failure/> then a <policy-violation/> stream error; the account is then locked out on that address', async () => {
  const { c } = await preAuth();
  for (let i = 1; i <= 4; i++) assertFailure(await c.authScram('victim', `wrong-${i}`), 'not-authorized');
  assertFailure(await c.authPlain('victim', 'wrong-5'), 'not-authorized');
  await c.expectStreamError('policy-violation');
  // Per-account lockout with backoff: even the right password is refused for now, with a temporary failure.
  const { c: again } = await preAuth();
  assertFailure(await again.authScram('victim', 'victim-password'), 'temporary-auth-failure');
  again.destroy();
  // Other accounts are not affected.
  await serves();
});

test('CORE-34: authzid must be the own bare JID: another user, or a full JID → <invalid-authzid/>; own bare JID → success', async () => {
  const { c } = await preAuth();
  assertFailure(await c.authPlain(USER, PW, `bob@${DOMAIN}`), 'invalid-authzid');
  assertFailure(await c.authPlain(USER, PW, `${USER}@${DOMAIN}/res`), 'invalid-authzid');
  assert.equal((await c.authPlain(USER, PW, `${USER}@${DOMAIN}`)).name, 'success');
  c.destroy();
});

test('CORE-35/CORE-40: after <success/> the restart gets a new id and features with bind (and session optional), no mechanisms', async () => {
  const { c } = await preAuth();
  const before = c.headers[c.headers.length - 1].id;
  assert.equal((await c.authScram(USER, PW)).name, 'success');
  const { header, features } = await c.restart();
  assert.notEqual(header.id, before);
  assert.ok(features.getChild('bind', NS.bind));
  assert.ok(features.getChild('session', NS.session)?.getChild('optional'), 'CORE-46: session advertised as optional');
  assert.equal(features.getChild('mechanisms', NS.sasl), undefined);
  assert.equal(features.getChild('starttls', NS.tls), undefined);
  await c.close();
});

test('CORE-36: the username is case-mapped (JULIET logs in as juliet); the password is normalised the same at creation and login', async () => {
  for (const name of ['JULIET', 'Juliet']) {
    const c = await login(t.c2sPort, t.caPem, name, 'juliet-password', { mechanism: 'SCRAM-SHA-1' });
    assert.match(c.jid, new RegExp(`^juliet@${DOMAIN}/`));
    await c.close();
  }
  // Stored from the NFC form; PLAIN with the decomposed (NFD) form is SASLprepped to the same password.
  const c = await login(t.c2sPort, t.caPem, 'umlaut', 'pa\u0308sswo\u0308rd', { mechanism: 'PLAIN' });
  await c.close();
});

test('BAD-18/CORE-08: a stanza after TLS but before SASL gets <not-authorized/>', async () => {
  const { c } = await preAuth();
  c.send(`<iq type='get' id='early'><query xmlns='jabber:iq:roster'/></iq>`);
  await c.expectStreamError('not-authorized');
  await serves();
});

test('BAD-22: <auth/> after success (before and after bind) → <policy-violation/> stream error', async () => {
  const a = await login(t.c2sPort, t.caPem, USER, PW, { resource: null });
  a.send(`<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${b64(`\u0000${USER}\u0000${PW}`)}</auth>`);
  await a.expectStreamError('policy-violation');
  const b = await login(t.c2sPort, t.caPem, USER, PW);
  b.send(`<auth xmlns='${NS.sasl}' mechanism='PLAIN'>${b64(`\u0000${USER}\u0000${PW}`)}</auth>`);
  await b.expectStreamError('policy-violation');
  await serves();
});

test('BAD-20: an unknown element in the SASL namespace → <unsupported-stanza-type/>', async () => {
  const { c } = await preAuth();
  c.send(`<foo xmlns='${NS.sasl}'/>`);
  await c.expectStreamError('unsupported-stanza-type');
  await serves();
});

test('BAD-20/CORE-33: fuzzed SASL payloads get only defined conditions; streams close with policy-violation once a retry budget is used up; the server survives', async () => {
  // Deterministic pseudo-random payloads (xorshift), so a failure can be replayed.
  let seed = 0x2545f491;
  const rnd = (n: number): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const pieces = ['n,,', 'y,,', 'p=tls-unique,,', 'p=foo,,', 'n=', 'r=', ',', '=2C', '=3D', '=ZZ', 'a=', 'm=x', '\u0000', 'x'.repeat(40), 'c=biws', 'p=', 'v=', '\u00ff'];
  const defined = new Set(['malformed-request', 'not-authorized', 'invalid-mechanism', 'incorrect-encoding', 'invalid-authzid', 'temporary-auth-failure']);
  const mechs = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN', 'SCRAM-SHA-256-PLUS'];
  // Wrong credentials have a budget of 5 per stream (CORE-33); protocol failures a larger one of 10, so that a
  // client's mechanism fallback chain is not mistaken for guessing.
  const credential = new Set(['not-authorized', 'temporary-auth-failure', 'invalid-authzid']);
  for (let stream = 0; stream < 3; stream++) {
    const { c } = await preAuth();
    let cred = 0;
    let proto = 0;
    while (cred < 5 && proto < 10) {
      let payload = '';
      for (let k = rnd(6) + 1; k > 0; k--) payload += pieces[rnd(pieces.length)];
      const mech = mechs[rnd(mechs.length)];
      let reply = await answer(c, `<auth xmlns='${NS.sasl}' mechanism='${mech}'>${b64(payload)}</auth>`);
      if (reply.name === 'challenge') reply = await answer(c, `<response xmlns='${NS.sasl}'>${b64(payload)}</response>`);
      assert.equal(reply.name, 'failure', `payload ${JSON.stringify(payload)} with ${mech}: ${reply.toString()}`);
      const cond = reply.getChildElements().find((k) => k.name !== 'text')!.name;
      assert.ok(defined.has(cond), `condition ${cond}`);
      if (credential.has(cond)) cred++;
      else proto++;
    }
    await c.expectStreamError('policy-violation');
  }
  await serves();
});

describe('with requireTls: false (cleartext allowed)', () => {
  let clear: TestServer;
  before(async () => {
    clear = await startWithUsers({ carol: 'carol-password' }, { requireTls: false });
  });
  after(() => clear.stop());

  test('CORE-16/CORE-28: cleartext features offer optional STARTTLS and SCRAM without PLAIN (and without -PLUS)', async () => {
    const c = await RawClient.connect(clear.c2sPort);
    const { features } = await c.open();
    const starttls = features.getChild('starttls', NS.tls);
    assert.ok(starttls);
    assert.equal(starttls.getChild('required'), undefined);
    const mechs = features.getChild('mechanisms', NS.sasl)!.getChildren('mechanism').map((m) => m.getText());
    assert.deepEqual(mechs, ['SCRAM-SHA-256', 'SCRAM-SHA-1']);
    await c.close();
  });

  test('CORE-28: PLAIN on the cleartext stream is refused; SCRAM works and the session binds', async () => {
    const c = await RawClient.connect(clear.c2sPort);
    await c.open();
    const plain = await c.authPlain('carol', 'carol-password');
    assert.equal(plain.name, 'failure');
    assert.ok(plain.getChild('invalid-mechanism') || plain.getChild('encryption-required'), plain.toString());
    assert.equal((await c.authScram('carol', 'carol-password')).name, 'success');
    await c.restart();
    assert.match(await c.bind('cleartext'), /^carol@test\.local\/cleartext$/);
    await c.ping();
    await c.close();
  });

  test('CORE-28: after optional STARTTLS, PLAIN is offered', async () => {
    const c = await RawClient.connect(clear.c2sPort);
    await c.open();
    await c.startTls(clear.caPem);
    const { features } = await c.open();
    const mechs = features.getChild('mechanisms', NS.sasl)!.getChildren('mechanism').map((m) => m.getText());
    assert.ok(mechs.includes('PLAIN'));
    assert.equal((await c.authPlain('carol', 'carol-password')).name, 'success');
    c.destroy();
  });
});
