// XEP-0045 entering, talking and leaving over real sockets: the exact order of a join (MUC-08), self-presence and
// its status codes, refusals with their conditions, history limits, the subject, nick changes and exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imTestServer } from '../helpers/im-client.js';
import { codes, createRoom, fromRoom, isGroupchat, isSubject, item, join, joinRefused, joinXml, roomJid, say, configField, errorCondition } from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000 } });

const room = (): string => im.unique('room');

test('MUC-47, MUC-11, MUC-48, MUC-21: joining a new room creates it locked with 201+110, owner/moderator; an instant room opens it; the join ends with an empty subject', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  const got = await join(a, r, 'alice');
  const self = got.find((e) => e.name === 'presence' && e.attrs.from === `${roomJid(r)}/alice`)!;
  assert.deepEqual(codes(self).sort(), [110, 201]);
  assert.equal(item(self).affiliation, 'owner');
  assert.equal(item(self).role, 'moderator');
  assert.equal(item(self).jid, a.jid);
  const subject = got[got.length - 1];
  assert.equal(subject.getChildText('subject'), '');
  // Locked: others are refused (MUC-17) until the owner asks for an instant room.
  assert.equal(await joinRefused(b, r, 'bob'), 'item-not-found');
  const res = await a.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>`);
  assert.equal(res.attrs.type, 'result', res.toString());
  const bj = await join(b, r, 'bob');
  assert.ok(bj.length >= 3);
});

test('MUC-08, MUC-09, MUC-10: join order is other occupants, self-presence (110, last), history, subject; the others see the newcomer; semi-anonymous hides real JIDs from participants', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await a.waitFor((e) => e.name === 'presence' && e.attrs.from === `${roomJid(r)}/bob`, 'bob joining');
  say(a, r, 'first');
  await a.waitFor(isGroupchat(r, 'first'), 'own echo');
  say(b, r, 'second');
  await b.waitFor(isGroupchat(r, 'second'), 'own echo');
  const got = await join(c, r, 'carol');
  const kinds = got.map((e) => `${e.name}:${String(e.attrs.from).split('/')[1] ?? ''}${e.getChild('delay') ? ':delay' : ''}${isSubject(r)(e) ? ':subject' : ''}`);
  assert.deepEqual(kinds, ['presence:alice', 'presence:bob', 'presence:carol', 'message:alice:delay', 'message:bob:delay', 'message::subject']);
  // Participants in a semi-anonymous room do not see real JIDs; their own self-presence does carry theirs.
  assert.equal(item(got[0]).jid, undefined);
  assert.equal(item(got[0]).affiliation, 'owner');
  assert.deepEqual(codes(got[2]), [110]);
  assert.equal(item(got[2]).jid, c.jid);
  // The owner (a moderator) sees the newcomer's real JID.
  const seen = await a.waitFor((e) => e.name === 'presence' && e.attrs.from === `${roomJid(r)}/carol`, 'carol joining');
  assert.equal(item(seen).jid, c.jid);
  assert.deepEqual(codes(seen), []);
  const delay = got[3].getChild('delay', 'urn:xmpp:delay')!;
  assert.equal(delay.attrs.from, roomJid(r));
  assert.ok(!Number.isNaN(Date.parse(String(delay.attrs.stamp))));
});

test('MUC-27: a groupchat message is reflected to everyone, the sender too, from the occupant JID with the client id kept, a stanza-id and an occupant-id', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const id = say(b, r, 'hello all', 'client-id-1');
  for (const c of [a, b]) {
    const m = await c.waitFor(isGroupchat(r, 'hello all'), 'the reflected message');
    assert.equal(m.attrs.from, `${roomJid(r)}/bob`);
    assert.equal(m.attrs.id, id);
    assert.equal(m.attrs.to, c.jid);
    const sid = m.getChild('stanza-id', 'urn:xmpp:sid:0')!;
    assert.equal(sid.attrs.by, roomJid(r));
    assert.ok(m.getChild('occupant-id', 'urn:xmpp:occupant-id:0')?.attrs.id);
  }
});

test('MUC-20: history honours maxstanzas, maxchars and seconds', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  for (let i = 1; i <= 5; i++) say(a, r, `h${i}`);
  await a.waitFor(isGroupchat(r, 'h5'), 'the last echo');
  const bodies = (es: Element[]): string[] => es.filter((e) => e.getChild('delay')).map((e) => e.getChildText('body') ?? '');
  assert.deepEqual(bodies(await join(b, r, 'bob', { history: "maxstanzas='2'" })), ['h4', 'h5']);
  b.send(`<presence to='${roomJid(r)}/bob' type='unavailable'/>`);
  await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable', 'leaving');
  assert.deepEqual(bodies(await join(b, r, 'bob', { history: "maxchars='0'" })), []);
  b.send(`<presence to='${roomJid(r)}/bob' type='unavailable'/>`);
  await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable', 'leaving');
  assert.deepEqual(bodies(await join(b, r, 'bob', { history: "seconds='3600'" })), ['h1', 'h2', 'h3', 'h4', 'h5']);
});

test('MUC-07, MUC-15, MUC-19: no nick → jid-malformed; a nick in use → conflict; presence without <x/> from a stranger is not a join', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  b.send(`<presence to='${roomJid(r)}'><x xmlns='http://jabber.org/protocol/muc'/></presence>`);
  const e1 = await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'error', 'jid-malformed');
  assert.equal(errorCondition(e1), 'jid-malformed');
  assert.equal(await joinRefused(b, r, 'alice'), 'conflict');
  b.send(`<presence to='${roomJid(r)}/bob'/>`);
  const e2 = await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'error', 'not-acceptable');
  assert.equal(errorCondition(e2), 'not-acceptable');
});

test('MUC-12, MUC-13, MUC-16: password, members-only and a full room refuse with not-authorized, registration-required, service-unavailable', async () => {
  const [a, b] = await im.people('a', 'b');
  const r1 = room();
  await createRoom(a, r1, 'alice', configField('passwordprotectedroom', '1') + configField('roomsecret', 's3cret'));
  assert.equal(await joinRefused(b, r1, 'bob'), 'not-authorized');
  assert.equal(await joinRefused(b, r1, 'bob', { password: 'nope' }), 'not-authorized');
  await join(b, r1, 'bob', { password: 's3cret' });
  const r2 = room();
  await createRoom(a, r2, 'alice', configField('membersonly', '1'));
  assert.equal(await joinRefused(b, r2, 'bob'), 'registration-required');
  const r3 = room();
  await createRoom(a, r3, 'alice', configField('maxusers', '1'));
  assert.equal(await joinRefused(b, r3, 'bob'), 'service-unavailable');
});

test('MUC-22, MUC-23, MUC-24: nick change (303 then the new nick), status change, exit with 110; a temporary room disappears when empty', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', configField('persistentroom', '0'));
  await join(b, r, 'bob');
  await a.waitFor(fromRoom(r, 'bob'), 'bob in');
  b.send(joinXml(r, 'robert').replace(/<x xmlns='[^']+'><\/x>/, ''));
  const gone = await a.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && e.attrs.from === `${roomJid(r)}/bob`, '303');
  assert.deepEqual(codes(gone), [303]);
  assert.equal(item(gone).nick, 'robert');
  const back = await a.waitFor(fromRoom(r, 'robert'), 'robert');
  assert.equal(back.attrs.type, undefined);
  const selfGone = await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable', 'own 303');
  assert.deepEqual(codes(selfGone).sort(), [110, 303]);
  b.send(`<presence to='${roomJid(r)}/robert'><show>away</show><status>lunch</status></presence>`);
  const away = await a.waitFor((e) => fromRoom(r, 'robert')(e) && e.getChildText('show') === 'away', 'away');
  assert.equal(away.getChildText('status'), 'lunch');
  b.send(`<presence to='${roomJid(r)}/robert' type='unavailable'><status>bye</status></presence>`);
  const left = await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'robert')(e), 'own exit');
  assert.deepEqual(codes(left), [110]);
  assert.equal(item(left).role, 'none');
  const seenLeft = await a.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'robert')(e), 'exit seen');
  assert.equal(seenLeft.getChildText('status'), 'bye');
  a.send(`<presence to='${roomJid(r)}/alice' type='unavailable'/>`);
  await a.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable' && fromRoom(r, 'alice')(e), 'own exit');
  const items = await a.iq((id) => `<iq type='get' id='${id}' to='conference.test.local'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>`);
  assert.ok(!items.toString().includes(roomJid(r)), items.toString());
});
