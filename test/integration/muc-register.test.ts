// XEP-0045 §7.10 registration with a room (jabber:iq:register, the muc#register form) and §7.12 reserved-nick
// discovery (x-roomuser-item), over real sockets, exact stanzas asserted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imTestServer, type ImClient } from '../helpers/im-client.js';
import {
  assertStanza, codes, configField, createRoom, errorCondition, isPresenceFrom, item, join, joinRefused, leave, roomJid,
} from '../helpers/muc-client.js';
import { escapeXml, type Element } from '../helpers/raw-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000 } });

const room = (): string => im.unique('reg');

const REGISTER = 'jabber:iq:register';
const MUC_REGISTER = 'http://jabber.org/protocol/muc#register';

const registerGet = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='${REGISTER}'/></iq>`);

function registerSet(c: ImClient, r: string, nick: string): Promise<Element> {
  return c.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='${REGISTER}'><x xmlns='jabber:x:data' type='submit'>
    <field var='FORM_TYPE'><value>${MUC_REGISTER}</value></field>
    <field var='muc#register_roomnick'><value>${escapeXml(nick)}</value></field></x></query></iq>`);
}

const reservedNick = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/></iq>`);

test('MUC-46, MUC-06: get returns the muc#register form; a submitted nick makes the user a member with it reserved; get then says <registered/> with the nick, and x-roomuser-item returns it', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice', configField('roomname', 'Dark Cave'));
  assertStanza(await reservedNick(b, r), `<iq type='result' from='${roomJid(r)}' to='${b.jid}'>
    <query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/></iq>`, ['id']);
  assertStanza(await registerGet(b, r), `<iq type='result' from='${roomJid(r)}' to='${b.jid}'>
    <query xmlns='${REGISTER}'>
      <instructions>Fill in the form to register with this room.</instructions>
      <x xmlns='jabber:x:data' type='form'>
        <title>Registration with Dark Cave</title>
        <instructions>Choose the nickname to reserve in this room; you become a member of the room.</instructions>
        <field var='FORM_TYPE' type='hidden'><value>${MUC_REGISTER}</value></field>
        <field var='muc#register_roomnick' type='text-single' label='Desired Nickname'><required/></field>
      </x></query></iq>`, ['id']);
  assertStanza(await registerSet(b, r, 'thirdwitch'), `<iq type='result' from='${roomJid(r)}' to='${b.jid}'/>`, ['id']);
  assertStanza(await registerGet(b, r), `<iq type='result' from='${roomJid(r)}' to='${b.jid}'>
    <query xmlns='${REGISTER}'><registered/><username>thirdwitch</username></query></iq>`, ['id']);
  assertStanza(await reservedNick(b, r), `<iq type='result' from='${roomJid(r)}' to='${b.jid}'>
    <query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'><identity category='conference' type='text' name='thirdwitch'/></query></iq>`, ['id']);
  // The nick is b's: another user can neither register it (conflict) nor enter under it (MUC-15).
  assert.equal(errorCondition(await registerSet(c, r, 'thirdwitch')), 'conflict');
  assert.equal(await joinRefused(c, r, 'thirdwitch'), 'conflict');
  // §7.12: in an open room a registered user may still enter under another nick; b is a member now.
  const self = (await join(b, r, 'hag')).find(isPresenceFrom(r, 'hag'))!;
  assert.deepEqual(codes(self), [110]);
  assert.equal(item(self).affiliation, 'member');
  // A nick in use by an occupant cannot be registered by someone else either.
  assert.equal(errorCondition(await registerSet(c, r, 'alice')), 'conflict');
});

test('MUC-46: registering while in the room announces the membership; where nicks are locked down the occupant is renamed to the reserved nick with 210, and enters under it later with 210', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', configField('canchangenick', '0'));
  await join(b, r, 'bob');
  await a.waitFor(isPresenceFrom(r, 'bob'), 'bob in');
  assert.equal((await registerSet(b, r, 'robert')).attrs.type, 'result');
  // Everyone: bob is a member now (its presence as it was: with the XEP-0153 <x/> of a user without an avatar), then bob becomes robert (303) and robert is there with 210.
  const member = await a.waitFor(isPresenceFrom(r, 'bob'), 'the membership');
  assertStanza(member, `<presence from='${roomJid(r)}/bob' to='${a.jid}'>
    <x xmlns='vcard-temp:x:update'><photo/></x>
    <x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' role='participant' jid='${b.jid}'/></x>
    <occupant-id xmlns='urn:xmpp:occupant-id:0' id='${member.getChild('occupant-id')!.attrs.id}'/></presence>`);
  const gone = await a.waitFor(isPresenceFrom(r, 'bob', 'unavailable'), '303');
  assert.deepEqual(codes(gone), [303]);
  assert.equal(item(gone).nick, 'robert');
  const renamed = await a.waitFor(isPresenceFrom(r, 'robert'), 'robert');
  assert.deepEqual(codes(renamed), [210]);
  assert.equal(item(renamed).affiliation, 'member');
  const selfRenamed = await b.waitFor(isPresenceFrom(r, 'robert'), 'own rename');
  assert.deepEqual(codes(selfRenamed), [110, 210]);
  await leave(b, r, 'robert');
  // Entering under another nick: the room gives the reserved one, with 110 and 210 in the self-presence.
  const got = await join(b, r, 'bobby');
  const self = got.find(isPresenceFrom(r, 'robert'))!;
  assert.ok(self, got.map((e) => e.toString()).join('\n'));
  assert.deepEqual(codes(self), [110, 210]);
  assert.ok(!got.some(isPresenceFrom(r, 'bobby')));
  // And a nick change away from it is refused (nicks are locked).
  b.send(`<presence to='${roomJid(r)}/bobby'/>`);
  const refused = await b.waitFor((e) => e.name === 'presence' && e.attrs.type === 'error', 'not-acceptable');
  assert.equal(errorCondition(refused), 'not-acceptable');
});

test('MUC-46: registration closed by the configuration → not-allowed; in a members-only room strangers → not-allowed while members may reserve a nick; no form → bad-request; <remove/> gives it up', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const closed = room();
  await createRoom(a, closed, 'alice', configField('registration', '0'));
  assert.equal(errorCondition(await registerGet(b, closed)), 'not-allowed');
  assert.equal(errorCondition(await registerSet(b, closed, 'bob')), 'not-allowed');
  const members = room();
  await createRoom(a, members, 'alice', configField('membersonly', '1'));
  assert.equal(errorCondition(await registerGet(c, members)), 'not-allowed');
  assert.equal(errorCondition(await registerSet(c, members, 'carol')), 'not-allowed');
  // b becomes a member (the owner's invitation, §9.5) and may then reserve a nick.
  a.send(`<message to='${roomJid(members)}'><x xmlns='http://jabber.org/protocol/muc#user'><invite to='${b.bare}'/></x></message>`);
  await b.waitFor((e) => e.name === 'message' && e.attrs.from === roomJid(members), 'the invitation');
  const form = await registerGet(b, members);
  assert.ok(form.getChild('query', REGISTER)?.getChild('x', 'jabber:x:data'), form.toString());
  const bad = await b.iq((id) => `<iq type='set' id='${id}' to='${roomJid(members)}'><query xmlns='${REGISTER}'><username>bee</username></query></iq>`);
  assert.equal(errorCondition(bad), 'bad-request');
  assert.equal((await registerSet(b, members, 'bee')).attrs.type, 'result');
  const self = (await join(b, members, 'whatever')).find(isPresenceFrom(members, 'bee'))!;
  assert.deepEqual(codes(self), [110, 210]);
  await leave(b, members, 'bee');
  // XEP-0077 §3.2: removing the registration frees the nick, and a plain member's membership goes with it.
  const removed = await b.iq((id) => `<iq type='set' id='${id}' to='${roomJid(members)}'><query xmlns='${REGISTER}'><remove/></query></iq>`);
  assert.equal(removed.attrs.type, 'result', removed.toString());
  assert.equal(await joinRefused(b, members, 'bee'), 'registration-required');
  // A room that does not exist: item-not-found (§7.10).
  assert.equal(errorCondition(await registerGet(b, im.unique('none'))), 'item-not-found');
});
