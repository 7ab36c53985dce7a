// Per-session stanza rates (RFC 6120 §13.12, BAD-23; issue 13): messages, presence and iqs are counted apart; a
// stanza over the rate gets a <policy-violation/> error of type wait and is not processed (a presence is not fanned
// out); a client that keeps sending while refused is closed with the <policy-violation/> stream error. The rates are
// tiny here so that nothing refills during a test: the burst alone decides.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, type TestServer } from '../helpers/server.js';
import { login, assertStanzaError, type RawClient } from '../helpers/raw-client.js';

const USERS = { alice: 'alice-password', bob: 'bob-password' };
const SLOW = 0.0001;   // one stanza per ~3 hours: nothing refills while a test runs
const RATES = { messagesPerSecond: SLOW, messageBurst: 5, presencePerSecond: SLOW, presenceBurst: 4, iqPerSecond: SLOW, iqBurst: 50 };

const message = (to: string, id: string): string => `<message to='${to}' id='${id}' type='chat'><body>${id}</body></message>`;

describe('stanza rates (message burst 5, presence burst 4)', () => {
  let s: TestServer;
  let bob: RawClient & { jid: string };
  before(async () => {
    s = await startWithUsers(USERS, { limits: RATES });
    bob = await login(s.c2sPort, s.caPem, 'bob', USERS.bob, { resource: 'desk' });
  });
  after(async () => {
    bob.destroy();
    await s.stop();
  });

  test('BAD-23: the 6th message of a burst of 5 → <policy-violation/> (wait), not delivered; iqs are counted apart', async () => {
    const alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice);
    for (let i = 1; i <= 6; i++) alice.send(message(bob.jid, `m${i}`));
    const refused = await alice.nextElement((e) => e.attrs.id === 'm6', 'the error for m6');
    assertStanzaError(refused, 'policy-violation', 'wait', 'm6');
    assert.equal(refused.attrs.from, bob.jid);
    for (let i = 1; i <= 5; i++) assert.equal((await bob.nextElement()).attrs.id, `m${i}`);
    await alice.ping();   // the iq bucket is apart
    await bob.ping();     // and m6 never reached bob
    alice.destroy();
  });

  test('BAD-23: a client that keeps sending over the rate is closed with <policy-violation/>', async () => {
    const alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice, { resource: 'flood' });
    // 5 pass, the next 4 are refused, the 10th is a whole burst refused in a row: the stream closes.
    for (let i = 1; i <= 12; i++) alice.send(message(bob.jid, `f${i}`));
    for (let i = 6; i <= 9; i++) assertStanzaError(await alice.nextElement((e) => e.attrs.id === `f${i}`, `the error for f${i}`), 'policy-violation', 'wait', `f${i}`);
    await alice.expectStreamError('policy-violation', { skipStanzas: true });
    for (let i = 1; i <= 5; i++) assert.equal((await bob.nextElement()).attrs.id, `f${i}`);
    await bob.ping();
  });

  test('BAD-23: presence over its rate is refused before it is fanned out', async () => {
    const alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice, { resource: 'storm' });
    for (let i = 1; i <= 5; i++) alice.send(`<presence to='${bob.jid}' id='p${i}'><status>${i}</status></presence>`);
    const refused = await alice.nextElement((e) => e.attrs.id === 'p5', 'the error for p5');
    assert.equal(refused.name, 'presence');
    assertStanzaError(refused, 'policy-violation', 'wait', 'p5');
    for (let i = 1; i <= 4; i++) assert.equal((await bob.nextElement()).attrs.id, `p${i}`);
    await bob.ping();
    alice.destroy();
  });
});

test('BAD-23: with limits off (--limits off, as the benchmark runs) no stanza rate applies', async () => {
  const s = await startWithUsers(USERS, { limits: { ...RATES, enabled: false } });
  try {
    const bob = await login(s.c2sPort, s.caPem, 'bob', USERS.bob, { resource: 'desk' });
    const alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice);
    for (let i = 1; i <= 20; i++) alice.send(message(bob.jid, `n${i}`));
    for (let i = 1; i <= 20; i++) assert.equal((await bob.nextElement()).attrs.id, `n${i}`);
    await alice.ping();
    alice.destroy();
    bob.destroy();
  } finally {
    await s.stop();
  }
});
