// Output buffering per connection (RFC 6120 §13.12, BAD-23; issue 13): a client that stops reading makes the
// server hold back its own requests (reading paused), and what others send to it is bounded by maxOutputBytes:
// past the bound its stream closes with <policy-violation/>. Asserted on the server's own stream (the most bytes
// ever queued, whether it was held), never on timing.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { login, assertServes, until, type RawClient } from '../helpers/raw-client.js';
import { parseJid } from '../../server/core/jid.js';
import type { SessionHandle } from '../../server/core/client-stream.js';
import type { XmlStream } from '../../server/core/xml-stream.js';

const USERS = { alice: 'alice-password', bob: 'bob-password' };
const BOUND = 512 * 1024;

/** The server's stream of a logged-in client. */
function serverStream(s: TestServer, jid: string): XmlStream {
  const session = s.server.context_.sessions.get(parseJid(jid)) as SessionHandle | undefined;
  assert.ok(session?.connection, `${jid} has a session with a connection`);
  return session.connection as unknown as XmlStream;
}

describe(`output bound (maxOutputBytes: ${BOUND})`, () => {
  let s: TestServer;
  before(async () => {
    // The inbound byte shaping and the iq rate (tested elsewhere) would slow these floods down; only the output matters here.
    s = await startWithUsers(USERS, { limits: { maxOutputBytes: BOUND, maxStanzaBytes: 100_000, bytesPerSecond: 1 << 30, burstBytes: 1 << 30, iqBurst: 10_000 } });
  });
  after(() => s.stop());

  test('BAD-23: a client that stops reading and keeps asking for its 60 KB vCard is held, not buffered: nothing is lost once it reads', async () => {
    const alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice);
    const set = await alice.iq(`<iq type='set' id='vset'><vCard xmlns='vcard-temp'><DESC>${'v'.repeat(60_000)}</DESC></vCard></iq>`, 'vset');
    assert.equal(set.attrs.type, 'result', set.toString());
    const stream = serverStream(s, alice.jid);
    alice.socket.pause();
    // 400 × 60 KB is far more than the kernel's socket buffers take; the server must stop answering on its own.
    const N = 400;
    let requests = '';
    for (let i = 0; i < N; i++) requests += `<iq type='get' id='v${i}'><vCard xmlns='vcard-temp'/></iq>`;
    alice.send(requests);
    await until('the server to hold alice back (its output backed up)', () => stream.outputBackedUp, 10_000);
    assert.ok(stream.usable, 'a client that only slows itself down is not disconnected');
    assert.ok(stream.outputPeak <= BOUND, `at most ${BOUND} bytes queued, saw ${stream.outputPeak}`);
    alice.socket.resume();
    for (let i = 0; i < N; i++) {
      const r = await alice.nextElement((e) => e.attrs.id === `v${i}`, `vCard result v${i}`);
      assert.equal(r.attrs.type, 'result');
    }
    await alice.ping();
    assert.ok(stream.outputPeak <= BOUND, `at most ${BOUND} bytes queued, saw ${stream.outputPeak}`);
    await alice.close();
  });

  test('BAD-23: a client that stops reading while others write to it is closed with <policy-violation/> at the bound', async () => {
    const alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice, { resource: 'stalled' });
    const bob = await login(s.c2sPort, s.caPem, 'bob', USERS.bob);
    const stream = serverStream(s, alice.jid);
    alice.socket.pause();
    const body = 'm'.repeat(50_000);
    // Batches of 10 × 50 KB, each followed by a round trip of bob's, until the server closed alice's stream; at most
    // 40 MB in all (without a bound it would never close, and the test fails there).
    let batches = 0;
    while (stream.usable && batches < 80) {
      let out = '';
      for (let i = 0; i < 10; i++) out += `<message to='${alice.jid}' type='chat' id='b${batches}-${i}'><body>${body}</body></message>`;
      bob.send(out);
      await bob.ping({ strict: false });
      batches++;
    }
    assert.equal(stream.usable, false, `alice's stream was closed after ${batches} batches (peak ${stream.outputPeak} bytes)`);
    assert.ok(stream.outputPeak <= BOUND, `at most ${BOUND} bytes queued, saw ${stream.outputPeak}`);
    alice.socket.resume();
    // What was queued before the bound arrives first, then the stream error, the closing tag and the close.
    await alice.expectStreamErrorLast('policy-violation');
    await bob.ping({ strict: false });
    await assertServes(s.c2sPort, s.caPem, 'alice', USERS.alice);
    await closeQuietly(bob);
  });
});

/** Bob may still get bounces for what reached alice's closed stream: read past them. */
async function closeQuietly(c: RawClient): Promise<void> {
  c.send('</stream:stream>');
  await c.nextEvent('anything').catch(() => undefined);
  c.destroy();
}

test('BAD-23: the output bound always fits two of the largest stanzas allowed', async () => {
  const { resolveConfig, outputBound } = await import('../../server/core/config.js');
  const c = resolveConfig('/nonexistent', {}, { domain: DOMAIN, limits: { maxOutputBytes: 100_000, maxStanzaBytes: 200_000 } });
  assert.equal(outputBound(c.limits), 400_000);
  assert.equal(outputBound(resolveConfig('/nonexistent', {}, { domain: DOMAIN }).limits), 1024 * 1024);
});
