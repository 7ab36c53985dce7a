// The account-removal scenario every removal path is tested with (SVC-15, XEP-0077 §3.2, RFC 6121 §3.2–3.3): alice
// and bob share presence (subscription both, made with real subscription stanzas), alice has a vCard, private XML
// and a message queued offline for her; alice is removed by some path; bob is told (unavailable, unsubscribed,
// unsubscribe, roster pushes down to none); an account made again under the name "alice" starts empty. Real
// server, real sockets: the raw client of raw-client.ts, so it works against a server in another process too.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { login, type Element, type RawClient } from './raw-client.js';

export const DOMAIN = 'test.local';
export const ALICE = `alice@${DOMAIN}`;
export const BOB = `bob@${DOMAIN}`;
export const PRIVATE_NS = 'urn:example:removal';
export const OFFLINE_BODY = 'for the old alice';

export interface Endpoint { c2sPort: number; caPem: string }
type Client = RawClient & { jid: string };

const ROSTER = 'jabber:iq:roster';

function isPresence(type: string | undefined, from?: string) {
  return (e: Element): boolean => e.name === 'presence' && e.attrs.type === type && (from === undefined || e.attrs.from === from);
}

/** A roster push (IM-07) whose item is `jid` with this subscription. */
function isPush(jid: string, subscription: string) {
  return (e: Element): boolean => {
    if (e.name !== 'iq' || e.attrs.type !== 'set') return false;
    const item = e.getChild('query', ROSTER)?.getChild('item');
    return item?.attrs.jid === jid && item.attrs.subscription === subscription;
  };
}

/** Answer a roster push (an iq set from the account's bare JID or without from). */
function ack(c: Client, push: Element): void {
  c.send(`<iq type='result' id='${push.attrs.id as string}'/>`);
}

async function rosterGet(c: Client, id: string): Promise<Element> {
  const r = await c.iq(`<iq type='get' id='${id}'><query xmlns='${ROSTER}'/></iq>`, id);
  assert.equal(r.attrs.type, 'result', r.toString());
  return r.getChild('query', ROSTER)!;
}

/** The item of `jid` in a roster result, or undefined. */
export function itemOf(query: Element, jid: string): Element | undefined {
  return query.getChildren('item').find((i) => i.attrs.jid === jid);
}

/**
 * Both accounts exist with these passwords. Leaves bob online (roster fetched, available) and alice online with a
 * negative priority (available to bob, but her offline message stays queued: XEP-0160 delivers it only to a
 * non-negative priority), after she made the subscription, vCard and private XML.
 */
export async function seedAlice(ep: Endpoint, alicePw: string, bobPw: string): Promise<{ alice: Client; bob: Client }> {
  const bob = await login(ep.c2sPort, ep.caPem, 'bob', bobPw, { resource: 'desk' });
  await rosterGet(bob, 'b-r0');
  bob.send(`<presence/>`);
  let alice = await login(ep.c2sPort, ep.caPem, 'alice', alicePw, { resource: 'phone' });
  await rosterGet(alice, 'a-r0');
  alice.send(`<presence/>`);
  // Subscriptions both ways (RFC 6121 §3.1), as clients make them.
  alice.send(`<presence to='${BOB}' type='subscribe'/>`);
  await bob.nextElement(isPresence('subscribe', ALICE), 'alice\'s subscription request');
  bob.send(`<presence to='${ALICE}' type='subscribed'/>`);
  bob.send(`<presence to='${ALICE}' type='subscribe'/>`);
  await alice.nextElement(isPresence('subscribe', BOB), 'bob\'s subscription request');
  alice.send(`<presence to='${BOB}' type='subscribed'/>`);
  ack(alice, await alice.nextElement(isPush(BOB, 'both'), 'alice\'s roster push: bob both'));
  ack(bob, await bob.nextElement(isPush(ALICE, 'both'), 'bob\'s roster push: alice both'));
  assert.equal(itemOf(await rosterGet(bob, 'b-r1'), ALICE)?.attrs.subscription, 'both');
  // vCard (XEP-0054) and private XML (XEP-0049).
  assert.equal((await alice.iq(`<iq type='set' id='a-v'><vCard xmlns='vcard-temp'><FN>Alice the first</FN></vCard></iq>`, 'a-v')).attrs.type, 'result');
  assert.equal((await alice.iq(`<iq type='set' id='a-p'><query xmlns='jabber:iq:private'><x xmlns='${PRIVATE_NS}'>old secret</x></query></iq>`, 'a-p')).attrs.type, 'result');
  // Alice goes; bob writes to her: stored offline (IM-37). The ping after it is answered once the message was
  // handled (a stream's stanzas are processed in order, CORE-55), i.e. stored.
  alice.destroy();
  await bob.nextElement(isPresence('unavailable', `${ALICE}/phone`), 'alice going offline');
  bob.send(`<message to='${ALICE}' type='chat' id='b-m1'><body>${OFFLINE_BODY}</body></message>`);
  await bob.ping({ strict: false });
  // Alice back with a negative priority: available to bob, the message stays queued.
  alice = await login(ep.c2sPort, ep.caPem, 'alice', alicePw, { resource: 'tablet' });
  alice.send(`<presence><priority>-1</priority></presence>`);
  await bob.nextElement((e) => e.name === 'presence' && e.attrs.type === undefined && e.attrs.from === `${ALICE}/tablet`, 'alice available again');
  await alice.ping({ strict: false });
  assert.equal(alice.takeQueued((e) => e.name === 'message'), undefined, 'the offline message stays queued at priority -1');
  return { alice, bob };
}

/**
 * What bob, online with the roster fetched, must see when alice is removed while available (XEP-0077 §3.2 "cancel
 * all existing presence subscriptions", RFC 6121 §3.2.2, §3.3.2): alice's unavailable presence, `unsubscribed` and
 * `unsubscribe` from her bare JID, and roster pushes ending with the item at subscription none.
 */
export async function expectContactTold(bob: Client, aliceResource = 'tablet'): Promise<void> {
  await bob.nextElement(isPresence('unavailable', `${ALICE}/${aliceResource}`), 'unavailable from alice\'s resource');
  await bob.nextElement(isPresence('unsubscribed', ALICE), 'unsubscribed from alice');
  await bob.nextElement(isPresence('unsubscribe', ALICE), 'unsubscribe from alice');
  ack(bob, await bob.nextElement(isPush(ALICE, 'none'), 'bob\'s roster push: alice none'));
  await expectBobRosterClear(bob);
}

/** Bob's roster no longer shares presence with alice: the item he added stays (his name for it), at none, nothing pending. */
export async function expectBobRosterClear(bob: Client): Promise<void> {
  const item = itemOf(await rosterGet(bob, 'b-after'), ALICE);
  assert.ok(item, 'bob keeps the item he added');
  assert.equal(item.attrs.subscription, 'none', item.toString());
  assert.equal(item.attrs.ask, undefined, item.toString());
}

/**
 * The account made again under the name alice starts empty: no roster, no offline message (even at a positive
 * priority), no vCard, no private XML.
 */
export async function expectFreshAlice(ep: Endpoint, password: string): Promise<void> {
  const alice = await login(ep.c2sPort, ep.caPem, 'alice', password, { resource: 'new' });
  try {
    const roster = await rosterGet(alice, 'n-r');
    assert.deepEqual(roster.getChildren('item').map((i) => i.toString()), [], 'an empty roster');
    assertVcardEmpty(await alice.iq(`<iq type='get' id='n-v'><vCard xmlns='vcard-temp'/></iq>`, 'n-v'));
    const priv = await alice.iq(`<iq type='get' id='n-p'><query xmlns='jabber:iq:private'><x xmlns='${PRIVATE_NS}'/></query></iq>`, 'n-p');
    assert.equal(priv.attrs.type, 'result', priv.toString());
    const x = priv.getChild('query', 'jabber:iq:private')!.getChild('x', PRIVATE_NS)!;
    assert.equal(x.children.length, 0, `no private data: ${priv.toString()}`);
    // Initial presence at priority 0 is when stored messages would come (XEP-0160 §4).
    alice.send(`<presence/>`);
    await alice.ping({ strict: false });
    await sleep(300);
    await alice.ping({ strict: false });
    const old = alice.takeQueued((e) => e.name === 'message');
    assert.equal(old, undefined, `no offline message for the new alice: ${old?.toString()}`);
  } finally {
    alice.destroy();
  }
}

function assertVcardEmpty(r: Element): void {
  assert.equal(r.attrs.type, 'result', r.toString());
  const v = r.getChild('vCard', 'vcard-temp');
  assert.ok(v, r.toString());
  assert.equal(v.children.length, 0, `no vCard: ${r.toString()}`);
}
