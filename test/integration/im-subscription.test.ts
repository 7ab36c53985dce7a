// RFC 6121 §3 flows over real sockets (the state table itself is im-subscription-table.test.ts): stamping (IM-09),
// requests to offline users and their redelivery (IM-10/11/12), approval with presence (IM-13/14), cancelling and
// unsubscribing with the unavailable presence the RFC requires (IM-15…18), pre-approval (IM-20), unknown accounts
// (IM-21), and a whole mutual subscription from nothing to Both. One server; each test has its own accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMAIN } from '../helpers/server.js';
import { type ImClient, addUsers, bareOf, describe, pushedItem, isPush, isPresence, imTestServer, rosterItem } from '../helpers/im-client.js';
import type { Element } from '../helpers/raw-client.js';
import { stateOf } from '../../server/modules/subscription-states.js';

const im = imTestServer();
const { store } = im;

/** Log in, fetch the roster (interested) and, unless `available` is false, send initial presence. */
async function online(user: string, resource = 'r', available = true): Promise<ImClient> {
  const c = await im.connect(user, resource);
  await c.rosterGet();
  if (available) {
    c.presence();
    await c.untilPong();
  }
  return c;
}

async function stateOfItem(user: string, contact: string): Promise<string> {
  return stateOf(await store().get(user, contact));
}

/** `kind:type:from` (or `push:subscription[:ask]`) for compact order assertions. */
function summary(es: Element[]): string[] {
  return es.map((e) => {
    if (isPush()(e)) {
      const it = pushedItem(e);
      return `push:${it.attrs.subscription}${it.attrs.ask ? ':ask' : ''}${it.attrs.approved ? ':approved' : ''}`;
    }
    return `${e.name}:${e.attrs.type ?? 'available'}:${e.attrs.from}`;
  });
}

test('IM-09/IM-10/IM-30: a subscribe to a full JID is stamped with the bare JIDs; the sender\'s push shows ask=\'subscribe\'', async () => {
  await addUsers(im.t, 'stamp-a', 'stamp-b');
  const a = await online('stamp-a');
  const b = await online('stamp-b', 'phone');
  a.send(`<presence to='${b.jid}' type='subscribe' id='s1'><status>please</status></presence>`);
  const atA = await a.untilPong();
  assert.deepEqual(summary(atA), ['push:none:ask'], describe(atA));
  const req = (await b.untilMark(a.mark(b)))[0];
  assert.ok(req, 'bob got the request');
  assert.equal(req.attrs.from, bareOf('stamp-a'), 'from = bare JID of the requester');
  assert.equal(req.attrs.to, bareOf('stamp-b'), 'to = bare JID of the contact, not the full JID it was sent to');
  assert.equal(req.attrs.type, 'subscribe');
  assert.equal(req.attrs.id, 's1');
  assert.equal(req.getChildText('status'), 'please', 'the request keeps its content');
});

test('IM-11/IM-12: a request to an offline user is kept (no roster item) and delivered at each initial presence until answered', async () => {
  await addUsers(im.t, 'req-a', 'req-b');
  const a = await online('req-a');
  a.send(`<presence to='${bareOf('req-b')}' type='subscribe'><nick xmlns='http://jabber.org/protocol/nick'>Ann</nick></presence>`);
  await a.untilPong();
  // IM-12: the request is not a roster item.
  const b1 = await online('req-b', 'one', false);
  const items = (await b1.rosterGet()).getChild('query')!.getChildren('item');
  assert.deepEqual(items.map((i: Element) => i.attrs.jid), [], 'no roster item for the requester');
  assert.deepEqual(await b1.untilPong(), [], 'not delivered to a resource that is not available');
  // Initial presence: the request arrives, with its extension.
  b1.presence();
  const got = (await b1.untilPong()).filter(isPresence('subscribe'));
  assert.equal(got.length, 1, describe(got));
  assert.equal(got[0].attrs.from, bareOf('req-a'));
  assert.equal(got[0].getChild('nick', 'http://jabber.org/protocol/nick')?.getText(), 'Ann');
  // Another resource becoming available gets it too (still unanswered).
  const b2 = await online('req-b', 'two', false);
  b2.presence();
  assert.equal((await b2.untilPong()).filter(isPresence('subscribe')).length, 1);
  // Denied: no longer redelivered.
  b2.send(`<presence to='${bareOf('req-a')}' type='unsubscribed'/>`);
  await b2.untilPong();
  const b3 = await online('req-b', 'three', false);
  b3.presence();
  assert.deepEqual((await b3.untilPong()).filter(isPresence('subscribe')), []);
  const atA = await a.untilPong();
  assert.ok(atA.some(isPresence('unsubscribed', bareOf('req-b'))), `the requester learns of the denial: ${describe(atA)}`);
  assert.equal(await stateOfItem('req-a', bareOf('req-b')), 'None');
});

test('IM-13/IM-14: approving delivers `subscribed` before the push at the requester, then the approver\'s presence', async () => {
  await addUsers(im.t, 'ap-a', 'ap-b');
  const a = await online('ap-a');
  const b = await online('ap-b');
  a.send(`<presence to='${bareOf('ap-b')}' type='subscribe'/>`);
  await a.untilPong();
  await b.untilMark(a.mark(b));
  b.send(`<presence to='${bareOf('ap-a')}' type='subscribed'/>`);
  const atB = await b.untilPong();
  assert.deepEqual(summary(atB), ['push:from'], describe(atB));
  const atA = await a.untilMark(b.mark(a));
  assert.deepEqual(summary(atA), [`presence:subscribed:${bareOf('ap-b')}`, 'push:to', `presence:available:${b.jid}`], describe(atA));
  assert.equal(await stateOfItem('ap-a', bareOf('ap-b')), 'To');
  assert.equal(await stateOfItem('ap-b', bareOf('ap-a')), 'From');
});

test('IM-14: an unsolicited `subscribed` changes nothing and reaches no one', async () => {
  await addUsers(im.t, 'us-a', 'us-b');
  const a = await online('us-a');
  const b = await online('us-b');
  b.send(`<presence to='${bareOf('us-a')}' type='subscribed'/>`);
  // b's side: a pre-approval (§3.4), pushed to b only.
  assert.deepEqual(summary(await b.untilPong()), ['push:none:approved']);
  assert.deepEqual(await a.untilMark(b.mark(a)), []);
  assert.equal(await store().get('us-a', bareOf('us-b')), null);
});

test('IM-15: cancelling a subscription sends unavailable from each resource first, then unsubscribed; the contact is pushed', async () => {
  await addUsers(im.t, 'cx-a', 'cx-b');
  await store().put('cx-a', rosterItem(bareOf('cx-b'), { subscription: 'to' }));
  await store().put('cx-b', rosterItem(bareOf('cx-a'), { subscription: 'from' }));
  const a = await online('cx-a');
  const b1 = await online('cx-b', 'one');
  const b2 = await online('cx-b', 'two');
  await a.untilMark(b2.mark(a));   // a has seen both of b's resources come online
  b1.send(`<presence to='${bareOf('cx-a')}' type='unsubscribed'/>`);
  await b1.untilPong();
  const atA = await a.untilMark(b1.mark(a));
  const s = summary(atA);
  assert.deepEqual(s.slice(0, 2).sort(), [`presence:unavailable:${b1.jid}`, `presence:unavailable:${b2.jid}`], describe(atA));
  assert.deepEqual(s.slice(2), [`presence:unsubscribed:${bareOf('cx-b')}`, 'push:none'], describe(atA));
  assert.equal(await stateOfItem('cx-a', bareOf('cx-b')), 'None');
  assert.equal(await stateOfItem('cx-b', bareOf('cx-a')), 'None');
  // No longer subscribed: b's presence changes do not reach a.
  b1.presence('', '<show>away</show>');
  await b1.untilPong();
  assert.deepEqual(await a.untilMark(b1.mark(a)), []);
});

test('IM-16/IM-17: unsubscribing is routed and pushed; the contact is pushed too', async () => {
  await addUsers(im.t, 'un-a', 'un-b');
  await store().put('un-a', rosterItem(bareOf('un-b'), { subscription: 'both' }));
  await store().put('un-b', rosterItem(bareOf('un-a'), { subscription: 'both' }));
  const a = await online('un-a');
  const b = await online('un-b');
  await a.untilMark(b.mark(a));
  await b.untilMark(a.mark(b));
  a.send(`<presence to='${bareOf('un-b')}' type='unsubscribe'/>`);
  const atA = await a.untilPong();
  // IM-17: Both → From at a; IM-18: b answers with unavailable from each of its resources (§3.3.3).
  assert.deepEqual(summary(atA), ['push:from', `presence:unavailable:${b.jid}`], describe(atA));
  const atB = await b.untilMark(a.mark(b));
  // IM-18: b gets the unsubscribe, then the push Both → To.
  assert.deepEqual(summary(atB), [`presence:unsubscribe:${bareOf('un-a')}`, 'push:to'], describe(atB));
  assert.equal(await stateOfItem('un-a', bareOf('un-b')), 'From');
  assert.equal(await stateOfItem('un-b', bareOf('un-a')), 'To');
  // b's presence no longer reaches a; a's still reaches b.
  b.presence('', '<show>dnd</show>');
  await b.untilPong();
  assert.deepEqual(await a.untilMark(b.mark(a)), []);
  a.presence('', '<show>xa</show>');
  await a.untilPong();
  assert.deepEqual(summary(await b.untilMark(a.mark(b))), [`presence:available:${a.jid}`]);
});

test('IM-20: pre-approval — approved without routing, then the contact\'s request is answered by the server', async () => {
  await addUsers(im.t, 'pre-a', 'pre-b');
  const a = await online('pre-a');
  const b = await online('pre-b');
  a.send(`<presence to='${bareOf('pre-b')}' type='subscribed'/>`);
  const atA1 = await a.untilPong();
  assert.deepEqual(summary(atA1), ['push:none:approved'], describe(atA1));
  assert.deepEqual(await b.untilMark(a.mark(b)), [], 'the pre-approval is not routed');
  b.send(`<presence to='${bareOf('pre-a')}' type='subscribe'/>`);
  const atB = await b.untilPong();
  assert.deepEqual(summary(atB), ['push:none:ask', `presence:subscribed:${bareOf('pre-a')}`, 'push:to', `presence:available:${a.jid}`], describe(atB));
  const atA2 = await a.untilMark(b.mark(a));
  assert.deepEqual(summary(atA2), ['push:from'], `a is not asked, only pushed: ${describe(atA2)}`);
  const stored = await store().get('pre-a', bareOf('pre-b'));
  assert.equal(stored?.subscription, 'from');
  assert.equal(stored?.approved, false);
});

test('IM-20/IM-15: unsubscribed cancels a pre-approval without routing', async () => {
  await addUsers(im.t, 'prc-a', 'prc-b');
  const a = await online('prc-a');
  const b = await online('prc-b');
  a.send(`<presence to='${bareOf('prc-b')}' type='subscribed'/>`);
  a.send(`<presence to='${bareOf('prc-b')}' type='unsubscribed'/>`);
  assert.deepEqual(summary(await a.untilPong()), ['push:none:approved', 'push:none']);
  assert.deepEqual(await b.untilMark(a.mark(b)), []);
  // Now a request is asked, not auto-approved.
  b.send(`<presence to='${bareOf('prc-a')}' type='subscribe'/>`);
  await b.untilPong();
  assert.deepEqual(summary(await a.untilMark(b.mark(a))), [`presence:subscribe:${bareOf('prc-b')}`]);
});

test('IM-21/IM-29: subscription stanzas and presence to a nonexistent account are dropped silently, nothing stored', async () => {
  await addUsers(im.t, 'ghostly');
  const a = await online('ghostly');
  for (const type of ['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe']) {
    a.send(`<presence to='nosuch@${DOMAIN}' type='${type}'/>`);
  }
  a.send(`<presence to='nosuch@${DOMAIN}'/>`);
  a.send(`<presence to='nosuch@${DOMAIN}/res' type='unavailable'/>`);
  const atA = await a.untilPong();
  assert.ok(atA.every((e) => isPush()(e)), `only a's own roster pushes, no error: ${describe(atA)}`);
  assert.deepEqual(await store().all('nosuch'), []);
});

test('IM-10…IM-14: two users go from nothing to a mutual subscription and see each other', async () => {
  await addUsers(im.t, 'mu-a', 'mu-b');
  const a = await online('mu-a');
  const b = await online('mu-b');
  a.send(`<presence to='${bareOf('mu-b')}' type='subscribe'/>`);
  await a.untilPong();
  assert.deepEqual(summary(await b.untilMark(a.mark(b))), [`presence:subscribe:${bareOf('mu-a')}`]);
  // b approves and asks back (what clients do).
  b.send(`<presence to='${bareOf('mu-a')}' type='subscribed'/>`);
  b.send(`<presence to='${bareOf('mu-a')}' type='subscribe'/>`);
  assert.deepEqual(summary(await b.untilPong()), ['push:from', 'push:from:ask']);
  assert.deepEqual(summary(await a.untilMark(b.mark(a))), [
    `presence:subscribed:${bareOf('mu-b')}`, 'push:to', `presence:available:${b.jid}`, `presence:subscribe:${bareOf('mu-b')}`,
  ]);
  a.send(`<presence to='${bareOf('mu-b')}' type='subscribed'/>`);
  assert.deepEqual(summary(await a.untilPong()), ['push:both']);
  assert.deepEqual(summary(await b.untilMark(a.mark(b))), [`presence:subscribed:${bareOf('mu-a')}`, 'push:both', `presence:available:${a.jid}`]);
  assert.equal(await stateOfItem('mu-a', bareOf('mu-b')), 'Both');
  assert.equal(await stateOfItem('mu-b', bareOf('mu-a')), 'Both');
});
