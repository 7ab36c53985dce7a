// RFC 6121 §2 over real sockets: roster get/set/remove (IM-01…IM-07), set errors (IM-05, BAD-41), roster versioning
// and its stream feature (IM-08), the pre-approval stream feature (IM-20). One server for the file; each test uses
// its own accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, DOMAIN } from '../helpers/server.js';
import { ImClient, addUsers, bareOf, describe, pushedItem, isPush, NS_ROSTER, PASSWORD, imTestServer, rosterItem } from '../helpers/im-client.js';
import { RawClient, assertStanzaError, type Element } from '../helpers/raw-client.js';

const im = imTestServer();
const { connect, store } = im;

function queryOf(e: Element): Element {
  const q = e.getChild('query', NS_ROSTER);
  assert.ok(q, `a roster query in ${e.toString()}`);
  return q;
}

test('IM-08/IM-20/DISCO 11f: the stream features after authentication offer roster versioning and pre-approval', async () => {
  await addUsers(im.t, 'feat');
  const raw = await RawClient.connect(im.t.c2sPort);
  try {
    await raw.open();
    await raw.startTls(im.t.caPem);
    await raw.open();
    assert.equal((await raw.authScram('feat', PASSWORD)).name, 'success');
    const { features } = await raw.restart();
    assert.ok(features.getChild('ver', 'urn:xmpp:features:rosterver'), `rosterver feature: ${features.toString()}`);
    assert.ok(features.getChild('sub', 'urn:xmpp:features:pre-approval'), `pre-approval feature: ${features.toString()}`);
  } finally {
    raw.destroy();
  }
});

test('IM-02: a fresh account\'s roster is an empty <query/>, not an error', async () => {
  await addUsers(im.t, 'fresh');
  const c = await connect('fresh', 'r');
  const r = await c.rosterGet();
  assert.equal(r.attrs.type, 'result');
  assert.equal(r.attrs.from, undefined, 'a roster get without to is answered without from');
  assert.equal(queryOf(r).getChildren('item').length, 0);
});

test('IM-02: roster get lists every item with jid, name, subscription, ask, approved and groups — never pending-in records', async () => {
  await addUsers(im.t, 'lister');
  await store().put('lister', rosterItem(`zed@${DOMAIN}`, { name: 'Zed', groups: ['Friends', 'Work'], subscription: 'both' }));
  await store().put('lister', rosterItem(`asker@${DOMAIN}`, { ask: true }));
  await store().put('lister', rosterItem(`pre@${DOMAIN}`, { approved: true }));
  await store().put('lister', rosterItem(`stranger@${DOMAIN}`, { pendingIn: true, listed: false }));
  const c = await connect('lister', 'r');
  const items = await c.roster();
  const byJid = new Map(items.map((i) => [i.attrs.jid, i]));
  assert.deepEqual([...byJid.keys()].sort(), [`asker@${DOMAIN}`, `pre@${DOMAIN}`, `zed@${DOMAIN}`], 'pending-in requests are not roster items (IM-12)');
  const zed = byJid.get(`zed@${DOMAIN}`)!;
  assert.equal(zed.attrs.name, 'Zed');
  assert.equal(zed.attrs.subscription, 'both');
  assert.deepEqual(zed.getChildren('group').map((g) => g.getText()), ['Friends', 'Work']);
  assert.equal(byJid.get(`asker@${DOMAIN}`)!.attrs.ask, 'subscribe');
  assert.equal(byJid.get(`asker@${DOMAIN}`)!.attrs.subscription, 'none');
  assert.equal(byJid.get(`pre@${DOMAIN}`)!.attrs.approved, 'true');
});

test('IM-01: another account may neither read nor change a roster (forbidden); a roster iq to one\'s own bare JID works', async () => {
  await addUsers(im.t, 'owner1', 'snoop1');
  const owner = await connect('owner1', 'r');
  const snoop = await connect('snoop1', 'r');
  const get = await snoop.iq((id) => `<iq type='get' id='${id}' to='${bareOf('owner1')}'><query xmlns='${NS_ROSTER}'/></iq>`);
  assertStanzaError(get, 'forbidden', 'auth');
  const set = await snoop.iq((id) => `<iq type='set' id='${id}' to='${bareOf('owner1')}'><query xmlns='${NS_ROSTER}'><item jid='x@${DOMAIN}'/></query></iq>`);
  assertStanzaError(set, 'forbidden', 'auth');
  // Same answer for an account that does not exist (no harvesting oracle).
  const none = await snoop.iq((id) => `<iq type='get' id='${id}' to='nosuch@${DOMAIN}'><query xmlns='${NS_ROSTER}'/></iq>`);
  assertStanzaError(none, 'forbidden', 'auth');
  assert.deepEqual(await store().all('owner1'), [], 'nothing was written');
  const own = await owner.iq((id) => `<iq type='get' id='${id}' to='${bareOf('owner1')}'><query xmlns='${NS_ROSTER}'/></iq>`);
  assert.equal(own.attrs.type, 'result');
  assert.equal(own.attrs.from, bareOf('owner1'));
  assert.deepEqual(await owner.untilPong(), []);
});

test('IM-03/IM-07: a roster set is answered and pushed to every interested resource (incl. the sender), groups replaced wholesale', async () => {
  await addUsers(im.t, 'setter');
  const c1 = await connect('setter', 'one');
  const c2 = await connect('setter', 'two');
  const c3 = await connect('setter', 'three');   // never asks for the roster: not interested
  await c1.rosterGet();
  await c2.rosterGet();
  const reply = await c1.rosterSet(`<item jid='friend@${DOMAIN}' name='Friend'><group>A</group><group>B</group></item>`);
  assert.equal(reply.attrs.type, 'result');
  assert.equal(reply.getChildElements().length, 0, 'an empty result');
  for (const c of [c1, c2]) {
    const got = await c.untilPong();
    assert.equal(got.length, 1, `one push at ${c.jid}: ${describe(got)}`);
    const it = pushedItem(got[0]);
    assert.equal(got[0].attrs.to, c.jid, 'pushed to the full JID');
    assert.equal(it.attrs.jid, `friend@${DOMAIN}`);
    assert.equal(it.attrs.name, 'Friend');
    assert.equal(it.attrs.subscription, 'none');
    assert.deepEqual(it.getChildren('group').map((g) => g.getText()), ['A', 'B']);
  }
  assert.deepEqual(await c3.untilPong(), [], 'no push to a resource that did not fetch the roster');
  // Groups are replaced, the name dropped when absent.
  assert.equal((await c2.rosterSet(`<item jid='friend@${DOMAIN}'><group>C</group></item>`)).attrs.type, 'result');
  const push = (await c1.untilPong())[0];
  assert.deepEqual(pushedItem(push).getChildren('group').map((g) => g.getText()), ['C']);
  assert.equal(pushedItem(push).attrs.name, undefined);
  await c2.untilPong();
  const stored = await store().get('setter', `friend@${DOMAIN}`);
  assert.deepEqual(stored?.groups, ['C']);
  // IM-07: an error in reply to a push is ignored (nothing comes back).
  c1.send(`<iq type='error' id='${push.attrs.id}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
  assert.deepEqual(await c1.untilPong(), []);
});

test('IM-04: subscription (other than remove), ask and approved in a roster set are ignored', async () => {
  await addUsers(im.t, 'cheat');
  const c = await connect('cheat', 'r');
  await c.rosterGet();
  const r = await c.rosterSet(`<item jid='victim@${DOMAIN}' subscription='both' ask='subscribe' approved='true'/>`);
  assert.equal(r.attrs.type, 'result');
  const it = pushedItem((await c.untilPong())[0]);
  assert.equal(it.attrs.subscription, 'none');
  assert.equal(it.attrs.ask, undefined);
  assert.equal(it.attrs.approved, undefined);
  const stored = await store().get('cheat', `victim@${DOMAIN}`);
  assert.equal(stored?.subscription, 'none');
  assert.equal(stored?.ask, false);
  assert.equal(stored?.approved, false);
  // A set on an item with a subscription keeps it.
  await store().put('cheat', rosterItem(`pal@${DOMAIN}`, { subscription: 'to' }));
  await c.rosterSet(`<item jid='pal@${DOMAIN}' subscription='none' name='Pal'/>`);
  assert.equal(pushedItem((await c.untilPong())[0]).attrs.subscription, 'to');
});

test('IM-05/BAD-41: roster set errors — bad-request, not-acceptable, not-allowed, jid-malformed, item-not-found', async () => {
  await addUsers(im.t, 'errs');
  const c = await connect('errs', 'r');
  await c.rosterGet();
  const long = 'x'.repeat(1025);
  const cases: [string, string, string][] = [
    [`<item jid='a@${DOMAIN}'/><item jid='b@${DOMAIN}'/>`, 'bad-request', 'modify'],
    ['', 'bad-request', 'modify'],
    [`<item jid='a@${DOMAIN}'><group>G</group><group>G</group></item>`, 'bad-request', 'modify'],
    [`<item jid='a@${DOMAIN}'><group></group></item>`, 'not-acceptable', 'modify'],
    [`<item jid='a@${DOMAIN}'><group>${long}</group></item>`, 'not-acceptable', 'modify'],
    [`<item jid='a@${DOMAIN}' name='${long}'/>`, 'not-acceptable', 'modify'],
    [`<item name='no jid'/>`, 'bad-request', 'modify'],
    [`<item jid='a@b@c'/>`, 'jid-malformed', 'modify'],
    [`<item jid='a@${DOMAIN}/res'/>`, 'bad-request', 'modify'],
    [`<item jid='${bareOf('errs')}'/>`, 'not-allowed', 'cancel'],
    [`<item jid='ghost@${DOMAIN}' subscription='remove'/>`, 'item-not-found', 'cancel'],
  ];
  for (const [xml, cond, type] of cases) {
    const r = await c.rosterSet(xml);
    assertStanzaError(r, cond, type);
  }
  assert.deepEqual(await c.untilPong(), [], 'no push for a refused set');
  assert.deepEqual(await store().all('errs'), []);
  // The limit itself is accepted.
  assert.equal((await c.rosterSet(`<item jid='a@${DOMAIN}' name='${'n'.repeat(1024)}'><group>${'g'.repeat(1024)}</group></item>`)).attrs.type, 'result');
  assert.equal((await c.untilPong()).filter(isPush()).length, 1);
});

test('IM-06: removing a contact with a mutual subscription pushes the removal and tells the contact unavailable, unsubscribe, unsubscribed', async () => {
  await addUsers(im.t, 'remover', 'removed');
  await store().put('remover', rosterItem(bareOf('removed'), { subscription: 'both' }));
  await store().put('removed', rosterItem(bareOf('remover'), { subscription: 'both' }));
  const u = await connect('remover', 'r');
  const k = await connect('removed', 'k');
  await u.rosterGet();
  await k.rosterGet();
  k.presence();
  await k.untilPong();
  u.presence();
  await u.untilPong();
  await k.untilMark(u.mark(k));   // u's initial presence reached k
  const r = await u.rosterSet(`<item jid='${bareOf('removed')}' subscription='remove'/>`);
  assert.equal(r.attrs.type, 'result');
  const atU = await u.untilPong();
  const push = atU.find(isPush(bareOf('removed')));
  assert.ok(push, describe(atU));
  assert.equal(pushedItem(push).attrs.subscription, 'remove');
  assert.equal(await store().get('remover', bareOf('removed')), null);
  const atK = await k.untilMark(u.mark(k));
  const kinds = atK.map((e) => (isPush()(e) ? `push:${pushedItem(e).attrs.subscription}` : `${e.name}:${e.attrs.type ?? 'available'}:${e.attrs.from}`));
  assert.deepEqual(kinds, [
    `presence:unsubscribe:${bareOf('remover')}`,
    'push:to',
    `presence:unavailable:${u.jid}`,
    `presence:unsubscribed:${bareOf('remover')}`,
    'push:none',
  ], describe(atK));
  assert.equal((await store().get('removed', bareOf('remover')))?.subscription, 'none');
});

test('IM-06: removing a contact that asked to subscribe denies the request; one we asked is withdrawn', async () => {
  await addUsers(im.t, 'rm2', 'asker2', 'asked2');
  await store().put('rm2', rosterItem(bareOf('asker2'), { pendingIn: true }));
  await store().put('asker2', rosterItem(bareOf('rm2'), { ask: true }));
  await store().put('rm2', rosterItem(bareOf('asked2'), { ask: true }));
  await store().put('asked2', rosterItem(bareOf('rm2'), { pendingIn: true, listed: false }));
  const u = await connect('rm2', 'r');
  await u.rosterGet();
  assert.equal((await u.rosterSet(`<item jid='${bareOf('asker2')}' subscription='remove'/>`)).attrs.type, 'result');
  assert.equal((await u.rosterSet(`<item jid='${bareOf('asked2')}' subscription='remove'/>`)).attrs.type, 'result');
  await u.untilPong();
  const asker = await store().get('asker2', bareOf('rm2'));
  assert.equal(asker?.ask, false, 'the asker learnt its request was denied');
  assert.equal(await store().get('asked2', bareOf('rm2')), null, 'the withdrawn request is gone');
});

test('IM-08: roster versioning — full roster with ver, empty result when current, interim pushes for changes, unique versions', async () => {
  await addUsers(im.t, 'versioned');
  const c1 = await connect('versioned', 'one');
  // ver='' (no cached copy): the full roster with the current version.
  const first = await c1.rosterGet('');
  const ver0 = queryOf(first).attrs.ver;
  assert.ok(ver0, `a version in the result: ${first.toString()}`);
  // Two changes → two pushes with distinct versions, each carried in the push.
  await c1.rosterSet(`<item jid='v1@${DOMAIN}'/>`);
  await c1.rosterSet(`<item jid='v2@${DOMAIN}'/>`);
  const pushes = (await c1.untilPong()).filter(isPush());
  assert.equal(pushes.length, 2);
  const vers = pushes.map((p) => queryOf(p).attrs.ver);
  assert.ok(vers[0] && vers[1] && vers[0] !== vers[1] && vers[0] !== ver0, `unique versions: ${vers.join(', ')}`);
  const current = vers[1];
  // Up to date: an empty result (no <query/>), and nothing else.
  const same = await c1.rosterGet(current);
  assert.equal(same.attrs.type, 'result');
  assert.equal(same.getChildElements().length, 0, `empty result: ${same.toString()}`);
  assert.deepEqual(await c1.untilPong(), []);
  await c1.quit();
  // While the client is away: one item changes, one is removed, one is added (via the store, as another resource would).
  const c2 = await connect('versioned', 'two');
  await c2.rosterGet();
  await c2.rosterSet(`<item jid='v1@${DOMAIN}' name='renamed'/>`);
  await c2.rosterSet(`<item jid='v2@${DOMAIN}' subscription='remove'/>`);
  await c2.rosterSet(`<item jid='v3@${DOMAIN}'/>`);
  await c2.untilPong();
  const c3 = await connect('versioned', 'three');
  const r = await c3.rosterGet(current);
  assert.equal(r.attrs.type, 'result');
  assert.equal(r.getChildElements().length, 0, `interim pushes follow an empty result: ${r.toString()}`);
  const interim = await c3.untilPong();
  assert.deepEqual(interim.map((p) => {
    const it = pushedItem(p);
    return `${it.attrs.jid}:${it.attrs.subscription}:${it.attrs.name ?? ''}`;
  }), [`v1@${DOMAIN}:none:renamed`, `v2@${DOMAIN}:remove:`, `v3@${DOMAIN}:none:`], 'one push per change, oldest first');
  const interimVers = interim.map((p) => queryOf(p).attrs.ver);
  assert.equal(new Set(interimVers).size, 3);
  assert.equal(interimVers[2], queryOf((await c3.rosterGet('')) as Element).attrs.ver, 'the last push carries the current version');
  // An unknown version gets the full roster.
  const full = await c3.rosterGet('not-a-version');
  assert.deepEqual(queryOf(full).getChildren('item').map((i) => i.attrs.jid).sort(), [`v1@${DOMAIN}`, `v3@${DOMAIN}`]);
  assert.ok(queryOf(full).attrs.ver);
  // A client that does not use versioning gets no ver.
  const c4 = await connect('versioned', 'four');
  const unversioned = await c4.rosterGet();
  assert.equal(queryOf(unversioned).attrs.ver, undefined);
  await c4.rosterSet(`<item jid='v4@${DOMAIN}'/>`);
  const p4 = (await c4.untilPong()).find(isPush())!;
  assert.equal(queryOf(p4).attrs.ver, undefined, 'no ver in pushes to a client that never sent one');
  const p3 = (await c3.untilPong()).find(isPush())!;
  assert.ok(queryOf(p3).attrs.ver, 'ver in pushes to a versioning client');
});

test('IM-08: roster versions are on disk: after a restart the same version is current and older ones still get interim pushes', async () => {
  const t2 = await startServer();
  const dataDir = t2.dataDir;
  let old: string;
  let current: string;
  try {
    await t2.addUser('durable', PASSWORD);
    const c = await ImClient.login(t2, 'durable', 'r');
    old = queryOf(await c.rosterGet('')).attrs.ver!;
    await c.rosterSet(`<item jid='d1@${DOMAIN}'/>`);
    current = queryOf((await c.untilPong()).find(isPush())!).attrs.ver!;
    await c.quit();
  } finally {
    await t2.stop();
  }
  const t3 = await startServer({}, { dataDir });
  try {
    const c = await ImClient.login(t3, 'durable', 'r');
    const same = await c.rosterGet(current);
    assert.equal(same.getChildElements().length, 0, `still current: ${same.toString()}`);
    assert.deepEqual(await c.untilPong(), []);
    const since = await c.rosterGet(old);
    assert.equal(since.getChildElements().length, 0);
    const pushes = await c.untilPong();
    assert.deepEqual(pushes.map((p) => `${pushedItem(p).attrs.jid} ${queryOf(p).attrs.ver}`), [`d1@${DOMAIN} ${current}`]);
    await c.quit();
  } finally {
    await t3.stop();
  }
});
