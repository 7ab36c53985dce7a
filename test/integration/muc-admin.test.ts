// XEP-0045 muc#admin over real sockets (§5, §8, §9, §10.3–§10.8, §17.4): kicks, voice, bans, membership, moderators,
// owner and admin lists, list retrieval and who may read it, all-or-nothing batches, bad input — each with the exact
// presences, status codes, answers and error conditions, in the XEP's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { imTestServer, ImClient, PASSWORD } from '../helpers/im-client.js';
import { startServer } from '../helpers/server.js';
import { roomStore } from '../../server/muc/room-store.js';
import { codes, configField, createRoom, errorCondition, item, join, joinRefused, roomJid, say, MUC_USER, type JoinOptions } from '../helpers/muc-client.js';
import { actorAndReason, adminList, adminOk, adminRefused, affItem, presenceOf, roleItem, sorted } from '../helpers/muc-admin-client.js';
import type { Element } from '../helpers/raw-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000, iqPerSecond: 1000, iqBurst: 1000 } });

const newRoom = (): string => im.unique('adm');

/** Read away everything each client has received so far. */
async function drain(...cs: ImClient[]): Promise<void> {
  for (const c of cs) await c.untilPong();
}

/** `c` enters `room` as `nick`; everyone in `others` sees it; all streams drained. */
async function enter(room: string, c: ImClient, nick: string, others: ImClient[], o: JoinOptions = {}): Promise<Element[]> {
  const got = await join(c, room, nick, o);
  await drain(c, ...others);
  return got;
}

/**
 * The requester's view of a change: its iq result comes before the stanza `pred` matches (§8.2: the others are told
 * after the requester). Returns what came before the result (`early`), between it and the stanza, and the stanza.
 */
async function resultThen(c: ImClient, resultId: string, pred: (e: Element) => boolean, what: string): Promise<{ early: Element[]; before: Element[]; stanza: Element }> {
  const r = await c.until((e) => e.name === 'iq' && e.attrs.id === resultId, `the result ${resultId}`);
  assert.equal(r.stop.attrs.type, 'result', r.stop.toString());
  assert.deepEqual(r.before.filter(pred).map(String), [], `${what} came before the result`);
  const after = await c.until(pred, what);
  return { early: r.before, before: after.before, stanza: after.stop };
}

test('MUC-38, MUC-36: a kick sends unavailable+110+307 with actor and reason to the victim, the result to the moderator, then 307 to everyone else; only moderators kick, never someone of the same or a higher affiliation, never themselves', async () => {
  const [a, b, c, d, e] = await im.people('a', 'b', 'c', 'd', 'e');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  for (const [who, nick] of [[b, 'bob'], [c, 'carol'], [d, 'dave'], [e, 'erin']] as const) await enter(r, who, nick, [a, b, c, d, e].filter((x) => x !== who));

  // The kick, in the XEP's order as the moderator sees it: result, then bob's 307.
  const id = 'kick-1';
  a.send(`<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/muc#admin'>${roleItem('bob', 'none', 'Avaunt, you cullion!')}</query></iq>`);
  const seenByOwner = (await resultThen(a, id, presenceOf(r, 'bob', 'unavailable'), 'bob\'s 307')).stanza;
  assert.deepEqual(codes(seenByOwner), [307]);
  assert.deepEqual(item(seenByOwner), { affiliation: 'none', role: 'none', jid: b.jid });   // the owner is a moderator: real JIDs
  assert.deepEqual(actorAndReason(seenByOwner), { actor: 'alice', reason: 'Avaunt, you cullion!' });
  const victim = await b.waitFor(presenceOf(r, 'bob', 'unavailable'), 'the kick at bob');
  assert.equal(victim.attrs.to, b.jid);
  assert.deepEqual(codes(victim), [110, 307]);
  assert.equal(item(victim).affiliation, 'none');
  assert.equal(item(victim).role, 'none');
  assert.deepEqual(actorAndReason(victim), { actor: 'alice', reason: 'Avaunt, you cullion!' });
  const seenByCarol = await c.waitFor(presenceOf(r, 'bob', 'unavailable'), 'bob\'s 307 at carol');
  assert.deepEqual(codes(seenByCarol), [307]);
  assert.equal(item(seenByCarol).jid, undefined, 'a participant of a semi-anonymous room sees no real JID');
  assert.equal(item(seenByCarol).role, 'none');
  // Bob is out: his messages are refused as a non-occupant's.
  await drain(a, b, c, d, e);
  say(b, r, 'still here?');
  const bounced = await b.waitFor((x) => x.name === 'message' && x.attrs.type === 'error', 'the bounce');
  assert.equal(errorCondition(bounced), 'not-acceptable');

  // Participants and visitors may not kick (forbidden); an unknown nick is item-not-found; oneself: conflict.
  assert.equal(await adminRefused(c, r, roleItem('dave', 'none')), 'forbidden');
  assert.equal(await adminRefused(a, r, roleItem('nobody', 'none')), 'item-not-found');
  assert.equal(await adminRefused(a, r, roleItem('alice', 'none')), 'conflict');

  // carol: a member made moderator; dave an admin; erin a member.
  await adminOk(a, r, affItem(c.bare, 'member') + affItem(d.bare, 'admin') + affItem(e.bare, 'member'));
  await adminOk(a, r, roleItem('carol', 'moderator'));
  await drain(a, c, d, e);
  assert.equal(await adminRefused(c, r, roleItem('dave', 'none')), 'not-allowed', 'a member-moderator kicks an admin');
  assert.equal(await adminRefused(c, r, roleItem('erin', 'none')), 'not-allowed', 'the same affiliation');
  assert.equal(await adminRefused(d, r, roleItem('alice', 'none')), 'not-allowed', 'an admin kicks an owner');
  // Nothing was announced for the refusals; an owner may kick the admin.
  assert.deepEqual((await a.untilPong()).filter(presenceOf(r, 'dave', 'unavailable')), []);
  await adminOk(a, r, roleItem('dave', 'none'));
  const daveOut = await d.waitFor(presenceOf(r, 'dave', 'unavailable'), 'dave kicked');
  assert.deepEqual(codes(daveOut), [110, 307]);
  assert.equal(item(daveOut).affiliation, 'admin', 'a kick keeps the affiliation');
});

test('MUC-39, MUC-36: in a moderated room visitors get voice and lose it, announced to all; the voice list has nick, role, affiliation and full JID; admins and owners keep their voice; only moderators list or change voice', async () => {
  const [a, b, c, d] = await im.people('a', 'b', 'c', 'd');
  const r = newRoom();
  await createRoom(a, r, 'alice', configField('moderatedroom', '1'));
  await adminOk(a, r, affItem(c.bare, 'admin'));
  const bobJoin = await enter(r, b, 'bob', [a]);
  assert.equal(item(bobJoin.find(presenceOf(r, 'bob'))!).role, 'visitor', '§5.1.2: no affiliation in a moderated room');
  const carolJoin = await enter(r, c, 'carol', [a, b]);
  assert.equal(item(carolJoin.find(presenceOf(r, 'carol'))!).role, 'moderator', 'an admin enters as moderator');
  await enter(r, d, 'dave', [a, b, c]);

  say(b, r, 'can I speak?');
  assert.equal(errorCondition(await b.waitFor((x) => x.name === 'message' && x.attrs.type === 'error', 'forbidden')), 'forbidden');

  // Grant voice, with a reason: result first, then everyone (bob with 110) sees role participant.
  const id = 'voice-1';
  a.send(`<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/muc#admin'>${roleItem('bob', 'participant', 'A worthy witch indeed!')}</query></iq>`);
  const atOwner = (await resultThen(a, id, presenceOf(r, 'bob'), 'bob\'s new role')).stanza;
  assert.deepEqual(item(atOwner), { affiliation: 'none', role: 'participant', jid: b.jid });
  assert.equal(actorAndReason(atOwner).reason, 'A worthy witch indeed!');
  const atBob = await b.waitFor(presenceOf(r, 'bob'), 'own new role');
  assert.deepEqual(codes(atBob), [110]);
  assert.equal(item(atBob).role, 'participant');
  const atDave = await d.waitFor(presenceOf(r, 'bob'), 'bob\'s new role at dave');
  assert.deepEqual(item(atDave), { affiliation: 'none', role: 'participant' });
  await drain(a, b, c, d);
  say(b, r, 'thank you');
  await a.waitFor((x) => x.name === 'message' && x.getChildText('body') === 'thank you', 'bob speaks');

  // The voice list (§8.5): each item with nick, role, affiliation and the full JID.
  assert.deepEqual(await adminList(a, r, `<item role='participant'/>`), [{ affiliation: 'none', jid: b.jid, nick: 'bob', role: 'participant' }]);
  assert.deepEqual(sorted(await adminList(c, r, `<item role='visitor'/>`)), [{ affiliation: 'none', jid: d.jid, nick: 'dave', role: 'visitor' }]);
  assert.equal(await adminRefused(b, r, `<item role='participant'/>`, 'get'), 'forbidden', 'a participant asks for the voice list');
  assert.equal(await adminRefused(b, r, roleItem('dave', 'participant')), 'forbidden', 'a participant grants voice');

  // Admins' and owners' voice cannot be revoked (not-allowed), whoever asks.
  assert.equal(await adminRefused(a, r, roleItem('carol', 'visitor')), 'not-allowed');
  assert.equal(await adminRefused(c, r, roleItem('alice', 'visitor')), 'not-allowed');

  // A moderator without affiliation may grant voice but not revoke it from someone of its own affiliation (§8.4).
  await adminOk(a, r, roleItem('dave', 'moderator'));
  await drain(a, b, c, d);
  assert.equal(await adminRefused(d, r, roleItem('bob', 'visitor')), 'not-allowed');

  // Revoke voice: announced as role visitor; bob is muted again.
  await adminOk(c, r, roleItem('bob', 'visitor', 'Not so worthy after all!'));
  const muted = await d.waitFor(presenceOf(r, 'bob'), 'bob muted');
  assert.deepEqual(item(muted), { affiliation: 'none', role: 'visitor', jid: b.jid });
  assert.deepEqual(actorAndReason(muted), { actor: 'carol', reason: 'Not so worthy after all!' });
  await drain(b);
  say(b, r, 'again?');
  assert.equal(errorCondition(await b.waitFor((x) => x.name === 'message' && x.attrs.type === 'error', 'forbidden again')), 'forbidden');
  await adminOk(d, r, roleItem('bob', 'participant'));
  assert.equal(item(await b.waitFor((x) => presenceOf(r, 'bob')(x) && item(x).role === 'participant', 'voice from dave')).role, 'participant');
});

test('MUC-40, MUC-14: a ban by bare JID with a reason removes the user with 301 (actor and reason), lists it, drops its reserved nick and keeps it out; users not in the room can be banned; an admin cannot ban an owner (not-allowed), nobody themselves (conflict)', async () => {
  const [a, b, c, d] = await im.people('a', 'b', 'c', 'd');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await adminOk(a, r, affItem(b.bare, 'member', { nick: 'bob' }));
  await enter(r, b, 'bob', [a]);
  await enter(r, c, 'carol', [a, b]);

  const id = 'ban-1';
  a.send(`<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/muc#admin'>${affItem(b.bare, 'outcast', { reason: 'Treason' })}</query></iq>`);
  const atOwner = (await resultThen(a, id, presenceOf(r, 'bob', 'unavailable'), 'bob\'s 301')).stanza;
  assert.deepEqual(codes(atOwner), [301]);
  assert.deepEqual(item(atOwner), { affiliation: 'outcast', role: 'none', jid: b.jid });
  assert.deepEqual(actorAndReason(atOwner), { actor: 'alice', reason: 'Treason' });
  const atBob = await b.waitFor(presenceOf(r, 'bob', 'unavailable'), 'the ban at bob');
  assert.deepEqual(codes(atBob), [110, 301]);
  assert.equal(item(atBob).affiliation, 'outcast');
  assert.equal(item(atBob).role, 'none');
  assert.deepEqual(actorAndReason(atBob), { actor: 'alice', reason: 'Treason' });
  const atCarol = await c.waitFor(presenceOf(r, 'bob', 'unavailable'), 'the ban at carol');
  assert.deepEqual(codes(atCarol), [301]);
  assert.deepEqual(item(atCarol), { affiliation: 'outcast', role: 'none' });

  // Listed with its reason and without a nick; no longer a member; kept out.
  assert.deepEqual(await adminList(a, r, `<item affiliation='outcast'/>`), [{ affiliation: 'outcast', jid: b.bare, reason: 'Treason' }]);
  assert.deepEqual(await adminList(a, r, `<item affiliation='member'/>`), []);
  assert.equal(await joinRefused(b, r, 'bob'), 'forbidden');
  // The reserved nick is free again: carol may take it.
  c.send(`<presence to='${roomJid(r)}/bob'/>`);
  await c.waitFor(presenceOf(r, 'bob'), 'carol as bob');

  // Users not in the room, by full JID too (taken as the bare JID).
  await adminOk(a, r, affItem('spammer@elsewhere.example', 'outcast') + affItem(`${d.bare}/laptop`, 'outcast'));
  assert.deepEqual(sorted(await adminList(a, r, `<item affiliation='outcast'/>`)).map((i) => i.jid), [b.bare, d.bare, 'spammer@elsewhere.example'].sort());
  assert.equal(await joinRefused(d, r, 'dave'), 'forbidden');

  // An admin cannot ban an owner; nobody can ban themselves.
  await adminOk(a, r, affItem(c.bare, 'admin'));
  assert.equal(await adminRefused(c, r, affItem(a.bare, 'outcast')), 'not-allowed');
  assert.equal(await adminRefused(c, r, affItem(c.bare, 'outcast')), 'conflict');
  assert.equal(await adminRefused(a, r, affItem(a.bare, 'outcast')), 'conflict');
  // Lifting a ban (affiliation none) lets the user back in.
  await adminOk(c, r, affItem(d.bare, 'none'));
  await join(d, r, 'dave');
});

test('MUC-40: a ban of a whole server (bare domain) removes its users who have no affiliation of their own; lifting it lets them back', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await adminOk(a, r, affItem(c.bare, 'member'));
  await enter(r, b, 'bob', [a]);
  await enter(r, c, 'carol', [a, b]);
  await adminOk(a, r, affItem('test.local', 'outcast'));
  const out = await b.waitFor(presenceOf(r, 'bob', 'unavailable'), 'bob banned with his server');
  assert.deepEqual(codes(out), [110, 301]);
  // carol (a member: her own affiliation is matched first, §9.2) and alice (owner) stay.
  assert.deepEqual((await c.untilPong()).filter((x) => x.name === 'presence' && x.attrs.type === 'unavailable').map((x) => x.attrs.from), [`${roomJid(r)}/bob`]);
  assert.equal(await joinRefused(b, r, 'bob'), 'forbidden');
  assert.deepEqual(await adminList(a, r, `<item affiliation='outcast'/>`), [{ affiliation: 'outcast', jid: 'test.local' }]);
  await adminOk(a, r, affItem('test.local', 'none'));
  await join(b, r, 'bob');
});

test('MUC-41: lists carry affiliation and bare JID (+ reserved nick, + a ban\'s reason), change by deltas, and a batch with one refused item changes nothing', async () => {
  const [a, b, c, x, y, z] = await im.people('a', 'b', 'c', 'x', 'y', 'z');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await enter(r, b, 'bob', [a]);
  await adminOk(a, r, affItem(x.bare, 'member', { nick: 'ex' }) + affItem(y.bare, 'member') + affItem(z.bare, 'outcast', { reason: 'spam' }) + affItem(c.bare, 'admin'));
  assert.deepEqual(sorted(await adminList(a, r, `<item affiliation='member'/>`)), sorted([{ affiliation: 'member', jid: x.bare, nick: 'ex' }, { affiliation: 'member', jid: y.bare }]));
  assert.deepEqual(await adminList(a, r, `<item affiliation='outcast'/>`), [{ affiliation: 'outcast', jid: z.bare, reason: 'spam' }]);
  assert.deepEqual(await adminList(a, r, `<item affiliation='admin'/>`), [{ affiliation: 'admin', jid: c.bare }]);
  assert.deepEqual(await adminList(a, r, `<item affiliation='owner'/>`), [{ affiliation: 'owner', jid: a.bare }]);
  // A delta: x leaves the member list, z's ban is lifted, y's nick is set; the rest stays.
  await adminOk(a, r, affItem(x.bare, 'none') + affItem(z.bare, 'none') + affItem(y.bare, 'member', { nick: 'why' }));
  assert.deepEqual(await adminList(a, r, `<item affiliation='member'/>`), [{ affiliation: 'member', jid: y.bare, nick: 'why' }]);
  assert.deepEqual(await adminList(a, r, `<item affiliation='outcast'/>`), []);
  // '' unsets a reserved nick (§9.5).
  await adminOk(a, r, affItem(y.bare, 'member', { nick: '' }));
  assert.deepEqual(await adminList(a, r, `<item affiliation='member'/>`), [{ affiliation: 'member', jid: y.bare }]);

  // An admin's batch: a ban it may make and an admin grant it may not → forbidden, and the ban is not made.
  await drain(a, b);
  assert.equal(await adminRefused(c, r, affItem(b.bare, 'outcast') + affItem(x.bare, 'admin')), 'forbidden');
  // A ban of bob and of the owner → not-allowed; bob stays in.
  assert.equal(await adminRefused(c, r, affItem(b.bare, 'outcast') + affItem(a.bare, 'outcast')), 'not-allowed');
  // A kick and a kick of an unknown nick → item-not-found; bob stays.
  assert.equal(await adminRefused(a, r, roleItem('bob', 'none') + roleItem('ghost', 'none')), 'item-not-found');
  assert.deepEqual(await adminList(a, r, `<item affiliation='outcast'/>`), []);
  assert.deepEqual((await b.untilPong()).filter((e) => e.name === 'presence'), [], 'nothing happened to bob');
  // The ban list is for admins and owners.
  assert.equal(await adminRefused(b, r, `<item affiliation='outcast'/>`, 'get'), 'forbidden');
  assert.deepEqual(await adminList(c, r, `<item affiliation='outcast'/>`), []);
});

test('MUC-42: membership granted and revoked is announced; in a members-only room a new member is invited by the room, and one who loses membership is removed with 321 (only the removal is sent)', async () => {
  const [a, b] = await im.people('a', 'b');
  const [c] = await im.onlinePeople('c');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await enter(r, b, 'bob', [a]);
  await adminOk(a, r, affItem(b.bare, 'member', { reason: 'welcome' }));
  const granted = await a.waitFor(presenceOf(r, 'bob'), 'bob a member');
  assert.deepEqual(item(granted), { affiliation: 'member', role: 'participant', jid: b.jid });
  const ownGrant = await b.waitFor(presenceOf(r, 'bob'), 'own membership');
  assert.deepEqual(codes(ownGrant), [110]);
  assert.equal(item(ownGrant).affiliation, 'member');
  await adminOk(a, r, affItem(b.bare, 'none'));
  assert.deepEqual(item(await a.waitFor(presenceOf(r, 'bob'), 'bob no longer a member')), { affiliation: 'none', role: 'participant', jid: b.jid });

  // Members-only: carol (online, not in the room) is invited when added.
  const r2 = newRoom();
  await createRoom(a, r2, 'alice', configField('membersonly', '1') + configField('passwordprotectedroom', '1') + configField('roomsecret', 'cauldronburn'));
  await adminOk(a, r2, affItem(c.bare, 'member'));
  const invite = await c.waitFor((e) => e.name === 'message' && e.attrs.from === roomJid(r2), 'the invitation');
  assert.equal(invite.attrs.to, c.bare);
  const x = invite.getChild('x', MUC_USER)!;
  assert.equal(x.getChild('invite')?.attrs.from, a.bare);
  assert.equal(x.getChildText('password'), 'cauldronburn');
  // Granting again sends no second invitation.
  await adminOk(a, r2, affItem(c.bare, 'member'));
  assert.deepEqual((await c.untilPong()).filter((e) => e.name === 'message'), []);

  await enter(r2, c, 'carol', [a], { password: 'cauldronburn' });
  const id = 'revoke-1';
  a.send(`<iq type='set' id='${id}' to='${roomJid(r2)}'><query xmlns='http://jabber.org/protocol/muc#admin'>${affItem(c.bare, 'none')}</query></iq>`);
  const { early, before, stanza } = await resultThen(a, id, presenceOf(r2, 'carol', 'unavailable'), 'carol removed');
  assert.deepEqual([...early, ...before].filter(presenceOf(r2, 'carol')), [], 'no de-affiliation presence before the removal (§9.4)');
  assert.deepEqual(codes(stanza), [321]);
  assert.deepEqual(item(stanza), { affiliation: 'none', role: 'none', jid: c.jid });
  assert.equal(actorAndReason(stanza).actor, 'alice');
  const own = await c.waitFor(presenceOf(r2, 'carol', 'unavailable'), 'own removal');
  assert.deepEqual(codes(own), [110, 321]);
  assert.equal(await joinRefused(c, r2, 'carol', { password: 'cauldronburn' }), 'registration-required');
});

test('MUC-43: admins grant and revoke moderator status (announced); a moderator who is not an admin cannot (forbidden); owners and admins cannot be demoted (not-allowed); the moderator list', async () => {
  const [a, b, c, d] = await im.people('a', 'b', 'c', 'd');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await adminOk(a, r, affItem(c.bare, 'admin') + affItem(d.bare, 'member'));
  await enter(r, b, 'bob', [a]);
  await enter(r, c, 'carol', [a, b]);
  await enter(r, d, 'dave', [a, b, c]);

  await adminOk(c, r, roleItem('bob', 'moderator'));
  const made = await d.waitFor(presenceOf(r, 'bob'), 'bob a moderator');
  assert.deepEqual(item(made), { affiliation: 'none', role: 'moderator' });
  assert.deepEqual(codes(await b.waitFor(presenceOf(r, 'bob'), 'own moderator status')), [110]);
  await drain(a, b, c, d);
  // bob now sees real JIDs in what he is sent.
  d.send(`<presence to='${roomJid(r)}/dave'><status>here</status></presence>`);
  assert.equal(item(await b.waitFor(presenceOf(r, 'dave'), 'dave\'s status at bob')).jid, d.jid);

  assert.equal(await adminRefused(b, r, roleItem('dave', 'moderator')), 'forbidden', 'a moderator without admin grants moderator');
  assert.equal(await adminRefused(b, r, roleItem('carol', 'participant')), 'forbidden', 'a moderator without admin revokes moderator');
  assert.equal(await adminRefused(c, r, roleItem('alice', 'participant')), 'not-allowed', 'an admin demotes the owner');
  assert.equal(await adminRefused(a, r, roleItem('carol', 'participant')), 'not-allowed', 'the owner demotes an admin');

  assert.deepEqual(sorted(await adminList(c, r, `<item role='moderator'/>`)), sorted([
    { affiliation: 'owner', jid: a.jid, nick: 'alice', role: 'moderator' },
    { affiliation: 'none', jid: b.jid, nick: 'bob', role: 'moderator' },
    { affiliation: 'admin', jid: c.jid, nick: 'carol', role: 'moderator' },
  ]));
  // A moderator by hand keeps the role when made a member (§5.1.3: a role lost with an affiliation is the service's call).
  await adminOk(a, r, affItem(b.bare, 'member'));
  assert.deepEqual(item(await d.waitFor(presenceOf(r, 'bob'), 'bob a member')), { affiliation: 'member', role: 'moderator' });
  await adminOk(c, r, roleItem('bob', 'participant', 'enough'));
  const back = await d.waitFor(presenceOf(r, 'bob'), 'bob a participant again');
  assert.deepEqual(item(back), { affiliation: 'member', role: 'participant' });
  assert.deepEqual(actorAndReason(back), { actor: 'carol', reason: 'enough' });
  // An admin demoted to member loses the moderator role it had by being admin.
  await adminOk(a, r, affItem(c.bare, 'member'));
  assert.deepEqual(item(await d.waitFor(presenceOf(r, 'carol'), 'carol a member')), { affiliation: 'member', role: 'participant' });
});

test('MUC-44: only owners change the owner and admin lists (forbidden otherwise); the last owner cannot give up ownership (conflict), one of two can', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await adminOk(a, r, affItem(c.bare, 'admin'));
  await enter(r, b, 'bob', [a]);
  await enter(r, c, 'carol', [a, b]);

  assert.equal(await adminRefused(c, r, affItem(b.bare, 'admin')), 'forbidden');
  assert.equal(await adminRefused(c, r, affItem(b.bare, 'owner')), 'forbidden');
  assert.equal(await adminRefused(c, r, affItem(a.bare, 'member')), 'forbidden');
  assert.equal(await adminRefused(c, r, affItem(c.bare, 'member')), 'forbidden', 'the admin list is the owners\' to change');
  assert.equal(await adminRefused(b, r, affItem(b.bare, 'member')), 'forbidden', 'a participant changes affiliations');
  assert.equal(await adminRefused(c, r, `<item affiliation='owner'/>`, 'get'), 'forbidden', 'the owner list of a semi-anonymous room');
  assert.equal(await adminRefused(c, r, `<item affiliation='admin'/>`, 'get'), 'forbidden');

  assert.equal(await adminRefused(a, r, affItem(a.bare, 'member')), 'conflict');
  assert.equal(await adminRefused(a, r, affItem(a.bare, 'none')), 'conflict');
  // A grant of ownership, announced with role moderator.
  await adminOk(a, r, affItem(b.bare, 'owner'));
  assert.deepEqual(item(await c.waitFor(presenceOf(r, 'bob'), 'bob an owner')), { affiliation: 'owner', role: 'moderator', jid: b.jid });
  // Both owners at once would leave none: conflict, nothing changes.
  assert.equal(await adminRefused(b, r, affItem(a.bare, 'admin') + affItem(b.bare, 'admin')), 'conflict');
  assert.deepEqual(sorted(await adminList(b, r, `<item affiliation='owner'/>`)), sorted([{ affiliation: 'owner', jid: a.bare }, { affiliation: 'owner', jid: b.bare }]));
  // One of two owners steps down to admin.
  await adminOk(a, r, affItem(a.bare, 'admin'));
  const down = await c.waitFor(presenceOf(r, 'alice'), 'alice an admin');
  assert.deepEqual(item(down), { affiliation: 'admin', role: 'moderator', jid: a.jid });
  assert.deepEqual(await adminList(b, r, `<item affiliation='owner'/>`), [{ affiliation: 'owner', jid: b.bare }]);
  assert.deepEqual(sorted(await adminList(b, r, `<item affiliation='admin'/>`)), sorted([{ affiliation: 'admin', jid: a.bare }, { affiliation: 'admin', jid: c.bare }]));
  // Owners may revoke each other (§10.4 MAY): bob takes alice's admin status away.
  await adminOk(b, r, affItem(a.bare, 'none'));
  assert.deepEqual(item(await c.waitFor(presenceOf(r, 'alice'), 'alice no longer admin')), { affiliation: 'none', role: 'participant', jid: a.jid });
});

test('MUC-45: the member list is not for non-admins of a semi-anonymous room; in a non-anonymous room the roles muc#roomconfig_getmemberlist names may read it, and members of a members-only room even from outside', async () => {
  const [a, b, c, d, e] = await im.people('a', 'b', 'c', 'd', 'e');
  const semi = newRoom();
  await createRoom(a, semi, 'alice');
  await adminOk(a, semi, affItem(b.bare, 'member') + affItem(d.bare, 'admin'));
  await enter(semi, b, 'bob', [a]);
  await enter(semi, c, 'carol', [a, b]);
  const members = [{ affiliation: 'member', jid: b.bare }];
  assert.equal(await adminRefused(b, semi, `<item affiliation='member'/>`, 'get'), 'forbidden', 'a member, semi-anonymous');
  assert.equal(await adminRefused(c, semi, `<item affiliation='member'/>`, 'get'), 'forbidden', 'a participant, semi-anonymous');
  assert.deepEqual(await adminList(d, semi, `<item affiliation='member'/>`), members, 'an admin, even from outside');
  assert.deepEqual(await adminList(a, semi, `<item affiliation='member'/>`), members);

  const open = newRoom();
  await createRoom(a, open, 'alice', configField('whois', 'anyone'));
  await adminOk(a, open, affItem(b.bare, 'member'));
  await enter(open, b, 'bob', [a]);
  await enter(open, c, 'carol', [a, b]);
  assert.deepEqual(await adminList(c, open, `<item affiliation='member'/>`), members, 'any role, by default');
  assert.deepEqual(await adminList(c, open, `<item affiliation='owner'/>`), [{ affiliation: 'owner', jid: a.bare }], 'non-anonymous: the owner list too');
  assert.equal(await adminRefused(e, open, `<item affiliation='member'/>`, 'get'), 'forbidden', 'a stranger');
  // Only moderators may, now: carol (participant) no longer.
  const r = await a.iq((id) => `<iq type='set' id='${id}' to='${roomJid(open)}'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>${configField('getmemberlist', 'moderator')}</x></query></iq>`);
  assert.equal(r.attrs.type, 'result', r.toString());
  assert.equal(await adminRefused(c, open, `<item affiliation='member'/>`, 'get'), 'forbidden');

  const closed = newRoom();
  await createRoom(a, closed, 'alice', configField('whois', 'anyone') + configField('membersonly', '1'));
  await adminOk(a, closed, affItem(b.bare, 'member'));
  assert.deepEqual(await adminList(b, closed, `<item affiliation='member'/>`), members, 'a member of a non-anonymous members-only room, not in it');
});

test('MUC-37: an item changes a role by nick or an affiliation by jid, never both (bad-request); bad items are refused and a batch with one applies nothing', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = newRoom();
  await createRoom(a, r, 'alice');
  await enter(r, b, 'bob', [a]);
  const refused = async (items: string, type: 'get' | 'set' = 'set'): Promise<string> => adminRefused(a, r, items, type);
  assert.equal(await refused(`<item nick='bob' role='visitor' affiliation='member'/>`), 'bad-request');
  assert.equal(await refused(`<item jid='${b.bare}' nick='bob' role='visitor' affiliation='member'/>`), 'bad-request');
  assert.equal(await refused(`<item jid='${b.bare}' nick='bob' role='visitor'/>`), 'bad-request', 'a role item with a jid (§17.4: nick only)');
  assert.equal(await refused(`<item role='visitor'/>`), 'bad-request', 'a role without a nick');
  assert.equal(await refused(`<item affiliation='member'/>`), 'bad-request', 'an affiliation without a jid');
  assert.equal(await refused(`<item jid='${b.bare}' affiliation='boss'/>`), 'bad-request', 'no such affiliation');
  assert.equal(await refused(`<item nick='bob' role='king'/>`), 'bad-request', 'no such role');
  assert.equal(await refused(`<item jid='${b.bare}'/>`), 'bad-request', 'neither');
  assert.equal(await refused(''), 'bad-request', 'no item');
  assert.equal(await refused(`<item jid='a@b@c' affiliation='member'/>`), 'jid-malformed');
  assert.equal(await refused(`<item jid='@test.local' affiliation='outcast'/>`), 'jid-malformed');
  assert.equal(await refused(`<item jid='${b.bare}' affiliation='member' nick='&#x200B;'/>`), 'jid-malformed', 'an invisible reserved nick');
  assert.equal(await refused(`<item jid='elsewhere.example' affiliation='member'/>`), 'bad-request', 'a whole server can only be banned');
  assert.equal(await refused(affItem(b.bare, 'member') + affItem(b.bare, 'outcast')), 'bad-request', 'the same JID twice');
  assert.equal(await refused(`<item role='none'/>`, 'get'), 'bad-request', 'no list of role none');
  assert.equal(await refused(`<item affiliation='none'/>`, 'get'), 'bad-request', 'no list of affiliation none');
  assert.equal(await refused(`<item role='moderator' affiliation='owner'/>`, 'get'), 'bad-request');
  // A good item next to a bad one is not applied.
  assert.equal(await refused(affItem(b.bare, 'member') + `<item jid='x@y@z' affiliation='member'/>`), 'jid-malformed');
  assert.equal(await refused(roleItem('bob', 'none') + `<item nick='bob2' role='visitor' affiliation='none'/>`), 'bad-request');
  assert.deepEqual(await adminList(a, r, `<item affiliation='member'/>`), []);
  assert.deepEqual((await b.untilPong()).filter((e) => e.name === 'presence'), [], 'bob was neither made member nor kicked');
  // The error comes from the room, to the requester, with the request's id.
  const e = await a.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/muc#admin'><item nick='bob' role='visitor' affiliation='member'/></query></iq>`);
  assert.equal(e.attrs.from, roomJid(r));
  assert.equal(e.attrs.to, a.jid);
  assert.equal(e.getChild('error')?.attrs.type, 'modify');
});

test('MUC-41, MUC-55: affiliations changed through muc#admin are on disk before the result and survive a restart (bans keep their reason, members their reserved nick)', async () => {
  const settings = { limits: { presencePerSecond: 1000, presenceBurst: 1000, iqPerSecond: 1000, iqBurst: 1000 } };
  const t1 = await startServer(settings);
  const users = ['powner', 'pmember', 'padmin', 'pbanned', 'pother'];
  const bare = (u: string): string => `${u}@${t1.server.config.domain}`;
  const r = newRoom();
  try {
    for (const u of users) await t1.addUser(u, PASSWORD);
    const owner = await ImClient.login(t1, 'powner');
    await createRoom(owner, r, 'boss');
    await adminOk(owner, r, affItem(bare('pmember'), 'member', { nick: 'memo' }) + affItem(bare('padmin'), 'admin') + affItem(bare('pbanned'), 'outcast', { reason: 'spam' }));
    // Stored already when the result came (the room is persistent by default).
    const doc = await t1.server.storage!.get(roomStore).get(r);
    assert.ok(doc, 'the room is stored');
    const defined = (x: object): Record<string, unknown> => Object.fromEntries(Object.entries(x).filter(([, v]) => v !== undefined));
    assert.deepEqual([...doc.affiliations].sort((x, y) => x.jid.localeCompare(y.jid)).map(defined), [
      { jid: bare('padmin'), affiliation: 'admin', nick: undefined, reason: undefined },
      { jid: bare('pbanned'), affiliation: 'outcast', nick: undefined, reason: 'spam' },
      { jid: bare('pmember'), affiliation: 'member', nick: 'memo', reason: undefined },
      { jid: bare('powner'), affiliation: 'owner', nick: undefined, reason: undefined },
    ].map(defined));
    owner.kill();
  } finally {
    await t1.stop();
  }
  const t2 = await startServer(settings, { dataDir: t1.dataDir });
  try {
    const owner = await ImClient.login(t2, 'powner');
    assert.deepEqual(await adminList(owner, r, `<item affiliation='member'/>`), [{ affiliation: 'member', jid: bare('pmember'), nick: 'memo' }]);
    assert.deepEqual(await adminList(owner, r, `<item affiliation='admin'/>`), [{ affiliation: 'admin', jid: bare('padmin') }]);
    assert.deepEqual(await adminList(owner, r, `<item affiliation='outcast'/>`), [{ affiliation: 'outcast', jid: bare('pbanned'), reason: 'spam' }]);
    assert.deepEqual(await adminList(owner, r, `<item affiliation='owner'/>`), [{ affiliation: 'owner', jid: bare('powner') }]);
    const banned = await ImClient.login(t2, 'pbanned');
    assert.equal(await joinRefused(banned, r, 'back'), 'forbidden');
    const other = await ImClient.login(t2, 'pother');
    assert.equal(await joinRefused(other, r, 'memo'), 'conflict', 'the member\'s reserved nick');
    const admin = await ImClient.login(t2, 'padmin');
    const got = await join(admin, r, 'adm');
    assert.deepEqual(item(got.find(presenceOf(r, 'adm'))!), { affiliation: 'admin', role: 'moderator', jid: admin.jid });
    for (const c of [owner, banned, other, admin]) c.kill();
  } finally {
    await t2.stop();
    await fs.rm(t1.dataDir, { recursive: true, force: true }).catch(() => undefined);
  }
});
