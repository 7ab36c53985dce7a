// XEP-0163 PEP on the XEP-0060 subset, with XEP-0115 filtering, over real sockets (raw clients): discovery,
// publish and auto-create, publish-options, access models, notifications and who gets them, last items, privacy,
// errors, node configuration, explicit subscriptions, limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsers, bareOf, describe, imTestServer, rosterItem, type ImClient } from '../helpers/im-client.js';
import { DOMAIN } from '../helpers/server.js';
import { nextId } from '../helpers/raw-client.js';
import { block } from '../helpers/privacy-client.js';
import {
  NS_DISCO_INFO, NS_DISCO_ITEMS, NS_PUBSUB, NS_PUBSUB_OWNER, NS_TUNE, NS_MOOD, errorCondition, events, getItems, isEvent,
  itemIds, mood, onlinePlain, onlineWithCaps, publish, publishOk, pubsubCondition, tune,
} from '../helpers/pep-client.js';

// The node and quota tests publish a thousand times in a row: the per-session iq rate (core/stanza-rate.ts, tested in
// abuse-rates.test.ts) is raised so that they measure PEP's own limits, not that one.
const im = imTestServer({ limits: { iqPerSecond: 100_000, iqBurst: 100_000 } });
const { connect, store, friends } = im;


let userCounter = 0;
/** Fresh accounts for one test. */
async function users(...names: string[]): Promise<string[]> {
  const n = ++userCounter;
  const out = names.map((x) => `${x}${n}`);
  await addUsers(im.t, ...out);
  return out;
}

test('PEP-01, PEP-18: the owner\'s disco#info on its bare JID shows pubsub/pep and the pubsub features implemented', async () => {
  const [a] = await users('disco');
  const c = await connect(a, 'r');
  const r = await c.iq((id) => `<iq type='get' id='${id}' to='${bareOf(a)}'><query xmlns='${NS_DISCO_INFO}'/></iq>`);
  assert.equal(r.attrs.type, 'result', r.toString());
  const q = r.getChild('query', NS_DISCO_INFO)!;
  assert.ok(q.getChildren('identity').some((i) => i.attrs.category === 'pubsub' && i.attrs.type === 'pep'), r.toString());
  const features = new Set(q.getChildren('feature').map((f) => String(f.attrs.var)));
  for (const f of ['', '#publish', '#auto-create', '#publish-options', '#filtered-notifications', '#auto-subscribe', '#access-presence',
    '#access-open', '#access-roster', '#access-whitelist', '#retrieve-items', '#retract-items', '#delete-items', '#delete-nodes',
    '#create-nodes', '#config-node', '#config-node-max', '#persistent-items', '#last-published', '#item-ids', '#presence-notifications', '#multi-items']) {
    assert.ok(features.has(NS_PUBSUB + f), `missing ${NS_PUBSUB + f}`);
  }
});

test('PEP-03, PEP-14, PEP-16: publish auto-creates the node; ids are generated; the same id overwrites; max_items keeps the latest; retrieval by max_items and by id', async () => {
  const [a] = await users('pub');
  const c = await connect(a, 'r');
  const [id1] = await publishOk(c, NS_TUNE, `<item>${tune('One')}</item>`);
  assert.ok(id1, 'an id is generated');
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), NS_TUNE)), [id1]);
  // Default max_items is 1: a second item replaces the first.
  const [id2] = await publishOk(c, NS_TUNE, `<item>${tune('Two')}</item>`);
  assert.notEqual(id1, id2);
  const r = await getItems(c, bareOf(a), NS_TUNE);
  assert.deepEqual(itemIds(r), [id2]);
  assert.match(r.toString(), /Two/);
  // A node keeping 10 items: several ids, overwrite keeps one copy, max_items and ids select.
  await publishOk(c, 'urn:test:many', `<item id='a'><x xmlns='urn:test:many'>1</x></item>`, { 'pubsub#max_items': '10' });
  await publishOk(c, 'urn:test:many', `<item id='b'><x xmlns='urn:test:many'>2</x></item><item id='c'><x xmlns='urn:test:many'>3</x></item>`);
  await publishOk(c, 'urn:test:many', `<item id='a'><x xmlns='urn:test:many'>1bis</x></item>`);
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:many')), ['b', 'c', 'a']);
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:many', '', ` max_items='2'`)), ['c', 'a']);
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:many', `<item id='b'/><item id='zz'/>`)), ['b']);
  assert.match((await getItems(c, bareOf(a), 'urn:test:many', `<item id='a'/>`)).toString(), /1bis/);
  // Lowering max_items drops the oldest at once.
  const lower = await c.iq((id) => `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='urn:test:many'><x xmlns='jabber:x:data' type='submit'>`
    + `<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field><field var='pubsub#max_items'><value>2</value></field></x></configure></pubsub></iq>`);
  assert.equal(lower.attrs.type, 'result', lower.toString());
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:many')), ['c', 'a']);
  // Retracting the latest: the one before it is the last item again.
  assert.equal((await c.iq((id) => `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><retract node='urn:test:many'><item id='a'/></retract></pubsub></iq>`)).attrs.type, 'result');
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:many', '', ` max_items='1'`)), ['c']);
  // max_items=1 with two published in one go: only the latest is kept.
  await publishOk(c, 'urn:test:one', `<item id='p'><x xmlns='urn:test:one'/></item><item id='q'><x xmlns='urn:test:one'/></item>`, { 'pubsub#max_items': '1' });
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:one')), ['q']);
});

test('PEP-04: publish-options are preconditions: a mismatch gets conflict + precondition-not-met, an unknown field too; a missing node is created with them; nothing stored is lost', async () => {
  const [a] = await users('opts');
  const c = await connect(a, 'r');
  await publishOk(c, 'urn:test:open', `<item id='1'><x xmlns='urn:test:open'>kept</x></item>`, { 'pubsub#access_model': 'open' });
  const bad = await publish(c, 'urn:test:open', `<item id='2'><x xmlns='urn:test:open'/></item>`, { 'pubsub#access_model': 'whitelist' });
  assert.equal(errorCondition(bad), 'conflict', bad.toString());
  assert.equal(pubsubCondition(bad), 'precondition-not-met', bad.toString());
  const unknown = await publish(c, 'urn:test:open', `<item id='3'><x xmlns='urn:test:open'/></item>`, { 'pubsub#no_such_field': '1' });
  assert.equal(pubsubCondition(unknown), 'precondition-not-met', unknown.toString());
  // Matching options (written differently: true for 1) publish.
  await publishOk(c, 'urn:test:open', `<item id='4'><x xmlns='urn:test:open'>new</x></item>`, { 'pubsub#access_model': 'open', 'pubsub#persist_items': 'true' });
  const cfg = await c.iq((id) => `<iq type='get' id='${id}'><pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='urn:test:open'/></pubsub></iq>`);
  assert.match(cfg.toString(), /var="pubsub#access_model"[^]*?<value>open<\/value>/);
  assert.deepEqual(itemIds(await getItems(c, bareOf(a), 'urn:test:open')), ['4']);
});

test('PEP-05, MOD-53: access models — presence (contacts only), open (anyone: an OMEMO bundle fetched by a non-contact), roster (groups), whitelist (owner only)', async () => {
  const [o, friend, stranger, grouped] = await users('acc', 'accf', 'accs', 'accg');
  await friends(o, friend);
  await store().put(o, rosterItem(bareOf(grouped), { subscription: 'both', groups: ['Family'] }));
  await store().put(grouped, rosterItem(bareOf(o), { subscription: 'both' }));
  const oc = await connect(o, 'r');
  const fc = await connect(friend, 'r');
  const sc = await connect(stranger, 'r');
  const gc = await connect(grouped, 'r');
  const owner = bareOf(o);
  await publishOk(oc, NS_MOOD, `<item>${mood('happy')}</item>`);
  // OMEMO: a device list and a bundle published open with publish-options, max_items > 1 on the bundle node.
  const devicelist = 'eu.siacs.conversations.axolotl.devicelist';
  const bundle = 'eu.siacs.conversations.axolotl.bundles:1234';
  await publishOk(oc, devicelist, `<item id='current'><list xmlns='eu.siacs.conversations.axolotl'><device id='1234'/></list></item>`, { 'pubsub#access_model': 'open' });
  await publishOk(oc, bundle, `<item id='current'><bundle xmlns='eu.siacs.conversations.axolotl'><signedPreKeyPublic signedPreKeyId='1'>AAAA</signedPreKeyPublic></bundle></item>`,
    { 'pubsub#access_model': 'open', 'pubsub#max_items': 'max' });
  await publishOk(oc, 'urn:test:family', `<item id='1'><x xmlns='urn:test:family'/></item>`);
  const conf = await oc.iq((id) => `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='urn:test:family'><x xmlns='jabber:x:data' type='submit'>`
    + `<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>`
    + `<field var='pubsub#access_model'><value>roster</value></field><field var='pubsub#roster_groups_allowed'><value>Family</value></field></x></configure></pubsub></iq>`);
  assert.equal(conf.attrs.type, 'result', conf.toString());
  await publishOk(oc, 'urn:test:secret', `<item id='1'><x xmlns='urn:test:secret'/></item>`, { 'pubsub#access_model': 'whitelist' });

  // presence
  assert.deepEqual(itemIds(await getItems(fc, owner, NS_MOOD)).length, 1);
  const denied = await getItems(sc, owner, NS_MOOD);
  assert.equal(errorCondition(denied), 'not-authorized', denied.toString());
  assert.equal(pubsubCondition(denied), 'presence-subscription-required');
  // open
  assert.deepEqual(itemIds(await getItems(sc, owner, devicelist)), ['current']);
  assert.match((await getItems(sc, owner, bundle)).toString(), /signedPreKeyPublic/);
  // roster groups
  assert.deepEqual(itemIds(await getItems(gc, owner, 'urn:test:family')), ['1']);
  const notInGroup = await getItems(fc, owner, 'urn:test:family');
  assert.equal(pubsubCondition(notInGroup), 'not-in-roster-group', notInGroup.toString());
  // whitelist
  const closed = await getItems(fc, owner, 'urn:test:secret');
  assert.equal(errorCondition(closed), 'not-allowed', closed.toString());
  assert.equal(pubsubCondition(closed), 'closed-node');
  assert.deepEqual(itemIds(await getItems(oc, owner, 'urn:test:secret')), ['1']);
});

test('PEP-06, PEP-07, PEP-08, PEP-09: with no subscribe of their own (implicit subscription), a tune and a mood reach the contact whose caps say +notify and the owner\'s other +notify resource, from the bare JID; the contact without +notify gets nothing', async () => {
  const [o, withNotify, without] = await users('nt', 'ntw', 'ntn');
  await friends(o, withNotify);
  await friends(o, without);
  const oc = await connect(o, 'pub');
  const own2 = await connect(o, 'other');
  const wc = await connect(withNotify, 'r');
  const nc = await connect(without, 'r');
  await onlineWithCaps(oc, []);
  await onlineWithCaps(own2, [NS_TUNE, NS_MOOD]);
  await onlineWithCaps(wc, [NS_TUNE, NS_MOOD]);
  await onlineWithCaps(nc, ['urn:test:other']);
  await publishOk(oc, NS_TUNE, `<item>${tune('Dire Straits')}</item>`);
  await publishOk(oc, NS_MOOD, `<item>${mood('happy')}</item>`);
  for (const c of [wc, own2]) {
    const t = await c.waitFor(isEvent(NS_TUNE), `the tune at ${c.jid}`);
    assert.equal(t.attrs.from, bareOf(o), 'notifications come from the bare JID (PEP-08)');
    assert.equal(t.attrs.to, c.jid, 'to the full JID of the interested resource');
    assert.match(t.toString(), /Dire Straits/);
    await c.waitFor(isEvent(NS_MOOD, bareOf(o)), `the mood at ${c.jid}`);
  }
  const before = await nc.untilMark(oc.mark(nc));
  assert.deepEqual(events(before, NS_TUNE), [], describe(before));
  assert.deepEqual(events(before, NS_MOOD), [], describe(before));
  const self = await oc.untilPong();
  assert.deepEqual(events(self, NS_TUNE), [], 'the publishing resource has no +notify');
});

test('PEP-10, PEP-21: a contact coming online gets the last tune once; later presence (without caps) sends nothing again and keeps the caps', async () => {
  const [o, c2] = await users('last', 'lastc');
  await friends(o, c2);
  const oc = await connect(o, 'r');
  await publishOk(oc, NS_TUNE, `<item id='t1'>${tune('Queen')}</item>`);
  const cc = await connect(c2, 'r');
  await onlineWithCaps(cc, [NS_TUNE]);
  const ev = await cc.waitFor(isEvent(NS_TUNE, bareOf(o)), 'the last tune at login');
  assert.match(ev.toString(), /Queen/);
  cc.presence('', '<show>away</show>');
  await cc.untilPong();
  const after = await cc.untilMark(oc.mark(cc));
  assert.deepEqual(events(after, NS_TUNE), [], describe(after));
  // The caps of the first presence still count (PEP-21): a new tune arrives.
  await publishOk(oc, NS_TUNE, `<item id='t2'>${tune('Muse')}</item>`);
  assert.match((await cc.waitFor(isEvent(NS_TUNE), 'the new tune')).toString(), /Muse/);
  // The owner's presence updates reach the contact, and no tune comes again.
  oc.presence('', '<show>dnd</show>');
  await cc.waitFor((e) => e.name === 'presence' && e.getChildText('show') === 'dnd', 'the owner\'s presence update');
  const later = await cc.untilMark(oc.mark(cc));
  assert.deepEqual(events(later, NS_TUNE), [], describe(later));
});

test('PEP-10: a contact whose subscription the owner has just approved gets the last item', async () => {
  const [o, c2] = await users('onsub', 'onsubc');
  const oc = await connect(o, 'r');
  await onlinePlain(oc);
  await publishOk(oc, NS_TUNE, `<item id='t1'>${tune('Approved')}</item>`);
  const cc = await connect(c2, 'r');
  await onlineWithCaps(cc, [NS_TUNE]);
  cc.send(`<presence to='${bareOf(o)}' type='subscribe'/>`);
  await oc.waitFor((e) => e.name === 'presence' && e.attrs.type === 'subscribe', 'the subscription request');
  oc.send(`<presence to='${bareOf(c2)}' type='subscribed'/>`);
  const ev = await cc.waitFor(isEvent(NS_TUNE, bareOf(o)), 'the last tune after approval');
  assert.match(ev.toString(), /Approved/);
});

test('PEP-11: a contact the owner blocks gets no notifications and no last item (routed through privacy)', async () => {
  const [o, blocked, fine] = await users('blk', 'blkb', 'blkf');
  await friends(o, blocked);
  await friends(o, fine);
  const oc = await connect(o, 'r');
  await onlinePlain(oc);
  const bc = await connect(blocked, 'r');
  const fc = await connect(fine, 'r');
  await onlineWithCaps(bc, [NS_TUNE]);
  await onlineWithCaps(fc, [NS_TUNE]);
  assert.equal((await block(oc, bareOf(blocked))).attrs.type, 'result');
  await publishOk(oc, NS_TUNE, `<item>${tune('Blocked?')}</item>`);
  await fc.waitFor(isEvent(NS_TUNE), 'the tune at the other contact');
  const got = await bc.untilMark(fc.mark(bc));
  assert.deepEqual(events(got, NS_TUNE), [], describe(got));
  // Logging in again: no last item either.
  const bc2 = await connect(blocked, 'second');
  await onlineWithCaps(bc2, [NS_TUNE]);
  const got2 = await bc2.untilMark(fc.mark(bc2));
  assert.deepEqual(events(got2, NS_TUNE), [], describe(got2));
});

test('PEP-12: a contact whose subscription is cancelled stops receiving events', async () => {
  const [o, c2] = await users('cancel', 'cancelc');
  await friends(o, c2);
  const oc = await connect(o, 'r');
  await onlinePlain(oc);
  const cc = await connect(c2, 'r');
  await onlineWithCaps(cc, [NS_TUNE]);
  await publishOk(oc, NS_TUNE, `<item>${tune('Before')}</item>`);
  await cc.waitFor(isEvent(NS_TUNE), 'the tune while subscribed');
  // The owner cancels the contact's subscription (RFC 6121 §3.2).
  oc.send(`<presence to='${bareOf(c2)}' type='unsubscribed'/>`);
  await oc.untilPong();
  await publishOk(oc, NS_TUNE, `<item>${tune('After')}</item>`);
  const got = await cc.untilMark(oc.mark(cc));
  assert.deepEqual(events(got, NS_TUNE), [], describe(got));
  const r = await getItems(cc, bareOf(o), NS_TUNE);
  assert.equal(errorCondition(r), 'not-authorized', r.toString());
});

test('PEP-13, PEP-19: disco#items lists to a contact only the nodes it may read; a private (whitelist) node is neither listed nor notified', async () => {
  const [o, c2] = await users('items', 'itemsc');
  await friends(o, c2);
  const oc = await connect(o, 'r');
  const cc = await connect(c2, 'r');
  await onlineWithCaps(cc, [NS_TUNE, 'urn:xmpp:private:test']);
  await publishOk(oc, NS_TUNE, `<item>${tune('Public')}</item>`);
  await cc.waitFor(isEvent(NS_TUNE), 'the public tune');
  await publishOk(oc, 'urn:xmpp:private:test', `<item id='k'><secret xmlns='urn:xmpp:private:test'/></item>`, { 'pubsub#access_model': 'whitelist', 'pubsub#persist_items': 'true' });
  const got = await cc.untilMark(oc.mark(cc));
  assert.deepEqual(events(got, 'urn:xmpp:private:test'), [], describe(got));
  const disco = (c: ImClient) => c.iq((id) => `<iq type='get' id='${id}' to='${bareOf(o)}'><query xmlns='${NS_DISCO_ITEMS}'/></iq>`);
  const seen = (await disco(cc)).getChild('query', NS_DISCO_ITEMS)!.getChildren('item').map((i) => String(i.attrs.node));
  assert.deepEqual(seen, [NS_TUNE]);
  const ownView = (await disco(oc)).getChild('query', NS_DISCO_ITEMS)!.getChildren('item').map((i) => String(i.attrs.node)).sort();
  assert.deepEqual(ownView, [NS_TUNE, 'urn:xmpp:private:test'].sort());
  // A node's items (XEP-0060 §5.5), for the owner; the private node's not for the contact.
  const nodeItems = (c: ImClient, node: string) => c.iq((id) => `<iq type='get' id='${id}' to='${bareOf(o)}'><query xmlns='${NS_DISCO_ITEMS}' node='${node}'/></iq>`);
  const ids = (await nodeItems(oc, 'urn:xmpp:private:test')).getChild('query', NS_DISCO_ITEMS)!.getChildren('item').map((i) => String(i.attrs.name));
  assert.deepEqual(ids, ['k']);
  assert.equal((await nodeItems(cc, 'urn:xmpp:private:test')).attrs.type, 'error');
});

test('PEP-15: payload-too-big, invalid-payload (none, two), item-not-found on a missing node, forbidden for someone else\'s publish; nothing stored is lost', async () => {
  const [o, other] = await users('err', 'erro');
  const oc = await connect(o, 'r');
  const xc = await connect(other, 'r');
  await publishOk(oc, 'urn:test:keep', `<item id='1'><x xmlns='urn:test:keep'>kept</x></item>`);
  const big = await publish(oc, 'urn:test:keep', `<item id='2'><x xmlns='urn:test:keep'>${'a'.repeat(140 * 1024)}</x></item>`);
  assert.equal(errorCondition(big), 'not-acceptable', big.toString().slice(0, 500));
  assert.equal(pubsubCondition(big), 'payload-too-big');
  const none = await publish(oc, 'urn:test:keep', `<item id='3'/>`);
  assert.equal(errorCondition(none), 'bad-request');
  assert.equal(pubsubCondition(none), 'invalid-payload');
  const two = await publish(oc, 'urn:test:keep', `<item id='4'><a xmlns='urn:a'/><b xmlns='urn:b'/></item>`);
  assert.equal(pubsubCondition(two), 'invalid-payload', two.toString());
  const missing = await getItems(oc, bareOf(o), 'urn:test:nothing');
  assert.equal(errorCondition(missing), 'item-not-found');
  const foreign = await xc.iq((id) => `<iq type='set' id='${id}' to='${bareOf(o)}'><pubsub xmlns='${NS_PUBSUB}'><publish node='urn:test:keep'><item><x xmlns='urn:test:keep'/></item></publish></pubsub></iq>`);
  assert.equal(errorCondition(foreign), 'forbidden', foreign.toString());
  const r = await getItems(oc, bareOf(o), 'urn:test:keep');
  assert.deepEqual(itemIds(r), ['1']);
  assert.match(r.toString(), /kept/);
});

test('PEP-17: node configuration get and set by the owner; an unknown field is refused and changes nothing; others may not', async () => {
  const [o, other] = await users('cfg', 'cfgo');
  const oc = await connect(o, 'r');
  const xc = await connect(other, 'r');
  await publishOk(oc, 'urn:test:cfg', `<item id='1'><x xmlns='urn:test:cfg'/></item>`);
  const form = (fields: string) => `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>${fields}</x>`;
  const set = (fields: string, c = oc) => c.iq((id) => `<iq type='set' id='${id}' to='${bareOf(o)}'><pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='urn:test:cfg'>${form(fields)}</configure></pubsub></iq>`);
  const get = () => oc.iq((id) => `<iq type='get' id='${id}'><pubsub xmlns='${NS_PUBSUB_OWNER}'><configure node='urn:test:cfg'/></pubsub></iq>`);
  const before = (await get()).toString();
  for (const v of ['pubsub#access_model', 'pubsub#persist_items', 'pubsub#max_items', 'pubsub#send_last_published_item', 'pubsub#notify_retract']) assert.match(before, new RegExp(`var="${v}"`));
  assert.equal((await set(`<field var='pubsub#max_items'><value>5</value></field><field var='pubsub#notify_retract'><value>0</value></field><field var='pubsub#send_last_published_item'><value>never</value></field>`)).attrs.type, 'result');
  const after = (await get()).toString();
  assert.match(after, /var="pubsub#max_items"[^]*?<value>5<\/value>/);
  assert.match(after, /var="pubsub#send_last_published_item"[^]*?<value>never<\/value>/);
  const unknown = await set(`<field var='pubsub#max_items'><value>7</value></field><field var='pubsub#bogus'><value>1</value></field>`);
  assert.equal(errorCondition(unknown), 'not-acceptable', unknown.toString());
  assert.match((await get()).toString(), /var="pubsub#max_items"[^]*?<value>5<\/value>/);
  assert.equal(errorCondition(await set(`<field var='pubsub#max_items'><value>9</value></field>`, xc)), 'forbidden');
});

test('PEP-02: create and delete nodes, explicit subscribe/unsubscribe with the last item, subscriptions and affiliations, retract with notify, purge', async () => {
  const [o, c2] = await users('ops', 'opsc');
  await friends(o, c2);
  const oc = await connect(o, 'r');
  const cc = await connect(c2, 'r');
  await onlinePlain(cc);
  const owner = bareOf(o);
  const node = 'urn:test:ops';
  const ps = (type: string, body: string, c = oc, ns = NS_PUBSUB) => c.iq((id) => `<iq type='${type}' id='${id}' to='${owner}'><pubsub xmlns='${ns}'>${body}</pubsub></iq>`);
  const configure = `<configure><x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/pubsub#node_config</value></field>`
    + `<field var='pubsub#max_items'><value>10</value></field></x></configure>`;
  assert.equal((await ps('set', `<create node='${node}'/>${configure}`)).attrs.type, 'result');
  assert.equal(errorCondition(await ps('set', `<create node='${node}'/>`)), 'conflict');
  await publishOk(oc, node, `<item id='i1'><x xmlns='${node}'>one</x></item>`, { 'pubsub#max_items': '10' });
  // Explicit subscription (no +notify caps needed): confirmed, then the last item.
  const sub = await ps('set', `<subscribe node='${node}' jid='${cc.jid}'/>`, cc);
  assert.equal(sub.getChild('pubsub')!.getChild('subscription')!.attrs.subscription, 'subscribed', sub.toString());
  await cc.waitFor(isEvent(node, owner), 'the last item after subscribing');
  const subs = await ps('get', `<subscriptions/>`, cc);
  assert.equal(subs.getChild('pubsub')!.getChild('subscriptions')!.getChildren('subscription').length, 1, subs.toString());
  const ownerSubs = await ps('get', `<subscriptions node='${node}'/>`, oc, NS_PUBSUB_OWNER);
  assert.equal(ownerSubs.getChild('pubsub')!.getChild('subscriptions')!.getChildren('subscription')[0].attrs.jid, cc.jid);
  const affs = await ps('get', `<affiliations/>`);
  assert.ok(affs.getChild('pubsub')!.getChild('affiliations')!.getChildren('affiliation').some((a) => a.attrs.node === node && a.attrs.affiliation === 'owner'));
  await publishOk(oc, node, `<item id='i2'><x xmlns='${node}'>two</x></item>`);
  await cc.waitFor(isEvent(node), 'the second item');
  assert.equal((await ps('set', `<retract node='${node}' notify='true'><item id='i1'/></retract>`)).attrs.type, 'result');
  const retracted = await cc.waitFor(isEvent(node), 'the retraction');
  assert.equal(retracted.getChild('event')!.getChild('items')!.getChild('retract')!.attrs.id, 'i1');
  assert.deepEqual(itemIds(await getItems(oc, owner, node)), ['i2']);
  assert.equal(errorCondition(await ps('set', `<retract node='${node}'><item id='i1'/></retract>`)), 'item-not-found');
  assert.equal((await ps('set', `<purge node='${node}'/>`, oc, NS_PUBSUB_OWNER)).attrs.type, 'result');
  await cc.waitFor((e) => e.getChild('event')?.getChild('purge') !== undefined, 'the purge event');
  assert.deepEqual(itemIds(await getItems(oc, owner, node)), []);
  assert.equal((await ps('set', `<unsubscribe node='${node}' jid='${cc.jid}'/>`, cc)).attrs.type, 'result');
  assert.equal((await ps('set', `<delete node='${node}'/>`, oc, NS_PUBSUB_OWNER)).attrs.type, 'result');
  assert.equal(errorCondition(await getItems(oc, owner, node)), 'item-not-found');
  const got = await cc.untilMark(oc.mark(cc));
  assert.ok(!got.some((e) => e.getChild('event')?.getChild('delete')), 'an unsubscribed contact without +notify hears nothing of the deletion');
});

test('PEP-07: caps whose hash does not verify are ignored: no notifications, and the hash is not trusted for the next client either', async () => {
  const [o, c2] = await users('badcaps', 'badcapsc');
  await friends(o, c2);
  const oc = await connect(o, 'r');
  const cc = await connect(c2, 'r');
  await onlineWithCaps(cc, [NS_TUNE], { badHash: true });
  await publishOk(oc, NS_TUNE, `<item>${tune('Unverified')}</item>`);
  const got = await cc.untilMark(oc.mark(cc));
  assert.deepEqual(events(got, NS_TUNE), [], describe(got));
});

test('PEP bad input: an account may not have more than 1000 nodes; what it has stays', async () => {
  const [o] = await users('many');
  const oc = await connect(o, 'r');
  await publishOk(oc, 'urn:test:n:first', `<item id='x'><x xmlns='urn:test:n'>first</x></item>`);
  // Pipelined creates (the server answers in order).
  const ids: string[] = [];
  for (let i = 1; i < 1000; i++) {
    const id = nextId('mk');
    ids.push(id);
    oc.send(`<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><create node='urn:test:n:${i}'/></pubsub></iq>`);
  }
  for (const id of ids) {
    const r = await oc.waitFor((e) => e.name === 'iq' && e.attrs.id === id, `create ${id}`, 20000);
    assert.equal(r.attrs.type, 'result', r.toString());
  }
  const over = await oc.iq((id) => `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><create node='urn:test:n:over'/></pubsub></iq>`);
  assert.equal(errorCondition(over), 'not-allowed', over.toString());
  assert.equal(pubsubCondition(over), 'max-nodes-exceeded');
  const auto = await publish(oc, 'urn:test:n:auto', `<item><x xmlns='urn:test:n'/></item>`);
  assert.equal(pubsubCondition(auto), 'max-nodes-exceeded');
  assert.match((await getItems(oc, bareOf(o), 'urn:test:n:first')).toString(), /first/);
  // Still in service for the account's existing nodes.
  await publishOk(oc, 'urn:test:n:first', `<item id='y'><x xmlns='urn:test:n'>second</x></item>`);
  void DOMAIN;
});

test('PEP bad input: an account keeps at most 4 MiB of items; over it a publish is refused and what is stored stays; a retraction makes room again', async () => {
  const [o] = await users('quota');
  const oc = await connect(o, 'r');
  const big = 'b'.repeat(120 * 1024);
  await publishOk(oc, 'urn:test:q', `<item id='0'><x xmlns='urn:test:q'>${big}</x></item>`, { 'pubsub#max_items': 'max' });
  let refused: ReturnType<typeof errorCondition> = undefined;
  let stored = 1;
  for (let i = 1; i < 60 && refused === undefined; i++) {
    const r = await publish(oc, 'urn:test:q', `<item id='${i}'><x xmlns='urn:test:q'>${big}</x></item>`);
    if (r.attrs.type === 'error') refused = errorCondition(r);
    else stored++;
  }
  assert.equal(refused, 'not-acceptable');
  assert.ok(stored >= 30 && stored <= 35, `${stored} items of 120 KiB stored`);
  // All of them at once would pass the stanza size limit: the newest that fit come with an RSM count of all
  // (XEP-0060 §6.5.4), and every one of them is still there when asked for by id.
  const some = await getItems(oc, bareOf(o), 'urn:test:q');
  const shown = itemIds(some);
  assert.ok(shown.length > 0 && shown.length < stored, `${shown.length} of ${stored} items in one answer`);
  assert.equal(some.getChild('pubsub')?.getChild('set', 'http://jabber.org/protocol/rsm')?.getChildText('count'), String(stored));
  const all = new Set<string>();
  for (let i = 0; i < stored; i += 2) {
    const r = await getItems(oc, bareOf(o), 'urn:test:q', `<item id='${i}'/><item id='${i + 1}'/>`);
    for (const id of itemIds(r)) all.add(id);
  }
  assert.equal(all.size, stored, 'every stored item is still there');
  assert.equal((await oc.iq((id) => `<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><retract node='urn:test:q'><item id='0'/></retract></pubsub></iq>`)).attrs.type, 'result');
  await publishOk(oc, 'urn:test:q', `<item id='again'><x xmlns='urn:test:q'>${big}</x></item>`);
  const long = await publish(oc, 'x'.repeat(2000), `<item><x xmlns='urn:test:q'/></item>`);
  assert.equal(errorCondition(long), 'not-acceptable');
});

test('PEP-07: a verified hash is cached for every user: a second client advertising it is not asked and still gets +notify events', async () => {
  const [o, first, second] = await users('cache', 'cachea', 'cacheb');
  await friends(o, first);
  await friends(o, second);
  const oc = await connect(o, 'r');
  const fc = await connect(first, 'r');
  const sc = await connect(second, 'r');
  const features = await onlineWithCaps(fc, [NS_TUNE]);
  const { capsVer } = await import('../helpers/pep-client.js');
  const ver = capsVer(['client/pc//Test'], features);
  sc.presence('', `<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='urn:test:client' ver='${ver}'/>`);
  await publishOk(oc, NS_TUNE, `<item>${tune('Cached')}</item>`);
  await sc.waitFor(isEvent(NS_TUNE), 'the tune at the client with the cached hash');
  const got = await sc.untilPong();
  assert.ok(!got.some((e) => e.name === 'iq' && e.getChild('query', NS_DISCO_INFO)), describe(got));
});
