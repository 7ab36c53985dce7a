// XEP-0425 moderated retraction in rooms over real sockets: the room advertises it, a moderator retracts a message
// by the room's stanza-id (v1, and the v0 fastening form), everyone gets the retraction from the room's own JID,
// newcomers no longer get the message in the history, and refusals carry the XEP's conditions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imTestServer, type ImClient } from '../helpers/im-client.js';
import { createRoom, errorCondition, isGroupchat, join, roomJid, say } from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';
import { queryOk } from '../helpers/mam-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000, iqPerSecond: 1000, iqBurst: 1000 } });

const MODERATE = 'urn:xmpp:message-moderate:1';
const MODERATE0 = 'urn:xmpp:message-moderate:0';
const RETRACT = 'urn:xmpp:message-retract:1';
const RETRACT0 = 'urn:xmpp:message-retract:0';
const FASTEN = 'urn:xmpp:fasten:0';
const OCCUPANT_ID = 'urn:xmpp:occupant-id:0';


const v1 = (id: string, reason?: string): string =>
  `<moderate xmlns='${MODERATE}' id='${id}'><retract xmlns='${RETRACT}'/>${reason ? `<reason>${reason}</reason>` : ''}</moderate>`;
const v0 = (id: string, reason?: string): string =>
  `<apply-to xmlns='${FASTEN}' id='${id}'><moderate xmlns='${MODERATE0}'><retract xmlns='${RETRACT0}'/>${reason ? `<reason>${reason}</reason>` : ''}</moderate></apply-to>`;

function moderation(c: ImClient, room: string, payload: string): Promise<Element> {
  return c.iq((id) => `<iq type='set' id='${id}' to='${roomJid(room)}'>${payload}</iq>`, 'mod');
}

const isRetraction = (room: string) => (e: Element): boolean => e.name === 'message' && e.attrs.from === roomJid(room) && e.getChild('retract', RETRACT) !== undefined;

/** Say something and return the stanza-id the room gave it (read from the sender's echo). */
async function sayWithId(c: ImClient, room: string, body: string): Promise<string> {
  say(c, room, body);
  const echo = await c.waitFor(isGroupchat(room, body), `the echo of "${body}"`);
  const sid = echo.getChild('stanza-id', 'urn:xmpp:sid:0');
  assert.ok(sid && sid.attrs.by === roomJid(room), echo.toString());
  return String(sid.attrs.id);
}

test('XEP-0425: the room advertises moderated retraction (both versions) in its disco#info', async () => {
  const [a] = await im.people('a');
  const r = im.unique('mod');
  await createRoom(a, r, 'alice');
  const info = await a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
  assert.ok(features.includes(MODERATE), features.join(' '));
  assert.ok(features.includes(MODERATE0), features.join(' '));
});

test('XEP-0425: a moderator retracts a message by stanza-id: everyone gets the retraction from the room (v1 and v0 forms, moderator\'s occupant JID and occupant-id, reason), the moderator a result, newcomers no longer get it; asking again changes nothing', async () => {
  const [a, b, c, d] = await im.people('a', 'b', 'c', 'd');
  const r = im.unique('mod');
  const created = await createRoom(a, r, 'alice');
  const aliceId = created.find((e) => e.name === 'presence' && e.attrs.from === `${roomJid(r)}/alice`)!.getChild('occupant-id', OCCUPANT_ID)!.attrs.id;
  await join(b, r, 'bob');
  await join(c, r, 'carol');
  const bad = await sayWithId(b, r, 'DM me for free magic potions!');
  await sayWithId(b, r, 'a fine message');
  for (const x of [a, c]) await x.waitFor(isGroupchat(r, 'a fine message'), 'the fine message');
  await a.untilPong();

  const res = await moderation(a, r, v1(bad, 'This message contains inappropriate content for this forum'));
  assert.equal(res.attrs.type, 'result', res.toString());
  assert.equal(res.attrs.from, roomJid(r));
  for (const x of [a, b, c]) {
    const m = await x.waitFor(isRetraction(r), 'the retraction');
    assert.equal(m.attrs.type, 'groupchat');
    assert.equal(m.attrs.to, x.jid);
    assert.equal(m.getChild('body'), undefined);
    const retract = m.getChild('retract', RETRACT)!;
    assert.equal(retract.attrs.id, bad);
    const moderated = retract.getChild('moderated', MODERATE)!;
    assert.equal(moderated.attrs.by, `${roomJid(r)}/alice`);
    assert.equal(moderated.getChild('occupant-id', OCCUPANT_ID)?.attrs.id, aliceId);
    assert.equal(retract.getChildText('reason'), 'This message contains inappropriate content for this forum');
    // The same for v0 clients: <apply-to/> fastening with <moderated/> and <retract/> of version 0.
    const applyTo = m.getChild('apply-to', FASTEN)!;
    assert.equal(applyTo.attrs.id, bad);
    const moderated0 = applyTo.getChild('moderated', MODERATE0)!;
    assert.equal(moderated0.attrs.by, `${roomJid(r)}/alice`);
    assert.ok(moderated0.getChild('retract', RETRACT0));
    assert.equal(moderated0.getChildText('reason'), 'This message contains inappropriate content for this forum');
  }

  // A newcomer's history has the fine message only (not even a tombstone).
  const got = await join(d, r, 'dave');
  const history = got.filter((e) => e.name === 'message' && e.getChild('delay') !== undefined);
  assert.deepEqual(history.map((e) => e.getChildText('body')), ['a fine message']);

  // Asked again: the same answer, no second retraction.
  const again = await moderation(a, r, v1(bad));
  assert.equal(again.attrs.type, 'result', again.toString());
  assert.deepEqual((await c.untilPong()).filter(isRetraction(r)), []);
});

test('XEP-0425: the v0 request (urn:xmpp:fasten:0 <apply-to/>) retracts too', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = im.unique('mod');
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const bad = await sayWithId(b, r, 'spam spam spam');
  const res = await moderation(a, r, v0(bad, 'spam'));
  assert.equal(res.attrs.type, 'result', res.toString());
  const m = await b.waitFor(isRetraction(r), 'the retraction');
  assert.equal(m.getChild('retract', RETRACT)!.attrs.id, bad);
  assert.equal(m.getChild('apply-to', FASTEN)!.getChild('moderated', MODERATE0)!.getChildText('reason'), 'spam');
});

test('XEP-0425: a non-moderator (occupant or stranger) is forbidden; an unknown stanza-id is item-not-found; no id is bad-request; a moderation that is not a retraction is feature-not-implemented', async () => {
  const [a, b, e] = await im.people('a', 'b', 'e');
  const r = im.unique('mod');
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const mine = await sayWithId(a, r, 'the owner speaks');
  const cond = async (c: ImClient, payload: string): Promise<string> => errorCondition(await moderation(c, r, payload));
  assert.equal(await cond(b, v1(mine)), 'forbidden', 'a participant');
  assert.equal(await cond(e, v1(mine)), 'forbidden', 'someone not in the room');
  assert.equal(await cond(b, v0(mine)), 'forbidden', 'a participant, v0');
  assert.equal(await cond(a, v1('no-such-id')), 'item-not-found');
  assert.equal(await cond(a, `<moderate xmlns='${MODERATE}'><retract xmlns='${RETRACT}'/></moderate>`), 'bad-request');
  assert.equal(await cond(a, `<moderate xmlns='${MODERATE}' id='${mine}'><edit xmlns='urn:example:edit'/></moderate>`), 'feature-not-implemented');
  // Nothing was retracted: the message is still in the history.
  const [f] = await im.people('f');
  const got = await join(f, r, 'fred');
  assert.deepEqual(got.filter((x) => x.getChild('delay') !== undefined).map((x) => x.getChildText('body')), ['the owner speaks']);
  assert.deepEqual((await b.untilPong()).filter(isRetraction(r)), []);
});

test('XEP-0425, MUC-58: a message older than the join history is retracted from the room\'s archive; the archive then holds its tombstone', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = im.unique('mod');
  await createRoom(a, r, 'alice', `<field var='muc#maxhistoryfetch'><value>2</value></field>`);
  await join(b, r, 'bob');
  const old = await sayWithId(b, r, 'an old message');
  for (let i = 0; i < 3; i++) await sayWithId(b, r, `newer ${i}`);
  const res = await moderation(a, r, v1(old, 'out of date'));
  assert.equal(res.attrs.type, 'result', res.toString());
  const seen = await b.waitFor(isRetraction(r), 'the retraction');
  assert.equal(seen.getChild('retract', RETRACT)!.attrs.id, old);
  const answer = await queryOk(a, roomJid(r), {});
  const first = answer.results[0];
  const forwarded = first.getChild('result', 'urn:xmpp:mam:2')!.getChild('forwarded', 'urn:xmpp:forward:0')!.getChild('message')!;
  assert.equal(first.getChild('result', 'urn:xmpp:mam:2')!.attrs.id, old);
  assert.equal(forwarded.getChild('body'), undefined, forwarded.toString());
  assert.ok(forwarded.getChild('retracted', RETRACT), forwarded.toString());
  const unknown = await moderation(a, r, v1('no-such-id'));
  assert.equal(errorCondition(unknown), 'item-not-found');
});
