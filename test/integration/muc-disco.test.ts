// XEP-0045 discovery and the smaller rules over real sockets: the service's rooms (hidden ones left out, RSM
// paging), a room's features and roominfo form by configuration, its empty occupant list, queries to occupants,
// re-join resync, forged muc#user data, self-ping (XEP-0410), occupant-ids (XEP-0421).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imTestServer, type ImClient } from '../helpers/im-client.js';
import { codes, configField, createRoom, errorCondition, fromRoom, isSubject, item, join, joinXml, roomJid, SERVICE } from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, iqPerSecond: 1000, iqBurst: 1000 } });
const DISCO_INFO = 'http://jabber.org/protocol/disco#info';
const DISCO_ITEMS = 'http://jabber.org/protocol/disco#items';

const room = (): string => im.unique('d');

async function info(c: ImClient, to: string, node?: string): Promise<Element> {
  const nodeAttr = node ? ` node='${node}'` : '';
  return c.iq((id) => `<iq type='get' id='${id}' to='${to}'><query xmlns='${DISCO_INFO}'${nodeAttr}/></iq>`);
}

function features(r: Element): Set<string> {
  return new Set(r.getChild('query')!.getChildren('feature').map((f) => String(f.attrs.var)));
}

function formValue(r: Element, v: string): string | undefined {
  const x = r.getChild('query')!.getChild('x', 'jabber:x:data');
  return x?.getChildren('field').find((f) => f.attrs.var === v)?.getChildText('value') ?? undefined;
}

test('MUC-01, MUC-02: the service lists public rooms with their names, not hidden or locked ones; large lists page with RSM', async () => {
  const [a] = await im.people('a');
  const pub = room();
  const hidden = room();
  const locked = room();
  await createRoom(a, pub, 'alice', configField('roomname', 'The Public Room'));
  await createRoom(a, hidden, 'alice', configField('publicroom', '0'));
  await join(a, locked, 'alice');   // never configured: locked
  const items = await a.iq((id) => `<iq type='get' id='${id}' to='${SERVICE}'><query xmlns='${DISCO_ITEMS}'/></iq>`);
  const listed = items.getChild('query')!.getChildren('item');
  assert.ok(listed.some((i) => i.attrs.jid === roomJid(pub) && i.attrs.name === 'The Public Room'), items.toString());
  assert.ok(!listed.some((i) => i.attrs.jid === roomJid(hidden)), 'hidden room listed');
  assert.ok(!listed.some((i) => i.attrs.jid === roomJid(locked)), 'locked room listed');
  const page = await a.iq((id) => `<iq type='get' id='${id}' to='${SERVICE}'><query xmlns='${DISCO_ITEMS}'><set xmlns='http://jabber.org/protocol/rsm'><max>1</max></set></query></iq>`);
  const q = page.getChild('query')!;
  assert.equal(q.getChildren('item').length, 1);
  const set = q.getChild('set', 'http://jabber.org/protocol/rsm')!;
  assert.equal(set.getChildText('count'), String(listed.length));
  const next = await a.iq((id) => `<iq type='get' id='${id}' to='${SERVICE}'><query xmlns='${DISCO_ITEMS}'><set xmlns='http://jabber.org/protocol/rsm'><max>1</max><after>${set.getChildText('last')}</after></set></query></iq>`);
  const second = next.getChild('query')!.getChildren('item');
  if (listed.length > 1) assert.notEqual(second[0]?.attrs.jid, q.getChildren('item')[0].attrs.jid);
});

test('MUC-03: a room\'s disco#info: conference/text with its name, one feature of each pair by configuration, the roominfo form', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', configField('roomname', 'Team') + configField('roomdesc', 'Our team') + configField('whois', 'anyone')
    + configField('membersonly', '1') + configField('moderatedroom', '1') + configField('passwordprotectedroom', '1') + configField('roomsecret', 'pw')
    + configField('persistentroom', '0') + configField('publicroom', '0'));
  const res = await info(b, roomJid(r));
  const id = res.getChild('query')!.getChild('identity')!;
  assert.deepEqual([id.attrs.category, id.attrs.type, id.attrs.name], ['conference', 'text', 'Team']);
  const f = features(res);
  for (const v of ['http://jabber.org/protocol/muc', 'http://jabber.org/protocol/muc#stable_id', 'http://jabber.org/protocol/muc#self-ping-optimization',
    'muc_hidden', 'muc_temporary', 'muc_membersonly', 'muc_moderated', 'muc_nonanonymous', 'muc_passwordprotected', 'urn:xmpp:occupant-id:0', 'urn:xmpp:sid:0']) {
    assert.ok(f.has(v), `missing ${v}`);
  }
  for (const v of ['muc_public', 'muc_persistent', 'muc_open', 'muc_unmoderated', 'muc_semianonymous', 'muc_unsecured']) assert.ok(!f.has(v), `unexpected ${v}`);
  assert.equal(formValue(res, 'FORM_TYPE'), 'http://jabber.org/protocol/muc#roominfo');
  assert.equal(formValue(res, 'muc#roominfo_description'), 'Our team');
  assert.equal(formValue(res, 'muc#roominfo_occupants'), '1');
  const other = room();
  await createRoom(a, other, 'alice');
  const f2 = features(await info(b, roomJid(other)));
  for (const v of ['muc_public', 'muc_persistent', 'muc_open', 'muc_unmoderated', 'muc_semianonymous', 'muc_unsecured']) assert.ok(f2.has(v), `missing ${v}`);
});

test('MUC-04, MUC-05, MUC-06: a room\'s disco#items is empty; a stranger\'s disco to an occupant → bad-request; an occupant\'s is passed on; no reserved nick → empty query', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const items = await a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='${DISCO_ITEMS}'/></iq>`);
  assert.equal(items.attrs.type, 'result');
  assert.equal(items.getChild('query')!.getChildren('item').length, 0);
  const stranger = await info(c, `${roomJid(r)}/bob`);
  assert.equal(errorCondition(stranger), 'bad-request');
  const passed = info(a, `${roomJid(r)}/bob`);
  // bob's client (a raw test client) answers nothing by itself: the query reached it from alice's occupant JID.
  const q = await b.waitFor((e) => e.name === 'iq' && e.attrs.type === 'get', 'the query at bob');
  assert.equal(q.attrs.from, `${roomJid(r)}/alice`);
  b.send(`<iq type='result' id='${String(q.attrs.id)}' to='${String(q.attrs.from)}'><query xmlns='${DISCO_INFO}'><identity category='client' type='pc'/></query></iq>`);
  const answer = await passed;
  assert.equal(answer.attrs.from, `${roomJid(r)}/bob`);
  assert.equal(answer.getChild('query')!.getChild('identity')!.attrs.category, 'client');
  const nick = await info(c, roomJid(r), 'x-roomuser-item');
  assert.equal(nick.attrs.type, 'result');
  assert.equal(nick.getChild('query')!.getChildren('identity').length, 0);
});

test('MUC-05: an occupant\'s iq to another occupant is answered back through the room from the occupant JID', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const asked = a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}/bob'><query xmlns='jabber:iq:version'/></iq>`);
  const q = await b.waitFor((e) => e.name === 'iq' && e.attrs.type === 'get', 'the query at bob');
  assert.equal(q.attrs.from, `${roomJid(r)}/alice`);
  b.send(`<iq type='result' id='${String(q.attrs.id)}' to='${String(q.attrs.from)}'><query xmlns='jabber:iq:version'><name>TestClient</name></query></iq>`);
  const res = await asked;
  assert.equal(res.attrs.type, 'result');
  assert.equal(res.attrs.from, `${roomJid(r)}/bob`);
  assert.equal(res.getChild('query')!.getChildText('name'), 'TestClient');
});

test('MUC-18: a second join from the same full JID resends everything a fresh join gets', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await a.waitFor(fromRoom(r, 'bob'), 'bob in');
  b.send(joinXml(r, 'bob'));
  const again = await b.until(isSubject(r), 'the subject again');
  const presences = again.before.filter((e) => e.name === 'presence');
  assert.deepEqual(presences.map((e) => String(e.attrs.from).split('/')[1]), ['alice', 'bob']);
  assert.deepEqual(codes(presences[1]), [110]);
  // The others were not told anything: bob did not leave or come back.
  const seen = await a.untilPong();
  assert.ok(!seen.some((e) => e.name === 'presence' && fromRoom(r, 'bob')(e)), seen.map((e) => e.toString()).join('\n'));
});

test('MUC-26: muc#user data an occupant puts in its presence is never reflected; the service writes its own item', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  b.send(joinXml(r, 'bob', { extra: `<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator'/><status code='201'/></x><occupant-id xmlns='urn:xmpp:occupant-id:0' id='forged'/>` }));
  const seen = await a.waitFor(fromRoom(r, 'bob'), 'bob at alice');
  const xs = seen.getChildren('x', 'http://jabber.org/protocol/muc#user');
  assert.equal(xs.length, 1);
  assert.deepEqual([item(seen).affiliation, item(seen).role], ['none', 'participant']);
  assert.deepEqual(codes(seen), []);
  const ids = seen.getChildren('occupant-id', 'urn:xmpp:occupant-id:0');
  assert.equal(ids.length, 1);
  assert.notEqual(ids[0].attrs.id, 'forged');
});

test('MUC-35: self-ping (XEP-0410) is answered by the room: result when joined, not-acceptable when not', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  const ok = await a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}/alice'><ping xmlns='urn:xmpp:ping'/></iq>`);
  assert.equal(ok.attrs.type, 'result');
  assert.equal(ok.attrs.from, `${roomJid(r)}/alice`);
  const no = await b.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}/bob'><ping xmlns='urn:xmpp:ping'/></iq>`);
  assert.equal(errorCondition(no), 'not-acceptable');
});

test('MUC-59: occupant-ids are the same in presence and messages, stable across re-joins, different per user', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  const mine = await createRoom(a, r, 'alice');
  const aliceId = mine.find((e) => fromRoom(r, 'alice')(e))!.getChild('occupant-id', 'urn:xmpp:occupant-id:0')!.attrs.id;
  await join(b, r, 'bob');
  const p1 = await a.waitFor(fromRoom(r, 'bob'), 'bob in');
  const id1 = p1.getChild('occupant-id', 'urn:xmpp:occupant-id:0')!.attrs.id;
  b.send(`<message type='groupchat' to='${roomJid(r)}' id='m1'><body>hi</body></message>`);
  const m = await a.waitFor((e) => e.name === 'message' && e.getChildText('body') === 'hi', 'the message');
  assert.equal(m.getChild('occupant-id', 'urn:xmpp:occupant-id:0')!.attrs.id, id1);
  b.send(`<presence to='${roomJid(r)}/bob' type='unavailable'/>`);
  await a.waitFor((e) => fromRoom(r, 'bob')(e) && e.attrs.type === 'unavailable', 'bob out');
  await join(b, r, 'robert');
  const p2 = await a.waitFor(fromRoom(r, 'robert'), 'bob back as robert');
  assert.equal(p2.getChild('occupant-id', 'urn:xmpp:occupant-id:0')!.attrs.id, id1);
  assert.notEqual(aliceId, id1, 'two users share an occupant-id');
});

test('MUC-09, MUC-11: in a non-anonymous, logged room everyone sees real JIDs and gets 100, 110 and 170 on joining', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice', configField('whois', 'anyone') + configField('enablelogging', '1'));
  await join(b, r, 'bob');
  const got = await join(c, r, 'carol');
  const bob = got.find((e) => fromRoom(r, 'bob')(e))!;
  assert.equal(item(bob).jid, b.jid);
  const self = got.find((e) => fromRoom(r, 'carol')(e))!;
  assert.deepEqual(codes(self).sort(), [100, 110, 170]);
});
