// XEP-0045 under bad input and departures: connections that vanish, unreachable occupants (MUC-25), nick rules
// (MUC-57), oversize subjects, room and occupant limits, join floods and join-leave storms that must not stall
// other rooms, privacy lists applied to what rooms send, and private-message rules (MUC-29).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { addUsers, imTestServer, type ImClient } from '../helpers/im-client.js';
import { DOMAIN } from '../helpers/server.js';
import type { Element } from '../helpers/raw-client.js';
import { roomStore } from '../../server/muc/room-store.js';
import { mucAdminOf } from '../../server/muc/muc-admin.js';
import { openOfflineAccounts } from '../../server/accounts/open-offline.js';
import { codes, createRoom, errorCondition, fromRoom, isGroupchat, item, join, joinRefused, joinXml, roomJid, say, SERVICE } from '../helpers/muc-client.js';


const im = imTestServer({
  limits: { presencePerSecond: 10_000, presenceBurst: 10_000, messagesPerSecond: 10_000, messageBurst: 10_000, iqPerSecond: 10_000, iqBurst: 10_000, maxConnectionsPerIp: 1000 },
  muc: { maxRoomsPerUser: 3, maxOccupants: 30 },
});

const room = (): string => im.unique('rob');

test('MUC-24 (RFC 6121 §4.6.3): an occupant whose connection vanishes leaves the room; the others see it go', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await a.waitFor(fromRoom(r, 'bob'), 'bob in');
  b.kill();
  const gone = await a.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'bob')(e), 'bob gone');
  assert.equal(item(gone).role, 'none');
});

test('MUC-25: an occupant the room cannot reach any more (its resource is gone) is removed with 333', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await a.waitFor(fromRoom(r, 'bob'), 'bob in');
  // b sends the room the error a server sends for a gone resource, for a message the room sent b.
  b.send(`<message type='error' to='${roomJid(r)}/alice' id='x1'><error type='cancel'><recipient-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`);
  const gone = await a.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'bob')(e), 'bob removed');
  assert.deepEqual(codes(gone), [333]);
  const self = await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'bob')(e), 'b told');
  assert.deepEqual(codes(self).sort(), [110, 333]);
});

/** Bounce a service-unavailable to the room, as a privacy list or a gone resource's server does; the room's check. */
async function serviceUnavailable(b: ImClient, r: string): Promise<Element> {
  b.send(`<message type='error' to='${roomJid(r)}/alice' id='su'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></message>`);
  const q = await b.waitFor((e) => e.name === 'iq' && e.attrs.type === 'get' && e.attrs.from === roomJid(r), 'the room\'s liveness check');
  assert.ok(q.getChild('query', 'http://jabber.org/protocol/disco#info'), q.toString());
  return q;
}

test('MUC-25: a service-unavailable (a privacy refusal, or a resource gone after its server restarted) makes the room ask the session; an answer keeps it in, an error removes it with 333', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await join(c, r, 'carol');
  await a.waitFor(fromRoom(r, 'carol'), 'carol in');
  // A live client answers: it stays, nobody sees it leave.
  const q1 = await serviceUnavailable(b, r);
  b.send(`<iq type='result' id='${String(q1.attrs.id)}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'><identity category='client' type='pc'/></query></iq>`);
  await b.untilPong();   // handled before this pong; anything it caused reached alice before hers
  assert.ok(!(await a.untilPong()).some((e) => e.name === 'presence' && e.attrs.type === 'unavailable'), 'bob removed though his client answered');
  // What answers for a resource that is gone is an error: removed as a ghost.
  const q2 = await serviceUnavailable(c, r);
  c.send(`<iq type='error' id='${String(q2.attrs.id)}' to='${roomJid(r)}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
  const gone = await a.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'carol')(e), 'carol removed');
  assert.deepEqual(codes(gone), [333]);
});

test('MUC-57: nicknames of only invisible or blank characters, and room names RFC 7622 refuses, are answered jid-malformed', async () => {
  const [a] = await im.people('a');
  const r = room();
  await createRoom(a, r, 'alice');
  const [b] = await im.people('b');
  for (const nick of ['\u200B', ' ', '\u00A0\u00A0']) {
    b.send(`<presence to='${roomJid(r)}/${nick}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    const e = await b.waitFor((x) => x.name === 'presence' && x.attrs.type === 'error', `refusal of ${JSON.stringify(nick)}`);
    assert.equal(errorCondition(e), 'jid-malformed', e.toString());
  }
  // Room names go through RFC 7622's localpart rules: one with a space or a quote is no address at all.
  for (const bad of ['two words', "o'clock", `${'x'.repeat(1024)}`]) {
    b.send(`<presence to='${bad.replace(/'/g, '&apos;')}@${SERVICE}/bob'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
    const e = await b.waitFor((x) => x.name === 'presence' && x.attrs.type === 'error', `refusal of room ${bad.slice(0, 20)}`);
    assert.equal(errorCondition(e), 'jid-malformed', e.toString());
  }
  // Nothing was created by them.
  const items = await b.iq((id) => `<iq type='get' id='${id}' to='${SERVICE}'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
  assert.ok(!/two words|o'clock|xxxx/.test(items.toString()), items.toString());
});

test('MUC-33, bad input: a subject past 1024 characters is refused with not-acceptable; the subject is unchanged', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  a.send(`<message type='groupchat' to='${roomJid(r)}' id='s1'><subject>Plans</subject></message>`);
  await a.waitFor((e) => e.getChildText('subject') === 'Plans', 'subject set');
  a.send(`<message type='groupchat' to='${roomJid(r)}' id='s2'><subject>${'x'.repeat(1025)}</subject></message>`);
  const err = await a.waitFor((e) => e.name === 'message' && e.attrs.type === 'error' && e.attrs.id === 's2', 'refusal');
  assert.equal(errorCondition(err), 'not-acceptable');
  const got = await join(b, r, 'bob');
  assert.equal(got[got.length - 1].getChildText('subject'), 'Plans');
});

test('MUC-33: a participant may not change the subject of a default room (forbidden)', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  b.send(`<message type='groupchat' to='${roomJid(r)}' id='s3'><subject>mine</subject></message>`);
  const err = await b.waitFor((e) => e.name === 'message' && e.attrs.type === 'error' && e.attrs.id === 's3', 'refusal');
  assert.equal(errorCondition(err), 'forbidden');
});

test('MUC-28: a non-occupant\'s groupchat message → not-acceptable; to a room that does not exist → item-not-found', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  say(b, r, 'hi', 'g1');
  const e1 = await b.waitFor((e) => e.name === 'message' && e.attrs.type === 'error' && e.attrs.id === 'g1', 'refusal');
  assert.equal(errorCondition(e1), 'not-acceptable');
  say(b, 'nosuchroom', 'hi', 'g2');
  const e2 = await b.waitFor((e) => e.name === 'message' && e.attrs.type === 'error' && e.attrs.id === 'g2', 'refusal');
  assert.equal(errorCondition(e2), 'item-not-found');
});

test('MUC-29: private messages go to the occupant\'s sessions from the sender\'s occupant JID with <x muc#user/>; groupchat type → bad-request; unknown nick → item-not-found; stranger → not-acceptable; allowpm none → forbidden', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  a.send(`<message type='chat' to='${roomJid(r)}/bob' id='p1'><body>psst</body></message>`);
  const pm = await b.waitFor((e) => e.name === 'message' && e.getChildText('body') === 'psst', 'the pm');
  assert.equal(pm.attrs.from, `${roomJid(r)}/alice`);
  assert.equal(pm.attrs.type, 'chat');
  assert.ok(pm.getChild('x', 'http://jabber.org/protocol/muc#user'));
  a.send(`<message type='groupchat' to='${roomJid(r)}/bob' id='p2'><body>x</body></message>`);
  assert.equal(errorCondition(await a.waitFor((e) => e.attrs.type === 'error' && e.attrs.id === 'p2', 'p2')), 'bad-request');
  a.send(`<message type='chat' to='${roomJid(r)}/nobody' id='p3'><body>x</body></message>`);
  assert.equal(errorCondition(await a.waitFor((e) => e.attrs.type === 'error' && e.attrs.id === 'p3', 'p3')), 'item-not-found');
  c.send(`<message type='chat' to='${roomJid(r)}/bob' id='p4'><body>x</body></message>`);
  assert.equal(errorCondition(await c.waitFor((e) => e.attrs.type === 'error' && e.attrs.id === 'p4', 'p4')), 'not-acceptable');
  const r2 = room();
  await createRoom(a, r2, 'alice', `<field var='muc#roomconfig_allowpm'><value>none</value></field>`);
  await join(b, r2, 'bob');
  b.send(`<message type='chat' to='${roomJid(r2)}/alice' id='p5'><body>x</body></message>`);
  assert.equal(errorCondition(await b.waitFor((e) => e.attrs.type === 'error' && e.attrs.id === 'p5', 'p5')), 'forbidden');
});

test('MUC-15: two clients of one user share a nick; room traffic reaches both; one leaving keeps the other in', async () => {
  const [o] = await im.people('other');
  const multi = im.unique('multi');
  await addUsers(im.t, multi);
  const m1 = await im.connect(multi, 'one');
  const m2 = await im.connect(multi, 'two');
  const r = room();
  await createRoom(o, r, 'owner');
  await join(m1, r, 'mm');
  await join(m2, r, 'mm');
  say(o, r, 'to both');
  await m1.waitFor(isGroupchat(r, 'to both'), 'm1 gets it');
  await m2.waitFor(isGroupchat(r, 'to both'), 'm2 gets it');
  m1.send(`<presence to='${roomJid(r)}/mm' type='unavailable'/>`);
  const self = await m1.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable', 'm1 out');
  assert.deepEqual(codes(self), [110]);
  say(o, r, 'still there');
  await m2.waitFor(isGroupchat(r, 'still there'), 'm2 still in');
  const seen = await o.untilPong();
  assert.ok(!seen.some((e) => e.name === 'presence' && e.attrs.type === 'unavailable'), 'the others saw no exit');
});

test('limits: rooms one user may create (maxRoomsPerUser) → not-allowed; occupants per room (maxOccupants) → service-unavailable', async () => {
  const [a] = await im.people('a');
  const lim = im.unique('lim');
  for (let i = 0; i < 3; i++) await createRoom(a, `${lim}x${i}`, 'alice');
  assert.equal(await joinRefused(a, `${lim}x3`, 'alice'), 'not-allowed');
  const r = room();
  const [owner] = await im.people('o');
  await createRoom(owner, r, 'owner');
  const f = im.unique('f');
  const names = Array.from({ length: 30 }, (_, i) => `${f}u${i}`);
  await addUsers(im.t, ...names);
  const clients = await Promise.all(names.map((u) => im.connect(u, 'r')));
  for (let i = 0; i < 29; i++) await join(clients[i], r, `n${i}`);
  assert.equal(await joinRefused(clients[29], r, 'n29'), 'service-unavailable');
});

test('bad input: a join flood and a join-leave storm in one room leave another room responsive', async () => {
  const [a, b] = await im.people('a', 'b');
  const busy = room();
  const calm = room();
  await createRoom(a, busy, 'alice');
  await createRoom(b, calm, 'bob');
  const storm = await im.people('s');
  const s = storm[0];
  // 500 joins and leaves in one burst, then a message in the calm room must still come back.
  let burst = '';
  for (let i = 0; i < 500; i++) burst += joinXml(busy, `n${i % 10}`) + `<presence to='${roomJid(busy)}/n${i % 10}' type='unavailable'/>`;
  s.send(burst);
  say(b, calm, 'still alive');
  await b.waitFor(isGroupchat(calm, 'still alive'), 'the calm room answers');
  // The storm leaves nobody behind: the busy room has only its owner.
  await s.untilPong();
  const info = await a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(busy)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const occ = info.toString().match(/muc#roominfo_occupants"[^>]*><value>(\d+)</);
  assert.equal(occ?.[1], '1', info.toString());
});

test('IM-44 for rooms: a privacy list that blocks the room keeps its messages out; the room drops nothing else', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  // b blocks the room (XEP-0191): groupchat copies to b are dropped by b's inbound privacy rules.
  const blocked = await b.iq((id) => `<iq type='set' id='${id}'><block xmlns='urn:xmpp:blocking'><item jid='${roomJid(r)}'/></block></iq>`);
  assert.equal(blocked.attrs.type, 'result');
  say(a, r, 'can you hear me');
  await a.waitFor(isGroupchat(r, 'can you hear me'), 'own echo');
  const seen = await b.untilPong();
  assert.ok(!seen.some((e) => e.name === 'message' && e.attrs.type === 'groupchat'), seen.map((e) => e.toString()).join('\n'));
});

test('DISCO-11c: the server lists the service; the service answers conference/text with its features', async () => {
  const [a] = await im.people('a');
  const items = await a.iq((id) => `<iq type='get' id='${id}' to='test.local'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
  assert.ok(items.getChild('query')!.getChildren('item').some((i) => i.attrs.jid === SERVICE), items.toString());
  const info = await a.iq((id) => `<iq type='get' id='${id}' to='${SERVICE}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const q = info.getChild('query')!;
  assert.ok(q.getChildren('identity').some((i) => i.attrs.category === 'conference' && i.attrs.type === 'text'));
  const f = new Set(q.getChildren('feature').map((x) => String(x.attrs.var)));
  for (const v of ['http://jabber.org/protocol/muc', 'http://jabber.org/protocol/muc#stable_id', 'http://jabber.org/protocol/disco#info', 'http://jabber.org/protocol/disco#items']) assert.ok(f.has(v), v);
});

test('IM-44, MUC-29: blocking one occupant JID keeps that occupant\'s private and groupchat messages out, and no one else\'s', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await join(c, r, 'carol');
  const blocked = await c.iq((id) => `<iq type='set' id='${id}'><block xmlns='urn:xmpp:blocking'><item jid='${roomJid(r)}/bob'/></block></iq>`);
  assert.equal(blocked.attrs.type, 'result');
  b.send(`<message type='chat' to='${roomJid(r)}/carol' id='pm1'><body>pm from bob</body></message>`);
  say(b, r, 'bob speaks');
  await b.waitFor(isGroupchat(r, 'bob speaks'), 'own echo');
  // carol's server refused bob's copy with service-unavailable: the room asks carol's client, which answers.
  const check = await c.waitFor((e) => e.name === 'iq' && e.attrs.type === 'get' && e.attrs.from === roomJid(r), 'the room\'s liveness check');
  c.send(`<iq type='result' id='${String(check.attrs.id)}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  say(a, r, 'alice speaks');
  await c.waitFor(isGroupchat(r, 'alice speaks'), 'alice still heard');
  const seen = await c.untilPong();
  assert.ok(!seen.some((e) => e.getChildText('body') === 'pm from bob' || e.getChildText('body') === 'bob speaks'), seen.map((e) => e.toString()).join('\n'));
  assert.ok(!seen.some((e) => e.name === 'presence' && e.attrs.type === 'unavailable'), 'carol was thrown out for blocking bob');
});

test('account removal: the account loses its affiliations in every room, live and stored, with the server running and with none (offline CLI path)', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', `<field var='muc#roomconfig_roomadmins'><value>${b.bare}</value></field>`);
  const store = im.t.server.storage!.get(roomStore);
  assert.equal((await store.get(r))!.affiliations.find((x) => x.jid === b.bare)?.affiliation, 'admin');
  await im.t.server.accounts!.remove(b.user);
  assert.equal((await store.get(r))!.affiliations.find((x) => x.jid === b.bare), undefined, 'still stored');
  const form = await a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/muc#owner'/></iq>`);
  const admins = form.getChild('query')!.getChild('x', 'jabber:x:data')!.getChildren('field').find((f) => f.attrs.var === 'muc#roomconfig_roomadmins')!;
  assert.deepEqual(admins.getChildren('value').map((v) => v.getText()), []);
  // With no server running: the stores the CLI opens drop it too.
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-muc-offline-'));
  const opened = await openOfflineAccounts(dir, { domain: DOMAIN, scramIterations: 4096 });
  try {
    await opened.accounts.create('carol', 'a-long-password-1');
    const offline = await opened.storage.open(roomStore);
    await offline.put({ _id: 'kept', config: {}, affiliations: [{ jid: `carol@${DOMAIN}`, affiliation: 'member' }, { jid: 'dan@elsewhere.example', affiliation: 'member' }], subject: null, createdAt: 1 });
    await opened.accounts.remove('carol');
    assert.deepEqual((await offline.get('kept'))!.affiliations.map((x) => x.jid), ['dan@elsewhere.example']);
  } finally {
    await opened.storage.close();
  }
});

test('console: lowering the service\'s limits live leaves rooms configurable (their values are brought under the limits); the rooms watcher hears joins, leaves and configuration', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', `<field var='muc#maxhistoryfetch'><value>40</value></field><field var='muc#roomconfig_maxusers'><value>30</value></field>`);
  const api = mucAdminOf(im.t.server.context_.router)!;
  const heard: string[] = [];
  const off = api.watch!((jid) => heard.push(jid));
  const muc = im.t.server.config.muc;
  const saved = { historyLength: muc.historyLength, maxOccupants: muc.maxOccupants };
  try {
    muc.historyLength = 10;
    muc.maxOccupants = 20;
    const d = await api.configureRoom(r, { moderated: true });
    assert.equal(d.config.moderated, true);
    assert.equal(d.config.maxHistoryFetch, 10);
    assert.equal(d.config.maxUsers, 20);
    await assert.rejects(api.configureRoom(r, { maxHistoryFetch: 11 }), /from 0 to 10/);
    assert.ok(heard.includes(roomJid(r)), 'configuration not reported');
    heard.length = 0;
    await join(b, r, 'bob');
    assert.ok(heard.includes(roomJid(r)), 'join not reported');
  } finally {
    off();
    muc.historyLength = saved.historyLength;
    muc.maxOccupants = saved.maxOccupants;
  }
});
