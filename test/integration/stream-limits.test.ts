// Raw-socket tests of the abuse limits on client streams (RFC 6120 §13.12, BAD-11, BAD-12, BAD-23) and of the
// close timeout (CORE-10). Each group runs its own server with the limit under test set small.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient, login, assertServes, NS, streamHeader } from '../helpers/raw-client.js';
import { resolveConfig, ConfigError } from '../../server/core/config.js';

const USER = 'alice';
const PW = 'alice-password';

const USERS = { [USER]: PW, bob: 'bob-password' };

test('BAD-11: the stanza size limit is configurable but never below 10000 bytes', () => {
  assert.throws(() => resolveConfig('/nonexistent', {}, { domain: DOMAIN, limits: { maxStanzaBytes: 9999 } }), ConfigError);
  assert.equal(resolveConfig('/nonexistent', {}, { domain: DOMAIN, limits: { maxStanzaBytes: 10000 } }).limits.maxStanzaBytes, 10000);
});

describe('stanza and header size limits (maxStanzaBytes: 10000)', () => {
  let s: TestServer;
  let bob: RawClient & { jid: string };
  before(async () => {
    s = await startWithUsers(USERS, { limits: { maxStanzaBytes: 10000 } });
    bob = await login(s.c2sPort, s.caPem, 'bob', 'bob-password', { resource: 'desk' });
  });
  after(async () => {
    try {
      await bob.close();
    } finally {
      await s.stop();
    }
  });
  const serves = (): Promise<void> => assertServes(s.c2sPort, s.caPem, USER, PW);

  /** A message to bob of exactly `size` bytes (ASCII). */
  function messageOfSize(size: number, id: string): string {
    const head = `<message to='bob@${DOMAIN}/desk' id='${id}' type='chat'><body>`;
    const tail = '</body></message>';
    return head + 'x'.repeat(size - head.length - tail.length) + tail;
  }

  test('BAD-11: a 10,000-byte stanza is accepted and delivered', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    const m = messageOfSize(10000, 'exact');
    assert.equal(Buffer.byteLength(m), 10000);
    c.send(m);
    const got = await bob.nextElement((e) => e.attrs.id === 'exact');
    assert.equal(got.getChildText('body')!.length, 10000 - `<message to='bob@${DOMAIN}/desk' id='exact' type='chat'><body></body></message>`.length);
    await c.ping();
    await c.close();
  });

  test('BAD-11: a 10,000-byte stanza arriving in many TCP segments is accepted too', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    const m = messageOfSize(10000, 'split');
    for (let i = 0; i < m.length; i += 1000) {
      c.send(m.slice(i, i + 1000));
      // A round trip through the server's event loop, so the pieces are read one by one. Not after the last piece:
      // that one completes the message, which may then reach bob before his pong (two streams are not ordered).
      if (i + 1000 < m.length) await bob.ping();
    }
    assert.equal((await bob.nextElement()).attrs.id, 'split');
    await c.ping();
    await c.close();
  });

  test('BAD-11: a stanza one byte over the limit → <policy-violation/>, not delivered', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    c.send(messageOfSize(10001, 'over'));
    await c.expectStreamError('policy-violation');
    await bob.ping();
    await serves();
  });

  test('BAD-11: a 1 MB body is cut off at the limit → <policy-violation/>', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    c.send(`<message to='bob@${DOMAIN}/desk' id='huge'><body>`);
    c.send('y'.repeat(1024 * 1024));
    await c.expectStreamError('policy-violation');
    await bob.ping();
    await serves();
  });

  test('BAD-11: a start tag that never ends (one huge attribute) → <policy-violation/>', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    c.send(`<message to='bob@${DOMAIN}/desk' id='`);
    for (let i = 0; i < 8; i++) c.send('z'.repeat(4096));
    await c.expectStreamError('policy-violation');
    await bob.ping();
    await serves();
  });

  test('BAD-11: a start tag with thousands of attributes → <policy-violation/>', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    let attrs = '';
    for (let i = 0; i < 3000; i++) attrs += ` a${i}='${i}'`;
    c.send(`<message to='bob@${DOMAIN}/desk'${attrs}><body>x</body></message>`);
    await c.expectStreamError('policy-violation');
    await bob.ping();
    await serves();
  });

  test('BAD-11: nesting deeper than the limit → <policy-violation/>', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    c.send(`<message to='bob@${DOMAIN}/desk'>${'<x>'.repeat(200)}`);
    await c.expectStreamError('policy-violation');
    await bob.ping();
    await serves();
  });

  test('BAD-11: a huge stream header → a response header, then <policy-violation/>', async () => {
    const c = await RawClient.connect(s.c2sPort);
    c.send(streamHeader().replace(/>$/, ` x='${'h'.repeat(20000)}'>`));
    assert.equal((await c.expectHeader()).from, DOMAIN);
    await c.expectStreamError('policy-violation');
    await serves();
  });

  test('BAD-11/CORE-11: whitespace keepalives adding up to more than the limit do not count as a stanza', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW);
    for (let i = 0; i < 30; i++) c.send(' '.repeat(1000));
    await c.ping();
    c.send(messageOfSize(10000, 'after-ws'));
    await bob.nextElement((e) => e.attrs.id === 'after-ws');
    await c.ping();
    await c.close();
  });
});

// The four cases each wait about a second for a server timer: run them side by side.
describe('pre-auth timeout (preAuthTimeoutSeconds: 1, closeTimeoutSeconds: 1)', { concurrency: true }, () => {
  let s: TestServer;
  before(async () => {
    s = await startWithUsers(USERS, { limits: { preAuthTimeoutSeconds: 1 }, closeTimeoutSeconds: 1 });
  });
  after(() => s.stop());

  test('BAD-12/CORE-62: a connection that sends nothing gets a header and <connection-timeout/>; bound sessions are not timed out', async () => {
    const bound = await login(s.c2sPort, s.caPem, USER, PW);   // connected before the idle one: its timer would fire first
    const idle = await RawClient.connect(s.c2sPort);
    const h = await idle.expectHeader();
    assert.equal(h.from, DOMAIN);
    await idle.expectStreamError('connection-timeout');
    await bound.ping();
    await bound.close();
    await assertServes(s.c2sPort, s.caPem, USER, PW);
  });

  test('BAD-12: a half-sent header (slowloris) → <connection-timeout/>', async () => {
    const c = await RawClient.connect(s.c2sPort);
    c.send(`<?xml version='1.0'?><stream:stream xmlns='${NS.client}' xmlns:stream='${NS.streams}' to='${DOMAIN}' `);
    await c.expectHeader();
    await c.expectStreamError('connection-timeout');
    await assertServes(s.c2sPort, s.caPem, USER, PW);
  });

  test('BAD-12: authenticated but never bound → <connection-timeout/>', async () => {
    const c = await login(s.c2sPort, s.caPem, USER, PW, { resource: null });
    await c.expectStreamError('connection-timeout');
    await assertServes(s.c2sPort, s.caPem, USER, PW);
  });

  test('CORE-10: a peer that never sends its closing tag after ours is dropped after the close timeout', async () => {
    const c = await RawClient.connect(s.c2sPort, { allowHalfOpen: true });
    await c.open();
    c.send('</stream:stream>');
    await c.expectCloseTag();
    // We keep our half open. Probe with whitespace until the server's drop shows up as a reset/close (bounded).
    for (let i = 0; i < 100 && !c.closed; i++) {
      await new Promise<void>((r) => c.socket.write(' ', () => r()));
      await Promise.race([c.expectClosed(100).catch(() => undefined)]);
    }
    assert.ok(c.closed, 'the server dropped the half-closed connection');
  });
});

describe('connections per IP (maxConnectionsPerIp: 3)', () => {
  let s: TestServer;
  before(async () => {
    s = await startWithUsers(USERS, { limits: { maxConnectionsPerIp: 3 } });
  });
  after(() => s.stop());

  test('BAD-23: the 4th connection from one address gets <policy-violation/>; other addresses are still served', async () => {
    const open: RawClient[] = [];
    for (let i = 0; i < 3; i++) {
      const c = await RawClient.connect(s.c2sPort);
      await c.open();
      open.push(c);
    }
    const fourth = await RawClient.connect(s.c2sPort);
    assert.equal((await fourth.expectHeader()).from, DOMAIN);
    await fourth.expectStreamError('policy-violation');
    // Another address is counted separately: a full login + ping works from 127.0.0.2.
    await assertServes(s.c2sPort, s.caPem, USER, PW, { localAddress: '127.0.0.2' });
    // Once one of the three has gone, 127.0.0.1 may connect again (the server sees the close a moment after us).
    await open.pop()!.close();
    let served = false;
    for (let i = 0; i < 50 && !served; i++) {
      const c = await RawClient.connect(s.c2sPort);
      c.sendHeader();
      await c.expectHeader();
      const next = await c.nextElement();
      if (next.name === 'stream:features') {
        served = true;
        await c.close();
      } else {
        assert.equal(next.getChildElements()[0].name, 'policy-violation');
        await c.expectClosed();
      }
    }
    assert.ok(served, 'a slot was freed');
    await Promise.all(open.map((c) => c.close()));
  });
});

describe('inbound byte throttling (bytesPerSecond: 50000, burstBytes: 16384)', () => {
  let s: TestServer;
  before(async () => {
    s = await startWithUsers(USERS, { limits: { bytesPerSecond: 50000, burstBytes: 16384 } });
  });
  after(() => s.stop());

  test('BAD-23: a burst far above the byte rate is throttled, not refused: every message arrives, in order', async () => {
    const bob = await login(s.c2sPort, s.caPem, 'bob', 'bob-password', { resource: 'desk' });
    const alice = await login(s.c2sPort, s.caPem, USER, PW);
    let burst = '';
    for (let i = 0; i < 16; i++) burst += `<message to='bob@${DOMAIN}/desk' id='t${i}' type='chat'><body>${String(i).padEnd(4000, '.')}</body></message>`;
    assert.ok(burst.length > 60000);
    alice.send(burst);
    for (let i = 0; i < 16; i++) assert.equal((await bob.nextElement(undefined, `message t${i}`, 10000)).attrs.id, `t${i}`);
    await alice.ping();
    await Promise.all([alice.close(), bob.close()]);
  });
});
