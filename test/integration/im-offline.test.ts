// XEP-0160 offline messages with XEP-0203 delay stamps (IM-37…IM-40) against real servers over real sockets:
// delivery on the next non-negative available presence (not at bind), in order, stamped; what is not kept; the
// quota; survival across a restart; removal only after the write to the socket; a real client (@xmpp/client)
// receiving stored messages.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import * as ltx from 'ltx';
import { xml } from '@xmpp/client';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { addUsers, describe, PASSWORD, type ImClient } from '../helpers/im-client.js';
import { nextId, type Element } from '../helpers/raw-client.js';
import { xmppjsLogin, nextEvent } from '../helpers/clients.js';
import {
  online, leave, message, refusal, assertStanza, assertSilent, messagesBefore, withId, NS_DELAY,
} from '../helpers/im-routing.js';
import { offlineServiceOf, isStorable } from '../../server/modules/offline.js';
import type { LocalSession } from '../../server/core/session-registry.js';
import { parseJid } from '../../server/core/jid.js';
import { offlineStore } from '../../server/storage/offline.js';

const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const CHATSTATES = 'http://jabber.org/protocol/chatstates';
const bare = (u: string): string => `${u}@${DOMAIN}`;
let t: TestServer;
let open: { server: TestServer; c: ImClient }[] = [];

before(async () => {
  t = await startServer();
  await addUsers(t, 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina');
});

afterEach(async () => {
  await Promise.all(open.map(({ server, c }) => leave(server, c)));
  open = [];
});

after(async () => {
  await t.stop();
});

async function login(user: string, resource: string, priority?: number | null, server = t): Promise<ImClient> {
  const c = await online(server, user, resource, priority);
  open.push({ server, c });
  return c;
}

/** Read `c` until `n` messages arrived (stored ones may still be on their way at a pong); presence is skipped. */
async function readMessages(c: ImClient, n: number, what: string): Promise<Element[]> {
  const got: Element[] = [];
  while (got.length < n) got.push(await c.waitFor((e) => e.name === 'message', `${what} (${got.length + 1} of ${n})`));
  return got;
}

test('IM-38: stored messages wait for a non-negative available presence (not bind), then come in order with delay stamps', async () => {
  const alice = await login('alice', 'a1');
  const since = Math.floor(Date.now() / 1000) * 1000;
  const ids = [nextId('one'), nextId('two'), nextId('three')];
  alice.send(message(bare('bob'), 'chat', ids[0], '<body>first</body>'));
  alice.send(message(bare('bob'), undefined, ids[1], '<body>second (normal)</body>'));
  alice.send(message(`${bare('bob')}/laptop`, 'chat', ids[2], '<body>third, to a resource that is gone</body>'));
  await assertSilent(alice, ids[0]);
  assert.deepEqual((await alice.untilPong()).map(String), [], 'the sender is told nothing');
  assert.equal(await t.server.storage!.get(offlineStore).count('bob'), 3);

  // Bound, no presence: nothing is handed out (a marker to the full JID overtakes nothing).
  const b1 = await login('bob', 'b1', null);
  assert.deepEqual((await messagesBefore(alice, b1)).map(String), []);
  // Initial presence with a negative priority: still nothing.
  b1.presence('', '<priority>-1</priority>');
  await b1.untilPong();
  assert.deepEqual((await messagesBefore(alice, b1)).map(String), []);
  // Non-negative: everything, oldest first, to this resource.
  b1.presence('', '<priority>0</priority>');
  const got = await readMessages(b1, 3, 'the stored messages');
  assert.deepEqual(got.map((e) => e.attrs.id), ids, `in the order they were sent: ${describe(got)}`);
  const until = Date.now();
  for (const e of got) {
    const delay = e.getChild('delay', NS_DELAY);
    assert.ok(delay, `XEP-0203 delay: ${e.toString()}`);
    assert.match(String(delay.attrs.stamp), STAMP);
    const at = Date.parse(String(delay.attrs.stamp));
    assert.ok(at >= since && at <= until, `stamp ${delay.attrs.stamp} within the test`);
  }
  const stamp = String(got[0].getChild('delay', NS_DELAY)!.attrs.stamp);
  assertStanza(got[0], `<message to='${bare('bob')}' type='chat' id='${ids[0]}' from='${alice.jid}'><body>first</body><delay xmlns='${NS_DELAY}' from='${DOMAIN}' stamp='${stamp}'>Offline Storage</delay></message>`);
  assertStanza(got[2], `<message to='${bare('bob')}/laptop' type='chat' id='${ids[2]}' from='${alice.jid}'><body>third, to a resource that is gone</body><delay xmlns='${NS_DELAY}' from='${DOMAIN}' stamp='${got[2].getChild('delay', NS_DELAY)!.attrs.stamp}'>Offline Storage</delay></message>`);
  // Handed out once: gone from storage; another resource coming online gets nothing again.
  assert.deepEqual((await messagesBefore(alice, b1)).map(String), []);
  assert.equal(await t.server.storage!.get(offlineStore).count('bob'), 0);
  const b2 = await login('bob', 'b2', 5);
  assert.deepEqual((await messagesBefore(alice, b2)).map(String), []);
});

test('IM-38: chat-state-only and <no-store/> messages are not kept (and not bounced); <store/> and receipts are', async () => {
  const alice = await login('alice', 'a1');
  const sent = {
    composing: `<composing xmlns='${CHATSTATES}'/>`,
    paused: `<thread>t1</thread><paused xmlns='${CHATSTATES}'/><origin-id xmlns='urn:xmpp:sid:0' id='o1'/>`,
    nostore: `<body>ephemeral</body><no-store xmlns='urn:xmpp:hints'/>`,
    store: `<gone xmlns='${CHATSTATES}'/><store xmlns='urn:xmpp:hints'/>`,
    receipt: `<received xmlns='urn:xmpp:receipts' id='x1'/>`,
    body: `<body>hello</body><active xmlns='${CHATSTATES}'/>`,
  };
  for (const [id, inner] of Object.entries(sent)) {
    alice.send(message(bare('carol'), 'chat', id, inner));
    await assertSilent(alice, id);
  }
  const c1 = await login('carol', 'c1', 1);
  const got = await readMessages(c1, 3, 'the stored messages');
  assert.deepEqual(got.map((e) => e.attrs.id), ['store', 'receipt', 'body']);
  assert.deepEqual((await messagesBefore(alice, c1)).map(String), [], 'nothing else');
  assert.equal(await t.server.storage!.get(offlineStore).count('carol'), 0);
});

test('IM-38: what counts as worth keeping (XEP-0160 §3, XEP-0085 §5.5, XEP-0334)', () => {
  const p = (s: string): Element => ltx.parse(s) as Element;
  assert.equal(isStorable(p(`<message><body>x</body></message>`)), true);
  assert.equal(isStorable(p(`<message><subject>x</subject></message>`)), true);
  assert.equal(isStorable(p(`<message><encrypted xmlns='eu.siacs.conversations.axolotl'/></message>`)), true);
  assert.equal(isStorable(p(`<message><active xmlns='${CHATSTATES}'/><origin-id xmlns='urn:xmpp:sid:0' id='1'/></message>`)), false);
  assert.equal(isStorable(p(`<message/>`)), false);
  assert.equal(isStorable(p(`<message><body>x</body><no-store xmlns='urn:xmpp:hints'/></message>`)), false);
  assert.equal(isStorable(p(`<message><body>x</body><no-permanent-store xmlns='urn:xmpp:hints'/></message>`)), true);
});

test('IM-38: a live message sent while stored ones are being delivered arrives after them', async () => {
  const alice = await login('alice', 'a1');
  const stored: string[] = [];
  for (let i = 0; i < 30; i++) {
    const id = nextId('old');
    stored.push(id);
    alice.send(message(bare('dave'), 'chat', id, `<body>old ${i}</body>`));
  }
  await alice.untilPong();
  const d1 = await login('dave', 'd1', null);
  const live = nextId('live');
  // The presence and the live message race; whichever the server takes first, the live one must come last.
  d1.presence();
  alice.send(message(bare('dave'), 'chat', live, '<body>new</body>'));
  const got = await readMessages(d1, 31, 'stored and live messages');
  assert.deepEqual(got.map((e) => e.attrs.id), [...stored, live]);
});

test('IM-38: a <delay/> the sender forged in the server\'s name is replaced by the real one', async () => {
  const alice = await login('alice', 'a1');
  const id = nextId('forged');
  alice.send(message(bare('erin'), 'chat', id, `<body>old news?</body><delay xmlns='${NS_DELAY}' from='${DOMAIN}' stamp='2001-01-01T00:00:00Z'/>`));
  await assertSilent(alice, id);
  const e1 = await login('erin', 'e1', 0);
  const got = await e1.waitFor(withId(id), 'the stored message');
  const delays = got.getChildren('delay', NS_DELAY);
  assert.equal(delays.length, 1, got.toString());
  assert.notEqual(delays[0].attrs.stamp, '2001-01-01T00:00:00Z');
});

test('IM-38: disco#info of the server advertises msgoffline', async () => {
  const alice = await login('alice', 'a1');
  const r = await alice.iq((id) => `<iq type='get' to='${DOMAIN}' id='${id}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const features = r.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
  assert.ok(features.includes('msgoffline'), features.join(' '));
});

test('IM-38: stored messages are removed only once written to the socket; a stream that ends first keeps them', async () => {
  const alice = await login('alice', 'a1');
  const ids = [nextId('w'), nextId('w'), nextId('w')];
  for (const id of ids) alice.send(message(bare('frank'), 'chat', id, `<body>${id}</body>`));
  await alice.untilPong();
  const svc = offlineServiceOf(t.server.context_)!;
  const fake = (outcome: (n: number) => boolean): LocalSession & { sent: string[] } => {
    const sent: string[] = [];
    return {
      jid: parseJid(`${bare('frank')}/fake`), id: 'fake', sent,
      send(stanza, written) {
        sent.push(String(stanza.attrs.id));
        const ok = outcome(sent.length);
        setImmediate(() => written?.(ok));
      },
      closeWithError() {},
    };
  };
  const broken = fake(() => false);
  await svc.flush(broken);
  assert.deepEqual(broken.sent, ids, 'all were tried');
  assert.equal(await t.server.storage!.get(offlineStore).count('frank'), 3, 'none removed');
  const partly = fake((n) => n === 1);
  await svc.flush(partly);
  assert.deepEqual(partly.sent, ids);
  assert.equal(await t.server.storage!.get(offlineStore).count('frank'), 2, 'only the written one removed');
  const f1 = await login('frank', 'f1', 0);
  const got = await readMessages(f1, 2, 'the rest');
  assert.deepEqual(got.map((e) => e.attrs.id), ids.slice(1));
});

test('IM-38: a real client (@xmpp/client) gets its stored messages with the delay stamp after its initial presence', async () => {
  process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option (see clients-xmppjs.test.ts)
  const alice = await login('alice', 'a1');
  const id = nextId('xmppjs');
  alice.send(message(bare('gina'), 'chat', id, '<body>while you were away</body>'));
  await assertSilent(alice, id);
  const g = await xmppjsLogin(t, 'gina', PASSWORD, { resource: 'phone' });
  try {
    const arrived = nextEvent<Element>(g.client, 'stanza', 'the stored message at @xmpp/client', (e) => e.is('message') && e.attrs.id === id);
    await g.client.send(xml('presence', {}, xml('priority', {}, '1')));
    const got = await arrived;
    assert.equal(got.getChildText('body'), 'while you were away');
    assert.equal(got.getChild('delay', NS_DELAY)?.attrs.from, DOMAIN);
  } finally {
    await g.close();
  }
});

test('IM-39/IM-40: over quota the sender gets exactly the answer a non-existent account gives', async () => {
  const q = await startServer({ offlineQuota: 2 });
  try {
    await addUsers(q, 'alice', 'gina');
    const alice = await login('alice', 'a1', undefined, q);
    const kept = [nextId('q'), nextId('q')];
    for (const id of kept) {
      alice.send(message(bare('gina'), 'chat', id, `<body>${id}</body>`));
      await assertSilent(alice, id);
    }
    const over = 'over-quota';
    alice.send(message(bare('gina'), 'chat', over, '<body>one too many</body>'));
    const full = await alice.waitFor(withId(over), 'the quota refusal');
    alice.send(message(bare('nosuch'), 'chat', over, '<body>one too many</body>'));
    const none = await alice.waitFor(withId(over), 'the no-account refusal');
    assertStanza(full, refusal(over, bare('gina'), alice.jid));
    assertStanza(none, refusal(over, bare('nosuch'), alice.jid));
    assert.equal(full.toString().replace(bare('gina'), bare('nosuch')), none.toString(), 'indistinguishable');
    const g1 = await login('gina', 'g1', 0, q);
    const got = await readMessages(g1, 2, 'the stored ones');
    assert.deepEqual(got.map((e) => e.attrs.id), kept);
    assert.deepEqual((await messagesBefore(alice, g1)).map(String), [], 'the refused one was not kept');
  } finally {
    await Promise.all(open.filter((o) => o.server === q).map(({ c }) => leave(q, c)));
    open = open.filter((o) => o.server !== q);
    await q.stop();
  }
});

test('IM-37/IM-38: a stored message survives a server restart', async () => {
  const first = await startServer();
  const id = nextId('durable');
  try {
    await addUsers(first, 'alice', 'hank');
    const alice = await login('alice', 'a1', undefined, first);
    alice.send(message(bare('hank'), 'chat', id, '<body>still there after a restart?</body>'));
    await assertSilent(alice, id);
  } finally {
    await Promise.all(open.filter((o) => o.server === first).map(({ c }) => leave(first, c)));
    open = open.filter((o) => o.server !== first);
    await first.stop();
  }
  const second = await startServer({}, { dataDir: first.dataDir });
  try {
    const h1 = await login('hank', 'h1', 1, second);
    const got = await h1.waitFor(withId(id), 'the message stored before the restart');
    assert.equal(got.getChildText('body'), 'still there after a restart?');
    assert.equal(got.getChild('delay', NS_DELAY)?.attrs.from, DOMAIN);
  } finally {
    await Promise.all(open.filter((o) => o.server === second).map(({ c }) => leave(second, c)));
    open = open.filter((o) => o.server !== second);
    await second.stop();
  }
});
