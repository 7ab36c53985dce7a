// RFC 6121 §8.5 message routing (IM-31…IM-37, IM-40…IM-44, BAD-33) against a real server over real sockets, with
// the shared ImClient (test/helpers/im-client.ts). Deliveries are asserted stanza by stanza; silent drops are proven
// by a pong (the sender's stream is processed in order) and by a marker that must arrive after the dropped stanza.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { addUsers, describe, type ImClient } from '../helpers/im-client.js';
import { nextId } from '../helpers/raw-client.js';
import {
  online, leave, setPriority, message, refusal, assertStanza, assertSilent, messagesBefore, withId, NS_STANZAS,
} from '../helpers/im-routing.js';
import { addDeliveryFilter } from '../../server/modules/delivery.js';
import { emptyItem, rosterStore } from '../../server/storage/roster.js';

const bare = (u: string): string => `${u}@${DOMAIN}`;
let t: TestServer;
let open: ImClient[] = [];

before(async () => {
  t = await startServer();
  await addUsers(t, 'alice', 'bob', 'carol', 'dave', 'erin', 'frank');
});

afterEach(async () => {
  await Promise.all(open.map((c) => leave(t, c)));
  open = [];
});

after(async () => {
  await t.stop();
});

async function login(user: string, resource: string, priority?: number | null): Promise<ImClient> {
  const c = await online(t, user, resource, priority);
  open.push(c);
  return c;
}

test('IM-31/IM-43: bare chat and normal go to the highest non-negative priority only, `to` kept as the bare JID', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const b2 = await login('bob', 'b2', 1);
  const b3 = await login('bob', 'b3', -1);
  for (const type of ['chat', 'normal', undefined]) {
    const id = nextId(type ?? 'untyped');
    alice.send(message(bare('bob'), type, id));
    const got = await b1.waitFor(withId(id), `the ${type} message at b1`);
    assertStanza(got, `<message to='${bare('bob')}' id='${id}' from='${alice.jid}'${type ? ` type='${type}'` : ''}><body>hi</body></message>`);
    await assertSilent(alice, id, [b1, b2, b3]);
  }
});

test('IM-31: resources sharing the highest priority all get a bare chat; negative and not-available ones never', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 3);
  const b2 = await login('bob', 'b2', 3);
  const b3 = await login('bob', 'b3', -1);
  const b4 = await login('bob', 'b4', null);   // connected, never sent presence
  const b5 = await login('bob', 'b5');         // no <priority/>: 0
  const id = nextId('tie');
  alice.send(message(bare('bob'), 'chat', id));
  await b1.waitFor(withId(id), 'the chat at b1');
  await b2.waitFor(withId(id), 'the chat at b2');
  await assertSilent(alice, id, [b3, b4, b5]);
});

test('IM-31: two users with two resources each and different priorities', async () => {
  const c1 = await login('carol', 'c1', 10);
  const c2 = await login('carol', 'c2', 0);
  const d1 = await login('dave', 'd1', 0);
  const d2 = await login('dave', 'd2', 7);
  const toDave = nextId('cd');
  const toCarol = nextId('dc');
  c2.send(message(bare('dave'), 'chat', toDave));
  d1.send(message(bare('carol'), 'chat', toCarol));
  assert.equal((await d2.waitFor(withId(toDave), 'carol→dave at d2')).attrs.from, c2.jid);
  assert.equal((await c1.waitFor(withId(toCarol), 'dave→carol at c1')).attrs.from, d1.jid);
  await assertSilent(c2, toDave, [d1]);
  await assertSilent(d1, toCarol, [c2]);
  // The next presence changes the priority: now c2 is the most available resource.
  await setPriority(c2, 20);
  const again = nextId('dc');
  d1.send(message(bare('carol'), 'chat', again));
  await c2.waitFor(withId(again), 'dave→carol at c2 after the change');
  await assertSilent(d1, again, [c1]);
});

test('IM-32: a bare headline goes to every non-negative resource; with only negative ones it is dropped silently', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const b2 = await login('bob', 'b2', 0);
  const b3 = await login('bob', 'b3', -5);
  const id = nextId('headline');
  alice.send(message(bare('bob'), 'headline', id));
  assertStanza(await b1.waitFor(withId(id), 'the headline at b1'), `<message to='${bare('bob')}' type='headline' id='${id}' from='${alice.jid}'><body>hi</body></message>`);
  await b2.waitFor(withId(id), 'the headline at b2');
  await assertSilent(alice, id, [b3]);
  const e1 = await login('erin', 'e1', -1);
  const id2 = nextId('headline');
  alice.send(message(bare('erin'), 'headline', id2));
  await assertSilent(alice, id2, [e1]);
});

test('IM-33: groupchat to a bare JID is never delivered; always <service-unavailable/> (online, offline, no account)', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  for (const to of [bare('bob'), bare('carol'), bare('nosuch')]) {
    const id = nextId('gc');
    alice.send(message(to, 'groupchat', id));
    assertStanza(await alice.waitFor(withId(id), `the groupchat error from ${to}`), refusal(id, to, alice.jid));
    assert.deepEqual((await messagesBefore(alice, b1)).map(String), []);
  }
});

test('IM-34: a message of type error is dropped unless a full JID matches, and never answered', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const err = `<error type='cancel'><item-not-found xmlns='${NS_STANZAS}'/></error>`;
  for (const to of [bare('bob'), `${bare('bob')}/gone`, bare('carol'), bare('nosuch'), `${bare('nosuch')}/r`]) {
    const id = nextId('err');
    alice.send(message(to, 'error', id, err));
    await assertSilent(alice, id, [b1]);
  }
});

test('IM-35: a full JID that matches gets the message whatever its type, priority or availability', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const b3 = await login('bob', 'b3', -1);
  const b4 = await login('bob', 'b4', null);
  for (const target of [b3, b4, b1]) {
    for (const type of ['chat', 'normal', 'headline', 'groupchat', 'error']) {
      const id = nextId(type);
      alice.send(message(target.jid, type, id));
      assertStanza(await target.waitFor(withId(id), `the ${type} message`), `<message to='${target.jid}' type='${type}' id='${id}' from='${alice.jid}'><body>hi</body></message>`);
    }
  }
  const back = await alice.untilPong();
  assert.deepEqual(back.filter((e) => e.name === 'message').map(String), [], 'no errors');
  assert.deepEqual((await messagesBefore(alice, b1)).map(String), [], 'the other resources got nothing');
});

test('IM-36: full JID, no such resource — chat falls back to the bare JID, normal/groupchat refused, headline dropped', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const b2 = await login('bob', 'b2', 1);
  const gone = `${bare('bob')}/gone`;
  const chat = nextId('chat');
  alice.send(message(gone, 'chat', chat));
  assertStanza(await b1.waitFor(withId(chat), 'the chat at b1'), `<message to='${gone}' type='chat' id='${chat}' from='${alice.jid}'><body>hi</body></message>`);
  await assertSilent(alice, chat, [b2]);
  for (const type of ['normal', 'groupchat']) {
    const id = nextId(type);
    alice.send(message(gone, type, id));
    assertStanza(await alice.waitFor(withId(id), `the ${type} refusal`), refusal(id, gone, alice.jid));
    assert.deepEqual((await messagesBefore(alice, b1)).map(String), []);
    assert.deepEqual((await messagesBefore(alice, b2)).map(String), []);
  }
  const headline = nextId('headline');
  alice.send(message(gone, 'headline', headline));
  await assertSilent(alice, headline, [b1, b2]);
});

test('IM-37/IM-38: no available resource — chat/normal kept for later, headline/error dropped, groupchat refused', async () => {
  const alice = await login('alice', 'a1');
  const kept: string[] = [];
  for (const [to, type] of [[bare('frank'), 'chat'], [bare('frank'), 'normal'], [bare('frank'), undefined], [`${bare('frank')}/gone`, 'chat']] as const) {
    const id = nextId(type ?? 'untyped');
    kept.push(id);
    alice.send(message(to, type, id));
    await assertSilent(alice, id);
  }
  const headline = nextId('headline');
  alice.send(message(bare('frank'), 'headline', headline));
  await assertSilent(alice, headline);
  const gc = nextId('gc');
  alice.send(message(bare('frank'), 'groupchat', gc));
  assertStanza(await alice.waitFor(withId(gc), 'the groupchat refusal'), refusal(gc, bare('frank'), alice.jid));
  // A connected resource that has not sent presence takes no bare messages either (RFC 6121 §8.5.2.1).
  const f1 = await login('frank', 'f1', null);
  const late = nextId('late');
  kept.push(late);
  alice.send(message(bare('frank'), 'chat', late));
  await assertSilent(alice, late, [f1]);
  f1.presence();
  const got = (await f1.untilPong()).filter((e) => e.name === 'message');
  // Delivery of the stored messages may still be under way at the pong; read the rest up to the last one.
  while (got.length < kept.length) got.push(await f1.waitFor((e) => e.name === 'message', 'the next stored message'));
  assert.deepEqual(got.map((e) => e.attrs.id), kept, `in order, nothing else: ${describe(got)}`);
  for (const e of got) assert.ok(e.getChild('delay', 'urn:xmpp:delay'), `stamped: ${e.toString()}`);
});

test('IM-37: with only negative-priority resources a bare chat is stored, and delivered once one turns non-negative', async () => {
  const alice = await login('alice', 'a1');
  const e1 = await login('erin', 'e1', -1);
  const id = nextId('neg');
  alice.send(message(bare('erin'), 'chat', id));
  await assertSilent(alice, id, [e1]);
  e1.presence('', '<priority>1</priority>');
  const got = await e1.waitFor(withId(id), 'the stored chat');
  assert.equal(got.getChild('delay', 'urn:xmpp:delay')?.attrs.from, DOMAIN);
});

test('IM-40/BAD-33: a non-existent account gets the same answers as an existing one that is offline', async () => {
  const alice = await login('alice', 'a1');
  // chat/normal nobody can take or keep: the one <service-unavailable/> (product decision, as ejabberd/Prosody).
  for (const to of [bare('nosuch'), `${bare('nosuch')}/r`]) {
    for (const type of ['chat', 'normal']) {
      const id = nextId(type);
      alice.send(message(to, type, id));
      assertStanza(await alice.waitFor(withId(id), 'the refusal'), refusal(id, to, alice.jid));
    }
  }
  // Everything else: stanza for stanza the same for both (addresses aside).
  const cases: [string, string, string][] = [
    ['', 'headline', '<body>hi</body>'], ['', 'error', `<error type='cancel'><gone xmlns='${NS_STANZAS}'/></error>`],
    ['', 'groupchat', '<body>hi</body>'], ['/r', 'normal', '<body>hi</body>'], ['/r', 'groupchat', '<body>hi</body>'],
    ['/r', 'headline', '<body>hi</body>'], ['/r', 'error', '<body>hi</body>'],
    ['', 'chat', `<composing xmlns='http://jabber.org/protocol/chatstates'/>`],
    ['/r', 'chat', `<paused xmlns='http://jabber.org/protocol/chatstates'/>`],
  ];
  const answers = async (to: string): Promise<string[]> => {
    const out: string[] = [];
    for (const [suffix, type, inner] of cases) {
      const id = `${type}${suffix ? '-full' : ''}-${inner.length}`;
      alice.send(message(to + suffix, type, id, inner));
      const replies = (await alice.untilPong()).filter(withId(id));
      out.push(`${id}: ${replies.map((r) => r.toString().split(to).join('TARGET')).join(' ') || 'silence'}`);
    }
    return out;
  };
  const existing = await answers(bare('carol'));
  const missing = await answers(bare('nosuch'));
  assert.deepEqual(missing, existing);
  assert.ok(existing.some((a) => a.startsWith('headline-') && a.endsWith('silence')), existing.join('\n'));
  assert.ok(existing.some((a) => a.startsWith('groupchat-') && a.includes('service-unavailable')), existing.join('\n'));
});

test('RFC 6120 §10.5: messages to the server domain are dropped without an answer, whatever their type', async () => {
  const alice = await login('alice', 'a1');
  for (const to of [DOMAIN, `${DOMAIN}/res`]) {
    for (const type of ['chat', 'normal', 'headline', 'groupchat', 'error']) {
      const id = nextId(type);
      alice.send(message(to, type, id));
      await assertSilent(alice, id);
    }
  }
});

test('RFC 6120 §8.1.1.1: a message without `to` goes to the sender\'s own most available resource, to its bare JID', async () => {
  const a1 = await login('alice', 'a1', 1);
  const a2 = await login('alice', 'a2', 9);
  const id = nextId('self');
  a1.send(message(undefined, 'chat', id, '<body>note to self</body>'));
  assertStanza(await a2.waitFor(withId(id), 'the note'), `<message to='${bare('alice')}' type='chat' id='${id}' from='${a1.jid}'><body>note to self</body></message>`);
  await assertSilent(a1, id, [a1]);
});

test('IM-41: an iq to a user\'s bare JID is answered by the server and never forwarded', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const id = nextId('iq');
  alice.send(`<iq type='get' to='${bare('bob')}' id='${id}'><query xmlns='jabber:iq:version'/></iq>`);
  assertStanza(await alice.waitFor(withId(id), 'the iq error'), refusal(id, bare('bob'), alice.jid, 'iq'));
  assert.deepEqual((await b1.untilMark(alice.mark(b1))).filter(withId(id)).map(String), []);
});

test('IM-42: an iq get/set to a full JID reaches it only from the same account, a subscriber, or after directed presence', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 5);
  const b2 = await login('bob', 'b2', 0);
  const ping = (from: ImClient, to: string, id: string): void => from.send(`<iq type='get' to='${to}' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  const delivered = async (from: ImClient, to: ImClient, id: string): Promise<void> => {
    assert.equal((await to.waitFor(withId(id), `${id} at ${to.jid}`)).attrs.from, from.jid);
  };
  // A stranger learns nothing: the same answer as for a resource that is not there.
  const stranger = nextId('iq');
  ping(alice, b1.jid, stranger);
  assertStanza(await alice.waitFor(withId(stranger), 'the refusal'), refusal(stranger, b1.jid, alice.jid, 'iq'));
  const nobody = nextId('iq');
  ping(alice, `${bare('bob')}/nobody`, nobody);
  assertStanza(await alice.waitFor(withId(nobody), 'the refusal'), refusal(nobody, `${bare('bob')}/nobody`, alice.jid, 'iq'));
  assert.deepEqual((await b1.untilMark(alice.mark(b1))).filter(withId(stranger)).map(String), []);
  // The account's own other resource.
  const own = nextId('iq');
  ping(b2, b1.jid, own);
  await delivered(b2, b1, own);
  // After b1 sent directed presence to alice, alice may reach b1 (and only b1).
  b1.send(`<presence to='${alice.jid}'/>`);
  await b1.untilPong();
  const directed = nextId('iq');
  ping(alice, b1.jid, directed);
  await delivered(alice, b1, directed);
  const notB2 = nextId('iq');
  ping(alice, b2.jid, notB2);
  assertStanza(await alice.waitFor(withId(notB2), 'the refusal for b2'), refusal(notB2, b2.jid, alice.jid, 'iq'));
  // A contact with a presence subscription (bob's roster: subscription 'from' alice) reaches every resource.
  await t.server.storage!.get(rosterStore).put('bob', { ...emptyItem(bare('alice')), subscription: 'from', listed: true });
  try {
    const contact = nextId('iq');
    ping(alice, b2.jid, contact);
    await delivered(alice, b2, contact);
  } finally {
    await t.server.storage!.get(rosterStore).remove('bob', bare('alice'));
  }
  // Results and errors go to a resource that exists and are dropped otherwise.
  const res = nextId('res');
  alice.send(`<iq type='result' to='${b2.jid}' id='${res}'/>`);
  await b2.waitFor(withId(res), 'the iq result');
  const lost = nextId('res');
  alice.send(`<iq type='error' to='${bare('bob')}/nobody' id='${lost}'><error type='cancel'><item-not-found xmlns='${NS_STANZAS}'/></error></iq>`);
  await assertSilent(alice, lost, [b1, b2]);
});

test('IM-44: a per-resource delivery filter (the privacy seam) is applied before the priority rules', async () => {
  const alice = await login('alice', 'a1');
  const b1 = await login('bob', 'b1', 9);
  const b2 = await login('bob', 'b2', 1);
  // Stands in for b1's active privacy list denying alice's messages.
  const off = addDeliveryFilter(t.server.context_.router, (ev, s) =>
    !(s.jid.resource === 'b1' && ev.from.local === 'alice' && String(ev.stanza.attrs.id).startsWith('blocked')));
  try {
    const id = nextId('blocked');
    alice.send(message(bare('bob'), 'chat', id));
    await b2.waitFor(withId(id), 'the chat at the resource that does not block');
    await assertSilent(alice, id, [b1]);
    const full = nextId('blocked');
    alice.send(message(b1.jid, 'chat', full));
    assertStanza(await alice.waitFor(withId(full), 'the refusal'), refusal(full, b1.jid, alice.jid));
    await assertSilent(alice, full, [b1]);
  } finally {
    off();
  }
});
