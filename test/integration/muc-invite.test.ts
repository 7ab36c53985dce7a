// XEP-0045 invitations and voice over real sockets: mediated invitations and declines (§7.8.2, §9.5), XEP-0249
// direct invitations between users, and voice requests with their approval (§7.13, §8.6). Exact stanzas asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imTestServer } from '../helpers/im-client.js';
import {
  assertStanza, codes, configField, configure, createRoom, errorCondition, isGroupchat, isPresenceFrom, item, join, joinRefused, roomJid, say,
} from '../helpers/muc-client.js';
import { escapeXml, type Element } from '../helpers/raw-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000 } });

const room = (): string => im.unique('inv');

const MUC_USER = 'http://jabber.org/protocol/muc#user';
const isMessageFromRoom = (r: string) => (e: Element): boolean => e.name === 'message' && e.attrs.from === roomJid(r) && e.attrs.type !== 'groupchat';
const isError = (id: string) => (e: Element): boolean => e.attrs.type === 'error' && e.attrs.id === id;

function inviteXml(r: string, id: string, ...invitees: { to: string; reason?: string }[]): string {
  const inv = invitees.map((i) => `<invite to='${i.to}'>${i.reason !== undefined ? `<reason>${escapeXml(i.reason)}</reason>` : ''}</invite>`).join('');
  return `<message to='${roomJid(r)}' id='${id}'><x xmlns='${MUC_USER}'>${inv}</x></message>`;
}

test('MUC-30: a mediated invitation goes from the room to the invitee with <invite from=inviter>, the reason and, in a password-protected room, the password', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', configField('passwordprotectedroom', '1') + configField('roomsecret', 'cauldronburn'));
  a.send(inviteXml(r, 'inv-1', { to: b.bare, reason: 'Hey, this is the place!' }));
  const got = await b.waitFor(isMessageFromRoom(r), 'the invitation');
  assertStanza(got, `<message from='${roomJid(r)}' to='${b.bare}' id='inv-1'>
    <x xmlns='${MUC_USER}'><invite from='${a.jid}'><reason>Hey, this is the place!</reason></invite><password>cauldronburn</password></x>
  </message>`);
  // With what it carries, the invitee gets in.
  await join(b, r, 'bob', { password: 'cauldronburn' });
  // §7.8.2: a non-existent invitee → item-not-found, and nobody is invited.
  a.send(inviteXml(r, 'inv-2', { to: `${im.unique('nobody-')}@test.local` }));
  const err = await a.waitFor(isError('inv-2'), 'item-not-found');
  assert.equal(err.attrs.from, roomJid(r));
  assert.equal(errorCondition(err), 'item-not-found');
});

test('MUC-30: one message may invite several people; an open room\'s invitation grants nothing; allowinvites off leaves invitations to moderators (forbidden for others); not in the room → forbidden', async () => {
  const [a, b, c, d] = await im.onlinePeople('a', 'b', 'c', 'd');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  b.send(inviteXml(r, 'multi', { to: c.bare }, { to: d.jid, reason: 'both of you' }));
  assertStanza(await c.waitFor(isMessageFromRoom(r), 'c invited'),
    `<message from='${roomJid(r)}' to='${c.bare}' id='multi'><x xmlns='${MUC_USER}'><invite from='${b.jid}'/></x></message>`);
  assertStanza(await d.waitFor(isMessageFromRoom(r), 'd invited'),
    `<message from='${roomJid(r)}' to='${d.jid}' id='multi'><x xmlns='${MUC_USER}'><invite from='${b.jid}'><reason>both of you</reason></invite></x></message>`);
  // Open room: the invitee is not made a member (§9.5: MUST NOT).
  const self = (await join(c, r, 'carol')).find(isPresenceFrom(r, 'carol'))!;
  assert.equal(item(self).affiliation, 'none');
  assert.equal((await configure(a, r, configField('allowinvites', '0'))).attrs.type, 'result');
  await b.waitFor((e) => e.name === 'message' && codes(e).includes(104), 'the 104 notice');
  b.send(inviteXml(r, 'no-longer', { to: d.bare }));
  assert.equal(errorCondition(await b.waitFor(isError('no-longer'), 'forbidden')), 'forbidden');
  a.send(inviteXml(r, 'mod-may', { to: d.bare }));
  await d.waitFor((e) => isMessageFromRoom(r)(e) && e.attrs.id === 'mod-may', 'the moderator\'s invitation');
  // Someone not in the room, without affiliation, may not use it to send invitations.
  d.send(inviteXml(r, 'outsider', { to: c.bare }));
  assert.equal(errorCondition(await d.waitFor(isError('outsider'), 'forbidden')), 'forbidden');
});

test('MUC-30: members-only: an owner\'s invitation puts the invitee on the member list; a mere member is forbidden until allowmemberinvites, then its invitee becomes a member too', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice', configField('membersonly', '1'));
  assert.equal(await joinRefused(b, r, 'bob'), 'registration-required');
  a.send(inviteXml(r, 'own', { to: b.bare }));
  await b.waitFor(isMessageFromRoom(r), 'the invitation');
  const bSelf = (await join(b, r, 'bob')).find(isPresenceFrom(r, 'bob'))!;
  assert.equal(item(bSelf).affiliation, 'member');
  assert.equal(item(bSelf).role, 'participant');
  // §9.5: a member without the privilege → forbidden, and c is still not a member.
  b.send(inviteXml(r, 'member-inv', { to: c.bare }));
  const err = await b.waitFor(isError('member-inv'), 'forbidden');
  assertStanza(err, `<message from='${roomJid(r)}' to='${b.jid}' id='member-inv' type='error'>
    <error type='auth'><forbidden xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas' xml:lang='en'>only the admins of this members-only room may invite</text></error>
  </message>`);
  assert.equal(await joinRefused(c, r, 'carol'), 'registration-required');
  assert.equal((await configure(a, r, configField('allowmemberinvites', '1'))).attrs.type, 'result');
  b.send(inviteXml(r, 'member-inv-2', { to: c.bare }));
  assertStanza(await c.waitFor(isMessageFromRoom(r), 'the member\'s invitation'),
    `<message from='${roomJid(r)}' to='${c.bare}' id='member-inv-2'><x xmlns='${MUC_USER}'><invite from='${b.jid}'/></x></message>`);
  const cSelf = (await join(c, r, 'carol')).find(isPresenceFrom(r, 'carol'))!;
  assert.equal(item(cSelf).affiliation, 'member');
});

test('MUC-31: a decline goes back through the room to the inviter, from the decliner\'s bare JID; to an inviter in the room at the sessions it is there with', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  a.send(inviteXml(r, 'i1', { to: b.bare }));
  await b.waitFor(isMessageFromRoom(r), 'the invitation');
  b.send(`<message to='${roomJid(r)}' id='dec-1'><x xmlns='${MUC_USER}'><decline to='${a.bare}'><reason>Sorry, too busy.</reason></decline></x></message>`);
  assertStanza(await a.waitFor(isMessageFromRoom(r), 'the decline'), `<message from='${roomJid(r)}' to='${a.jid}' id='dec-1'>
    <x xmlns='${MUC_USER}'><decline from='${b.bare}'><reason>Sorry, too busy.</reason></decline></x>
  </message>`);
  // An inviter who is not in the room gets it at the address named.
  b.send(`<message to='${roomJid(r)}' id='dec-2'><x xmlns='${MUC_USER}'><decline to='${c.bare}'/></x></message>`);
  assertStanza(await c.waitFor(isMessageFromRoom(r), 'the decline'),
    `<message from='${roomJid(r)}' to='${c.bare}' id='dec-2'><x xmlns='${MUC_USER}'><decline from='${b.bare}'/></x></message>`);
  // Invitations and declines are normal messages; a decline to nobody is refused.
  b.send(`<message to='${roomJid(r)}' id='dec-3'><x xmlns='${MUC_USER}'><decline/></x></message>`);
  assert.equal(errorCondition(await b.waitFor(isError('dec-3'), 'bad-request')), 'bad-request');
  b.send(`<message to='${roomJid(r)}' id='dec-4' type='chat'><x xmlns='${MUC_USER}'><decline to='${a.bare}'/></x></message>`);
  assert.equal(errorCondition(await b.waitFor(isError('dec-4'), 'bad-request')), 'bad-request');
});

test('MUC-32: a XEP-0249 direct invitation from one user to another arrives unchanged apart from from/to', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  const sent = `<message to='${b.bare}' id='direct-1'><x xmlns='jabber:x:conference' jid='${roomJid(r)}' password='cauldronburn' reason='Hey, this is the place for all good witches!' continue='true' thread='e0ffe42b28561960c6b12b944a092794b9683a38'/><body>join ${roomJid(r)}</body></message>`;
  a.send(sent);
  const got = await b.waitFor((e) => e.name === 'message' && e.attrs.id === 'direct-1', 'the direct invitation');
  assert.equal(got.attrs.from, a.jid);
  assert.equal(got.attrs.to, b.bare);
  assertStanza(got, sent, ['from', 'to']);
  // On the wire: the server re-serialises stanzas (attribute quotes), so the payload is compared as XML above; here
  // that what b's socket got is the payload a wrote, element for element and attribute for attribute.
  const wire = b.raw.received.slice(b.raw.received.indexOf("id=\"direct-1\"") >= 0 ? b.raw.received.indexOf("id=\"direct-1\"") : b.raw.received.indexOf("id='direct-1'"));
  assert.match(wire, /<x xmlns=["']jabber:x:conference["'] jid=["'][^"']+["'] password=["']cauldronburn["'] reason=["']Hey, this is the place for all good witches!["'] continue=["']true["'] thread=["']e0ffe42b28561960c6b12b944a092794b9683a38["']\/><body>/);
});

// ---- voice requests --------------------------------------------------------------------------------------------

const MUC_REQUEST = 'http://jabber.org/protocol/muc#request';

function voiceRequestXml(r: string, id: string): string {
  return `<message to='${roomJid(r)}' id='${id}'><x xmlns='jabber:x:data' type='submit'>
    <field var='FORM_TYPE'><value>${MUC_REQUEST}</value></field>
    <field var='muc#role' type='list-single' label='Requested role'><value>participant</value></field></x></message>`;
}

function approvalXml(r: string, id: string, jid: string, nick: string, allow: string): string {
  return `<message to='${roomJid(r)}' id='${id}'><x xmlns='jabber:x:data' type='submit'>
    <field var='FORM_TYPE' type='hidden'><value>${MUC_REQUEST}</value></field>
    <field var='muc#role'><value>participant</value></field><field var='muc#jid'><value>${jid}</value></field>
    <field var='muc#roomnick'><value>${nick}</value></field><field var='muc#request_allow'><value>${allow}</value></field></x></message>`;
}

const isApprovalForm = (r: string) => (e: Element): boolean => isMessageFromRoom(r)(e) && e.getChild('x', 'jabber:x:data') !== undefined;

test('MUC-34: a visitor\'s voice request reaches the moderators as the approval form; approving grants voice, announced to all; a second request too soon → resource-constraint', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice', configField('moderatedroom', '1') + configField('roomname', 'Coven'));
  await join(c, r, 'carol');
  const bSelf = (await join(b, r, 'bob')).find(isPresenceFrom(r, 'bob'))!;
  assert.equal(item(bSelf).role, 'visitor');
  say(b, r, 'may I?', 'mute');
  assert.equal(errorCondition(await b.waitFor(isError('mute'), 'forbidden')), 'forbidden');
  b.send(voiceRequestXml(r, 'vr-1'));
  const form = await a.waitFor(isApprovalForm(r), 'the approval form');
  assertStanza(form, `<message from='${roomJid(r)}' to='${a.jid}'>
    <x xmlns='jabber:x:data' type='form'>
      <title>Voice request</title>
      <instructions>bob asks for voice in Coven. To approve, select "Grant voice to this person?" and submit; to skip this request, cancel.</instructions>
      <field var='FORM_TYPE' type='hidden'><value>${MUC_REQUEST}</value></field>
      <field var='muc#role' type='list-single' label='Requested role'><value>participant</value></field>
      <field var='muc#jid' type='jid-single' label='User ID'><value>${b.jid}</value></field>
      <field var='muc#roomnick' type='text-single' label='Room Nickname'><value>bob</value></field>
      <field var='muc#request_allow' type='boolean' label='Grant voice to this person?'><value>false</value></field>
    </x></message>`, ['id']);
  // Only moderators get it: carol, a participant, got nothing (her stream up to a marker from a has no form).
  const before = await c.untilMark(a.mark(c));
  assert.ok(!before.some(isApprovalForm(r)), before.map((e) => e.toString()).join('\n'));
  // muc#roomconfig_voicerequestmininterval (1800 s by default): the second request is refused for now.
  b.send(voiceRequestXml(r, 'vr-2'));
  const tooSoon = await b.waitFor(isError('vr-2'), 'resource-constraint');
  assert.equal(errorCondition(tooSoon), 'resource-constraint');
  assert.equal(tooSoon.getChild('error')!.attrs.type, 'wait');
  // A participant cannot approve it; the moderator can.
  c.send(approvalXml(r, 'not-mod', b.jid, 'bob', 'true'));
  assert.equal(errorCondition(await c.waitFor(isError('not-mod'), 'forbidden')), 'forbidden');
  a.send(approvalXml(r, 'approve', b.jid, 'bob', 'true'));
  for (const x of [a, b, c]) {
    const p = await x.waitFor((e) => isPresenceFrom(r, 'bob')(e) && item(e).role === 'participant', 'bob voiced');
    assert.equal(item(p).affiliation, 'none');
    assert.equal(p.getChild('x', MUC_USER)!.getChild('item')!.getChild('actor')?.attrs.nick, 'alice');
    assert.deepEqual(codes(p), x === b ? [110] : []);
  }
  say(b, r, 'thank you', 'voiced');
  await c.waitFor(isGroupchat(r, 'thank you'), 'bob speaking');
});

test('MUC-34: voice requests disabled by the configuration → forbidden; from someone with voice or not in the room → not-acceptable; a request declined leaves the visitor as it is', async () => {
  const [a, b, d] = await im.onlinePeople('a', 'b', 'd');
  const r = room();
  await createRoom(a, r, 'alice', configField('moderatedroom', '1') + configField('allowvoicerequests', '0'));
  await join(b, r, 'bob');
  b.send(voiceRequestXml(r, 'off'));
  assert.equal(errorCondition(await b.waitFor(isError('off'), 'forbidden')), 'forbidden');
  d.send(voiceRequestXml(r, 'stranger'));
  assert.equal(errorCondition(await d.waitFor(isError('stranger'), 'not-acceptable')), 'not-acceptable');
  assert.equal((await configure(a, r, configField('allowvoicerequests', '1') + configField('voicerequestmininterval', '0'))).attrs.type, 'result');
  a.send(voiceRequestXml(r, 'has-voice'));
  assert.equal(errorCondition(await a.waitFor(isError('has-voice'), 'not-acceptable')), 'not-acceptable');
  b.send(voiceRequestXml(r, 'on'));
  await a.waitFor(isApprovalForm(r), 'the approval form');
  a.send(approvalXml(r, 'no', b.jid, 'bob', 'false'));
  // No interval now: b may ask again at once, and is still a visitor (nothing was announced).
  b.send(voiceRequestXml(r, 'again'));
  await a.waitFor(isApprovalForm(r), 'the second approval form');
  const seen = await b.untilMark(a.mark(b));
  assert.ok(!seen.some((e) => isPresenceFrom(r, 'bob')(e)), seen.map((e) => e.toString()).join('\n'));
});
