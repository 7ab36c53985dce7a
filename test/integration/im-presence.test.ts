// RFC 6121 §4 over real sockets: initial presence with probes (IM-22/IM-24), available vs. interested resources
// (IM-23), broadcasts between two users with two resources each (IM-25), unavailable on graceful and ungraceful
// loss (IM-26), directed presence and its cleanup (IM-27), priority and validation (IM-28, BAD-38), presence to
// unknown accounts and offline resources (IM-29/IM-30), and the presence-leak protection of §8.5.3.1 as it follows
// from the subscriptions and directed presence this module maintains (IM-42, SOURCES note 14).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DOMAIN } from '../helpers/server.js';
import { type ImClient, addUsers, bareOf, describe, isPresence, imTestServer, rosterItem } from '../helpers/im-client.js';
import { assertStanzaError, type Element } from '../helpers/raw-client.js';
import type { Subscription } from '../../server/storage/roster.js';

const im = imTestServer();
const { connect, store } = im;

/** Connected, roster fetched, initial presence sent and processed; returns what arrived meanwhile too. */
async function online(user: string, resource: string, children = ''): Promise<{ c: ImClient; got: Element[] }> {
  const c = await connect(user, resource);
  await c.rosterGet();
  c.presence('', children);
  return { c, got: await c.untilPong() };
}

/** Set both sides of a relationship: a's item for b has `aSub`, b's item for a the mirror. */
async function relate(a: string, b: string, aSub: Subscription): Promise<void> {
  const mirror: Record<Subscription, Subscription> = { none: 'none', to: 'from', from: 'to', both: 'both' };
  await store().put(a, rosterItem(bareOf(b), { subscription: aSub }));
  await store().put(b, rosterItem(bareOf(a), { subscription: mirror[aSub] }));
}

const presences = (es: Element[]): string[] => es.filter((e) => e.name === 'presence').map((e) => `${e.attrs.type ?? 'available'}:${e.attrs.from}→${e.attrs.to}`);

test('IM-22/IM-24: initial presence goes to From/Both contacts and is echoed; probes bring the presence of To/Both contacts', async () => {
  await addUsers(im.t, 'ip-a', 'ip-b', 'ip-c', 'ip-d');
  await relate('ip-a', 'ip-b', 'both');
  await relate('ip-a', 'ip-c', 'from');   // c sees a; a does not see c
  await relate('ip-a', 'ip-d', 'to');     // a sees d; d does not see a
  const { c: b } = await online('ip-b', 'b');
  const { c: c } = await online('ip-c', 'c');
  const { c: d } = await online('ip-d', 'd', '<show>dnd</show><status>busy</status>');
  const { c: a, got } = await online('ip-a', 'a', '<status>here</status>');
  const p = presences(got);
  assert.ok(p.includes(`available:${a.jid}→${a.jid}`), `a gets its own presence back: ${describe(got)}`);
  assert.ok(p.includes(`available:${b.jid}→${bareOf('ip-a')}`), `probe answer from b (Both): ${describe(got)}`);
  const fromD = got.find(isPresence(undefined, d.jid));
  assert.ok(fromD, `probe answer from d (To): ${describe(got)}`);
  assert.equal(fromD.getChildText('show'), 'dnd', 'the probe is answered with the full last presence');
  assert.equal(fromD.getChildText('status'), 'busy');
  assert.ok(!p.some((x) => x.startsWith(`available:${c.jid}`)), `nothing from c (From only): ${describe(got)}`);
  // b and c (From/Both) get a's presence, d (To from a's side) does not.
  for (const x of [b, c]) {
    const at = await x.untilMark(a.mark(x));
    const pa = at.find(isPresence(undefined, a.jid));
    assert.ok(pa, `${x.jid} sees a: ${describe(at)}`);
    assert.equal(pa.attrs.to, x.bare, 'addressed to the contact\'s bare JID');
    assert.equal(pa.getChildText('status'), 'here');
  }
  assert.deepEqual(presences(await d.untilMark(a.mark(d))), [], 'd is not subscribed to a');
});

test('IM-24: a subscribed contact that is offline answers the probe with unavailable', async () => {
  await addUsers(im.t, 'po-a', 'po-b');
  await relate('po-a', 'po-b', 'to');
  const { got } = await online('po-a', 'a');
  assert.deepEqual(presences(got).filter((x) => x.startsWith('unavailable')), [`unavailable:${bareOf('po-b')}→${bareOf('po-a')}`], describe(got));
});

test('IM-24/IM-29/BAD-33: probes from non-subscribers and to unknown accounts get the same silence; a full-JID probe answers that resource only', async () => {
  await addUsers(im.t, 'pr-a', 'pr-b', 'pr-x');
  await relate('pr-x', 'pr-a', 'to');   // x may see a
  const { c: a1 } = await online('pr-a', 'one');
  const { c: a2 } = await online('pr-a', 'two', '<show>away</show>');
  await a1.untilPong();
  const { c: b } = await online('pr-b', 'b');
  b.send(`<presence to='${bareOf('pr-a')}' type='probe'/>`);
  b.send(`<presence to='${a1.jid}' type='probe'/>`);
  b.send(`<presence to='nosuch@${DOMAIN}' type='probe'/>`);
  assert.deepEqual(await b.untilPong(), [], 'no answer to a stranger, existing account or not');
  const x = await connect('pr-x', 'x');
  x.send(`<presence to='${a2.jid}' type='probe'/>`);
  const got = presences(await x.untilPong());
  assert.deepEqual(got, [`available:${a2.jid}→${x.jid}`]);
  x.send(`<presence to='${bareOf('pr-a')}' type='probe'/>`);
  assert.deepEqual(presences(await x.untilPong()).sort(), [`available:${a1.jid}→${x.jid}`, `available:${a2.jid}→${x.jid}`]);
});

test('IM-23: a resource that fetched the roster but sent no presence gets no presence broadcasts; an available one does', async () => {
  await addUsers(im.t, 'av-a', 'av-b');
  await relate('av-a', 'av-b', 'both');
  const quiet = await connect('av-a', 'quiet');
  await quiet.rosterGet();
  const { c: loud } = await online('av-a', 'loud');
  const { c: b } = await online('av-b', 'b');
  b.presence('', '<show>chat</show>');
  await b.untilPong();
  assert.deepEqual(presences(await quiet.untilMark(b.mark(quiet))), [], 'interested but not available: nothing');
  const atLoud = presences(await loud.untilMark(b.mark(loud)));
  assert.deepEqual(atLoud, [`available:${b.jid}→${bareOf('av-a')}`, `available:${b.jid}→${bareOf('av-a')}`], 'initial and changed presence');
});

test('IM-22/IM-25: two users with two resources each see every presence change, full XML preserved, to bare JIDs', async () => {
  await addUsers(im.t, 'two-a', 'two-b');
  await relate('two-a', 'two-b', 'both');
  const { c: a1 } = await online('two-a', 'a1');
  const { c: a2, got: a2got } = await online('two-a', 'a2');
  assert.ok(presences(a2got).includes(`available:${a1.jid}→${a2.jid}`), `a2 learns of a1 at login: ${describe(a2got)}`);
  assert.ok(presences(await a1.untilPong()).includes(`available:${a2.jid}→${a1.jid}`), 'a1 sees a2 arrive');
  const { c: b1, got: b1got } = await online('two-b', 'b1');
  assert.deepEqual(presences(b1got).filter((x) => !x.startsWith(`available:${b1.jid}`)).sort(),
    [`available:${a1.jid}→${bareOf('two-b')}`, `available:${a2.jid}→${bareOf('two-b')}`], 'probe answers');
  const { c: b2 } = await online('two-b', 'b2');
  for (const x of [a1, a2]) await x.untilPong();
  await b1.untilPong();
  // a1 goes away with an extension element: everybody else sees exactly that, a1 gets its echo.
  a1.presence("id='chg'", "<show>away</show><status>lunch</status><priority>3</priority><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='n' ver='v'/>");
  await a1.untilPong();
  for (const x of [a2, b1, b2]) {
    const at = await x.untilMark(a1.mark(x));
    const p = at.filter(isPresence(undefined, a1.jid));
    assert.equal(p.length, 1, `${x.jid}: ${describe(at)}`);
    assert.equal(p[0].attrs.id, 'chg');
    assert.equal(p[0].attrs.to, x.user === 'two-a' ? x.jid : bareOf('two-b'));
    assert.equal(p[0].getChildText('show'), 'away');
    assert.equal(p[0].getChildText('status'), 'lunch');
    assert.equal(p[0].getChild('c', 'http://jabber.org/protocol/caps')?.attrs.ver, 'v', 'extension passed through');
  }
  // b2 changes too: a1 and a2 both see it.
  b2.presence('', '<show>xa</show>');
  await b2.untilPong();
  for (const x of [a1, a2]) assert.deepEqual(presences(await x.untilMark(b2.mark(x))), [`available:${b2.jid}→${bareOf('two-a')}`]);
  // IM-28: the priority is stored on the session.
  const session = im.t.server.context_.sessions.get((await import('../../server/core/jid.js')).parseJid(a1.jid));
  const { peekResourceState } = await import('../../server/modules/resource-state.js');
  assert.equal(session && peekResourceState(session)?.priority, 3);
  assert.ok(session && peekResourceState(session)?.presence, 'available');
});

test('IM-26: a client whose connection just dies is seen going unavailable by its contacts and its other resources', async () => {
  await addUsers(im.t, 'die-a', 'die-b');
  await relate('die-a', 'die-b', 'both');
  const { c: a1 } = await online('die-a', 'a1');
  const { c: a2 } = await online('die-a', 'a2');
  const { c: b } = await online('die-b', 'b');
  await a1.untilPong();
  a1.kill();
  const at = await b.waitFor(isPresence('unavailable', a1.jid), 'unavailable from the dead resource');
  assert.equal(at.attrs.to, bareOf('die-b'));
  await a2.waitFor(isPresence('unavailable', a1.jid), 'a2 sees a1 go');
  // And the server no longer thinks it is there.
  b.send(`<presence to='${bareOf('die-a')}' type='probe'/>`);
  assert.deepEqual(presences(await b.untilPong()).filter((x) => x.includes(a1.jid)), []);
});

test('IM-26: a graceful unavailable is broadcast as sent (full XML) and not repeated when the stream then closes', async () => {
  await addUsers(im.t, 'bye-a', 'bye-b');
  await relate('bye-a', 'bye-b', 'both');
  const { c: a } = await online('bye-a', 'a');
  const { c: b } = await online('bye-b', 'b');
  await a.untilPong();
  a.presence("type='unavailable'", '<status>gone fishing</status>');
  const echo = await a.untilPong();
  assert.ok(echo.some(isPresence('unavailable', a.jid)), `the sender gets its unavailable too: ${describe(echo)}`);
  await a.quit();
  const got = await b.waitFor(isPresence('unavailable', a.jid), 'the unavailable');
  assert.equal(got.getChildText('status'), 'gone fishing');
  // Closing the stream afterwards adds nothing: a marker from another client comes next.
  const { c: a2 } = await online('bye-a', 'a2');
  const rest = (await b.untilMark(a2.mark(b))).filter(isPresence('unavailable', a.jid));
  assert.deepEqual(rest, [], 'no second unavailable');
  // A stream closed without an unavailable presence: the server generates one.
  await a2.quit();
  await b.waitFor(isPresence('unavailable', a2.jid), 'the server-generated unavailable');
});

test('IM-27: directed presence reaches a non-contact, who is told unavailable when the resource goes — by broadcast or by disconnect', async () => {
  await addUsers(im.t, 'dir-a', 'dir-s', 'dir-t');
  const { c: a } = await online('dir-a', 'a');
  const { c: s } = await online('dir-s', 's');
  const { c: u } = await online('dir-t', 't');
  a.send(`<presence to='${bareOf('dir-s')}'><status>hi stranger</status></presence>`);
  a.send(`<presence to='${u.jid}'/>`);
  await a.untilPong();
  const atS = (await s.untilMark(a.mark(s))).filter(isPresence(undefined, a.jid));
  assert.equal(atS.length, 1);
  assert.equal(atS[0].attrs.to, bareOf('dir-s'));
  assert.equal(atS[0].getChildText('status'), 'hi stranger');
  assert.equal((await u.untilMark(a.mark(u))).filter(isPresence(undefined, a.jid)).length, 1);
  // Directed unavailable to t takes t off the list.
  a.send(`<presence to='${u.jid}' type='unavailable'/>`);
  await a.untilPong();
  assert.equal((await u.untilMark(a.mark(u))).filter(isPresence('unavailable', a.jid)).length, 1);
  // Broadcast unavailable: s (still on the list) is told, t is not told again.
  a.presence("type='unavailable'");
  await a.untilPong();
  assert.equal((await s.untilMark(a.mark(s))).filter(isPresence('unavailable', a.jid)).length, 1, 'directed target told');
  assert.deepEqual((await u.untilMark(a.mark(u))).filter(isPresence('unavailable', a.jid)), [], 'removed target not told again');
  // The list was emptied: going available and dying tells s nothing more.
  a.presence();
  await a.untilPong();
  a.send(`<presence to='${bareOf('dir-s')}'/>`);
  await a.untilPong();
  await s.untilMark(a.mark(s));
  a.kill();
  await s.waitFor(isPresence('unavailable', a.jid), 'unavailable after the directed presence, on disconnect');
});

test('IM-28/BAD-38: invalid presence is refused with bad-request and changes nothing', async () => {
  await addUsers(im.t, 'bad-a', 'bad-b');
  await relate('bad-a', 'bad-b', 'both');
  const { c: a } = await online('bad-a', 'a', '<priority>7</priority>');
  const { c: b } = await online('bad-b', 'b');
  await a.untilPong();
  const bad = [
    '<priority>300</priority>',
    '<priority>-129</priority>',
    '<priority>high</priority>',
    '<priority>1</priority><priority>2</priority>',
    '<show>away</show><show>dnd</show>',
    '<show>busy</show>',
    '<status>a</status><status>b</status>',
  ];
  for (const [k, children] of bad.entries()) {
    a.presence(`id='bad${k}'`, children);
    const got = await a.untilPong();
    assert.equal(got.length, 1, `one answer for ${children}: ${describe(got)}`);
    assertStanzaError(got[0], 'bad-request', 'modify', `bad${k}`);
  }
  a.presence(`type='bogus' id='badtype'`);
  assertStanzaError((await a.untilPong())[0], 'bad-request', 'modify', 'badtype');
  assert.deepEqual(presences(await b.untilMark(a.mark(b))), [], 'nothing was broadcast');
  const session = im.t.server.context_.sessions.get((await import('../../server/core/jid.js')).parseJid(a.jid));
  const { peekResourceState: stateOf } = await import('../../server/modules/resource-state.js');
  assert.equal(session && stateOf(session)?.priority, 7, 'priority unchanged');
  // Distinct xml:lang statuses and the extremes of the range are fine.
  a.presence('', "<priority>-128</priority><status xml:lang='en'>out</status><status xml:lang='de'>weg</status>");
  assert.deepEqual((await a.untilPong()).filter((e) => e.attrs.type === 'error'), []);
  assert.equal(session && stateOf(session)?.priority, -128);
});

test('IM-30: presence to an offline full JID is ignored; a subscribe to it is processed for the bare JID', async () => {
  await addUsers(im.t, 'off-a', 'off-b');
  const { c: a } = await online('off-a', 'a');
  const { c: b } = await online('off-b', 'b');
  a.send(`<presence to='${bareOf('off-b')}/gone'/>`);
  assert.deepEqual(await a.untilPong(), []);
  assert.deepEqual(presences(await b.untilMark(a.mark(b))), [], 'not delivered to another resource');
  a.send(`<presence to='${bareOf('off-b')}/gone' type='subscribe'/>`);
  await a.untilPong();
  assert.deepEqual(presences(await b.untilMark(a.mark(b))), [`subscribe:${bareOf('off-a')}→${bareOf('off-b')}`]);
});

test('IM-42/SOURCES note 14: an iq to a full JID is refused to strangers, allowed to subscribers, own resources and after directed presence', async () => {
  await addUsers(im.t, 'leak-a', 'leak-f', 'leak-s');
  await relate('leak-a', 'leak-f', 'from');   // f receives a's presence
  const { c: a } = await online('leak-a', 'a');
  const { c: a2 } = await online('leak-a', 'a2');
  const { c: f } = await online('leak-f', 'f');
  const { c: s } = await online('leak-s', 's');
  const ask = (from: ImClient, id: string): void => from.send(`<iq type='get' id='${id}' to='${a.jid}'><query xmlns='jabber:iq:version'/></iq>`);
  ask(s, 'stranger1');
  const refused = (await s.untilPong()).filter((e) => e.attrs.id === 'stranger1');
  assert.equal(refused.length, 1);
  assertStanzaError(refused[0], 'service-unavailable', 'cancel', 'stranger1');
  ask(f, 'friend1');
  ask(a2, 'own1');
  await f.untilPong();
  await a2.untilPong();
  const atA = (await a.untilPong()).map((e) => e.attrs.id);
  assert.ok(atA.includes('friend1') && atA.includes('own1') && !atA.includes('stranger1'), `forwarded to a: ${atA.join(', ')}`);
  // Directed presence to the stranger lets it through; the refusal looks like a missing resource otherwise.
  a.send(`<presence to='${bareOf('leak-s')}'/>`);
  await a.untilPong();
  await s.untilMark(a.mark(s));
  ask(s, 'stranger2');
  await s.untilPong();
  assert.ok((await a.untilPong()).some((e) => e.attrs.id === 'stranger2'), 'after directed presence the iq is forwarded');
});
