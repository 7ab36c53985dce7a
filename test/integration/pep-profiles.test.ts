// Profiles and bookmarks on PEP over real sockets: XEP-0084 avatars and XEP-0398 conversion with the vCard both
// ways, the XEP-0153 hash in presence, XEP-0172 nicknames, XEP-0402 bookmarks in sync with XEP-0048 private storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { addUsers, bareOf, describe, imTestServer, isPresence } from '../helpers/im-client.js';
import {
  NS_DISCO_INFO, NS_PUBSUB, errorCondition, events, getItems, isEvent, itemIds, onlinePlain, onlineWithCaps, publishOk,
} from '../helpers/pep-client.js';

const im = imTestServer();
const { connect, friends } = im;

const NS_DATA = 'urn:xmpp:avatar:data';
const NS_META = 'urn:xmpp:avatar:metadata';
const NS_NICK = 'http://jabber.org/protocol/nick';
const NS_BM = 'urn:xmpp:bookmarks:1';
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5d3a2f80000000049454e44ae426082', 'hex');
const PNG2 = Buffer.concat([PNG, Buffer.from('extra bytes, another image')]);
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest('hex');


let n = 0;
async function users(...names: string[]): Promise<string[]> {
  const k = ++n;
  const out = names.map((x) => `${x}${k}`);
  await addUsers(im.t, ...out);
  return out;
}

const photoHash = (p: { getChild(n: string, ns?: string): { getChildText(n: string): string | null } | undefined }) => p.getChild('x', 'vcard-temp:x:update')?.getChildText('photo');

test('VCARD-07, VCARD-08: an avatar published with XEP-0084 (open) becomes the vCard PHOTO and its hash is in the presence contacts see', async () => {
  const [a, b] = await users('av', 'avb');
  await friends(a, b);
  const ac = await connect(a, 'r');
  const bc = await connect(b, 'r');
  await onlinePlain(bc);
  await onlinePlain(ac);
  const first = await bc.waitFor(isPresence(undefined, ac.jid), 'a\'s initial presence');
  assert.equal(photoHash(first), '', `no avatar yet: an empty <photo/> (XEP-0153) ${first.toString()}`);
  const id = sha1(PNG);
  await publishOk(ac, NS_DATA, `<item id='${id}'><data xmlns='${NS_DATA}'>${PNG.toString('base64')}</data></item>`, { 'pubsub#access_model': 'open' });
  await publishOk(ac, NS_META, `<item id='${id}'><metadata xmlns='${NS_META}'><info id='${id}' bytes='${PNG.length}' type='image/png' height='1' width='1'/></metadata></item>`, { 'pubsub#access_model': 'open' });
  // The changed avatar goes out in a new presence (rebroadcast by the server).
  const updated = await bc.waitFor((e) => isPresence(undefined, ac.jid)(e) && photoHash(e) === id, 'a presence with the new photo hash');
  assert.equal(updated.getChildren('x').filter((x) => x.getNS() === 'vcard-temp:x:update').length, 1);
  // Through vCard, as a XEP-0153 client reads it.
  const v = await bc.iq((i) => `<iq type='get' id='${i}' to='${bareOf(a)}'><vCard xmlns='vcard-temp'/></iq>`);
  assert.equal(v.getChild('vCard')!.getChild('PHOTO')!.getChildText('BINVAL'), PNG.toString('base64'), v.toString());
  assert.equal(v.getChild('vCard')!.getChild('PHOTO')!.getChildText('TYPE'), 'image/png');
  // A later presence from the client, with a stale hash of its own, carries the server's (XEP-0398 §4).
  ac.presence('', `<show>away</show><x xmlns='vcard-temp:x:update'><photo>0000</photo></x>`);
  const away = await bc.waitFor((e) => isPresence(undefined, ac.jid)(e) && e.getChildText('show') === 'away', 'the away presence');
  assert.equal(photoHash(away), id, away.toString());
  // An explicitly empty <photo/> is the client's to send and is left alone (XEP-0398 §4).
  ac.presence('', `<show>xa</show><x xmlns='vcard-temp:x:update'><photo/></x>`);
  const xa = await bc.waitFor((e) => isPresence(undefined, ac.jid)(e) && e.getChildText('show') === 'xa', 'the xa presence');
  assert.equal(photoHash(xa), '', xa.toString());
});

test('VCARD-07: metadata whose info points elsewhere (url) or whose data does not hash to its id is not copied into the vCard', async () => {
  const [a] = await users('bad');
  const ac = await connect(a, 'r');
  const id = sha1(PNG);
  const wrong = sha1(PNG2);
  await publishOk(ac, NS_DATA, `<item id='${wrong}'><data xmlns='${NS_DATA}'>${PNG.toString('base64')}</data></item>`, { 'pubsub#access_model': 'open' });
  await publishOk(ac, NS_META, `<item id='${wrong}'><metadata xmlns='${NS_META}'><info id='${id}' bytes='1' type='image/png' url='https://example.org/a.png'/>`
    + `<info id='${wrong}' bytes='${PNG.length}' type='image/png'/></metadata></item>`, { 'pubsub#access_model': 'open' });
  const v = await ac.iq((i) => `<iq type='get' id='${i}'><vCard xmlns='vcard-temp'/></iq>`);
  assert.equal(v.getChild('vCard')!.getChild('PHOTO'), undefined, v.toString());
});

test('VCARD-07: a vCard PHOTO is published as an XEP-0084 avatar (item id = SHA-1), notified to +notify contacts, and its hash goes into presence', async () => {
  const [a, b] = await users('vc', 'vcb');
  await friends(a, b);
  const ac = await connect(a, 'r');
  const bc = await connect(b, 'r');
  await onlineWithCaps(bc, [NS_META]);
  await onlinePlain(ac);
  const id = sha1(PNG2);
  const set = await ac.iq((i) => `<iq type='set' id='${i}'><vCard xmlns='vcard-temp'><FN>A</FN><PHOTO><TYPE>image/png</TYPE><BINVAL>${PNG2.toString('base64')}</BINVAL></PHOTO></vCard></iq>`);
  assert.equal(set.attrs.type, 'result', set.toString());
  const meta = await bc.waitFor(isEvent(NS_META, bareOf(a)), 'the metadata event');
  const info = meta.getChild('event')!.getChild('items')!.getChild('item')!.getChild('metadata', NS_META)!.getChild('info')!;
  assert.equal(info.attrs.id, id);
  assert.equal(info.attrs.bytes, String(PNG2.length));
  const data = await bc.iq((i) => `<iq type='get' id='${i}' to='${bareOf(a)}'><pubsub xmlns='${NS_PUBSUB}'><items node='${NS_DATA}'><item id='${id}'/></items></pubsub></iq>`);
  assert.equal(data.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChildText('data'), PNG2.toString('base64'), data.toString());
  const p = await bc.waitFor((e) => isPresence(undefined, ac.jid)(e) && photoHash(e) === id, 'presence with the vCard photo hash');
  assert.ok(p);
  // The vCard itself is stored as set.
  const v = await ac.iq((i) => `<iq type='get' id='${i}'><vCard xmlns='vcard-temp'/></iq>`);
  assert.equal(v.getChild('vCard')!.getChildText('FN'), 'A');
});

test('VCARD-09: an avatar whose data node is not open is not copied into the vCard', async () => {
  const [a] = await users('priv');
  const ac = await connect(a, 'r');
  const id = sha1(PNG);
  await publishOk(ac, NS_DATA, `<item id='${id}'><data xmlns='${NS_DATA}'>${PNG.toString('base64')}</data></item>`);
  await publishOk(ac, NS_META, `<item id='${id}'><metadata xmlns='${NS_META}'><info id='${id}' bytes='${PNG.length}' type='image/png'/></metadata></item>`);
  const v = await ac.iq((i) => `<iq type='get' id='${i}'><vCard xmlns='vcard-temp'/></iq>`);
  assert.equal(v.getChild('vCard')!.getChild('PHOTO'), undefined, v.toString());
});

test('VCARD-07, MOD-51: the account advertises urn:xmpp:pep-vcard-conversion:0 and urn:xmpp:bookmarks:1#compat', async () => {
  const [a] = await users('feat');
  const ac = await connect(a, 'r');
  const r = await ac.iq((i) => `<iq type='get' id='${i}' to='${bareOf(a)}'><query xmlns='${NS_DISCO_INFO}'/></iq>`);
  const f = r.getChild('query')!.getChildren('feature').map((x) => String(x.attrs.var));
  assert.ok(f.includes('urn:xmpp:pep-vcard-conversion:0'), f.join(' '));
  assert.ok(f.includes('urn:xmpp:bookmarks:1#compat'), f.join(' '));
});

test('XEP-0172: a nickname published on PEP reaches a +notify contact', async () => {
  const [a, b] = await users('nick', 'nickb');
  await friends(a, b);
  const ac = await connect(a, 'r');
  const bc = await connect(b, 'r');
  await onlineWithCaps(bc, [NS_NICK]);
  await publishOk(ac, NS_NICK, `<item><nick xmlns='${NS_NICK}'>Ally</nick></item>`);
  const ev = await bc.waitFor(isEvent(NS_NICK, bareOf(a)), 'the nickname');
  assert.match(ev.toString(), /Ally/);
});

test('MOD-50: a XEP-0402 bookmark published with publish-options reaches only the owner\'s own +notify resources; items are keyed by room JID', async () => {
  const [a, b] = await users('bm', 'bmb');
  await friends(a, b);
  const ac = await connect(a, 'one');
  const a2 = await connect(a, 'two');
  const bc = await connect(b, 'r');
  await onlineWithCaps(a2, [NS_BM]);
  await onlineWithCaps(bc, [NS_BM]);
  const opts = { 'pubsub#persist_items': 'true', 'pubsub#max_items': 'max', 'pubsub#send_last_published_item': 'never', 'pubsub#access_model': 'whitelist' };
  await publishOk(ac, NS_BM, `<item id='room@conference.test.local'><conference xmlns='${NS_BM}' name='The Room' autojoin='true'><nick>al</nick></conference></item>`, opts);
  await publishOk(ac, NS_BM, `<item id='other@conference.test.local'><conference xmlns='${NS_BM}' name='Other'/></item>`, opts);
  await a2.waitFor(isEvent(NS_BM, bareOf(a)), 'the bookmark at the other resource');
  const got = await bc.untilMark(ac.mark(bc));
  assert.deepEqual(events(got, NS_BM), [], describe(got));
  assert.deepEqual(itemIds(await getItems(ac, bareOf(a), NS_BM)), ['room@conference.test.local', 'other@conference.test.local']);
  assert.equal(errorCondition(await getItems(bc, bareOf(a), NS_BM)), 'not-allowed');
  // Retract with notify (delete-items).
  const r = await ac.iq((i) => `<iq type='set' id='${i}'><pubsub xmlns='${NS_PUBSUB}'><retract node='${NS_BM}' notify='true'><item id='other@conference.test.local'/></retract></pubsub></iq>`);
  assert.equal(r.attrs.type, 'result');
  await a2.waitFor((e) => isEvent(NS_BM)(e) && e.toString().includes('retract'), 'the retraction');
});

test('MOD-51, MOD-49: bookmarks stored through XEP-0048 private storage appear as XEP-0402 items, and XEP-0402 changes appear in private storage', async () => {
  const [a] = await users('sync');
  const legacy = await connect(a, 'legacy');
  const modern = await connect(a, 'modern');
  await onlineWithCaps(modern, [NS_BM]);
  const set = await legacy.iq((i) => `<iq type='set' id='${i}'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'>`
    + `<conference jid='legacy@conference.test.local' name='Legacy Room' autojoin='true'><nick>old</nick></conference><url name='Site' url='https://example.org/'/></storage></query></iq>`);
  assert.equal(set.attrs.type, 'result', set.toString());
  const ev = await modern.waitFor(isEvent(NS_BM, bareOf(a)), 'the bookmark from the legacy client');
  const conf = ev.getChild('event')!.getChild('items')!.getChild('item')!;
  assert.equal(conf.attrs.id, 'legacy@conference.test.local');
  assert.equal(conf.getChild('conference', NS_BM)!.attrs.name, 'Legacy Room');
  assert.equal(conf.getChild('conference', NS_BM)!.attrs.autojoin, 'true');
  assert.equal(conf.getChild('conference', NS_BM)!.getChildText('nick'), 'old');
  // The modern client adds one; the legacy client reads both (and its <url/> is still there).
  await publishOk(modern, NS_BM, `<item id='new@conference.test.local'><conference xmlns='${NS_BM}' name='New Room'><nick>nu</nick></conference></item>`);
  const get = async () => (await legacy.iq((i) => `<iq type='get' id='${i}'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'/></query></iq>`)).getChild('query')!.getChild('storage', 'storage:bookmarks')!;
  const st = await get();
  assert.deepEqual(st.getChildren('conference').map((c) => String(c.attrs.jid)).sort(), ['legacy@conference.test.local', 'new@conference.test.local']);
  assert.equal(st.getChildren('conference').find((c) => c.attrs.jid === 'new@conference.test.local')!.getChildText('nick'), 'nu');
  assert.equal(st.getChildren('url').length, 1, st.toString());
  // The legacy client removes the first: the PEP item is retracted (and notified).
  await legacy.iq((i) => `<iq type='set' id='${i}'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'>`
    + `<conference jid='new@conference.test.local' name='New Room' autojoin='false'><nick>nu</nick></conference></storage></query></iq>`);
  await modern.waitFor((e) => isEvent(NS_BM)(e) && e.toString().includes('retract'), 'the retraction of the removed bookmark');
  assert.deepEqual(itemIds(await getItems(modern, bareOf(a), NS_BM)), ['new@conference.test.local']);
  // Another account's private storage stays closed (MOD-49).
  const [other] = await users('syncx');
  const oc = await connect(other, 'r');
  const foreign = await oc.iq((i) => `<iq type='get' id='${i}' to='${bareOf(a)}'><query xmlns='jabber:iq:private'><storage xmlns='storage:bookmarks'/></query></iq>`);
  assert.equal(errorCondition(foreign), 'forbidden');
});
