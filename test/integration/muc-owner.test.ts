// XEP-0045 §10 owner use cases over real sockets: the configuration form with every field of the muc#roomconfig
// registry, invalid values refused with nothing changed, cancelling (a new room is destroyed), the owner leaving a
// locked room, later configuration (owners only; members-only removing non-members with 322; owner and admin
// lists), configuration-change notifications (104, 170-173) and destruction with a reason and an alternate venue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imTestServer, type ImClient } from '../helpers/im-client.js';
import {
  assertStanza, codes, configField, configure, createRoom, errorCondition, isPresenceFrom, item, join, joinRefused, leave, MUC_OWNER, MUC_USER, ROOMCONFIG, roomJid,
} from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';

const im = imTestServer({ limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000, iqPerSecond: 1000, iqBurst: 1000 } });

const room = (): string => im.unique('own');

const getForm = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='${MUC_OWNER}'/></iq>`);
const roomInfo = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
const cancel = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='${MUC_OWNER}'><x xmlns='jabber:x:data' type='cancel'/></query></iq>`);

function fieldsOf(form: Element): Map<string, Element> {
  const x = form.getChild('query', MUC_OWNER)!.getChild('x', 'jabber:x:data')!;
  return new Map(x.getChildren('field').map((f) => [String(f.attrs.var), f]));
}
const valuesOf = (form: Element, name: string): string[] => fieldsOf(form).get(name)?.getChildren('value').map((v) => v.getText()) ?? [];

/** XEP-0045 §16.5.3: the muc#roomconfig registry, each field with its type (MUC-51; _pubsub is optional). */
const REGISTRY: Record<string, string> = {
  'muc#maxhistoryfetch': 'text-single',
  'muc#roomconfig_allowpm': 'list-single',
  'muc#roomconfig_allowinvites': 'boolean',
  'muc#roomconfig_changesubject': 'boolean',
  'muc#roomconfig_enablelogging': 'boolean',
  'muc#roomconfig_getmemberlist': 'list-multi',
  'muc#roomconfig_lang': 'text-single',
  'muc#roomconfig_maxusers': 'list-single',
  'muc#roomconfig_membersonly': 'boolean',
  'muc#roomconfig_moderatedroom': 'boolean',
  'muc#roomconfig_passwordprotectedroom': 'boolean',
  'muc#roomconfig_persistentroom': 'boolean',
  'muc#roomconfig_presencebroadcast': 'list-multi',
  'muc#roomconfig_publicroom': 'boolean',
  'muc#roomconfig_roomadmins': 'jid-multi',
  'muc#roomconfig_roomdesc': 'text-single',
  'muc#roomconfig_roomname': 'text-single',
  'muc#roomconfig_roomowners': 'jid-multi',
  'muc#roomconfig_roomsecret': 'text-private',
  'muc#roomconfig_whois': 'list-single',
};

test('MUC-49, MUC-51: a new room\'s owner gets the muc#roomconfig form with every field of the registry; invalid values → not-acceptable with the room still locked; a valid form configures and unlocks it', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await join(a, r, 'alice');
  const form = await getForm(a, r);
  assert.equal(form.attrs.type, 'result', form.toString());
  const x = form.getChild('query', MUC_OWNER)!.getChild('x', 'jabber:x:data')!;
  assert.equal(x.attrs.type, 'form');
  const fields = fieldsOf(form);
  assert.equal(fields.get('FORM_TYPE')!.attrs.type, 'hidden');
  assert.deepEqual(valuesOf(form, 'FORM_TYPE'), [ROOMCONFIG]);
  for (const [name, type] of Object.entries(REGISTRY)) {
    assert.ok(fields.has(name), `${name} is missing from the form`);
    assert.equal(fields.get(name)!.attrs.type, type, `${name} has type ${fields.get(name)!.attrs.type}`);
  }
  assert.deepEqual(valuesOf(form, 'muc#roomconfig_roomowners'), [a.bare]);
  assert.deepEqual(valuesOf(form, 'muc#roomconfig_whois').length, 1);
  // Others cannot see a locked room at all (MUC-17).
  assert.equal(errorCondition(await getForm(b, r)), 'item-not-found');
  // §10.1.3: values that cannot be applied → not-acceptable, and nothing changes.
  for (const bad of [
    configField('passwordprotectedroom', '1'),   // protected without a password
    configField('whois', 'everyone'),
    configField('maxusers', 'lots'),
    configField('membersonly', 'perhaps'),
    configField('presencebroadcast', 'moderator', 'king'),
    configField('roomadmins', 'not a jid@@'),
  ]) {
    const res = await configure(a, r, configField('roomname', 'Changed') + bad);
    assert.equal(errorCondition(res), 'not-acceptable', `${bad}: ${res.toString()}`);
  }
  assert.deepEqual(valuesOf(await getForm(a, r), 'muc#roomconfig_roomname'), ['']);
  assert.equal(await joinRefused(b, r, 'bob'), 'item-not-found');
  const ok = await configure(a, r, configField('roomname', 'A Dark Cave') + configField('roomdesc', 'The place for all good witches!')
    + configField('passwordprotectedroom', '1') + configField('roomsecret', 'cauldronburn') + configField('maxusers', '10') + configField('whois', 'anyone'));
  assertStanza(ok, `<iq type='result' from='${roomJid(r)}' to='${a.jid}'/>`, ['id']);
  const after = await getForm(a, r);
  assert.deepEqual(valuesOf(after, 'muc#roomconfig_roomname'), ['A Dark Cave']);
  assert.deepEqual(valuesOf(after, 'muc#roomconfig_maxusers'), ['10']);
  assert.deepEqual(valuesOf(after, 'muc#roomconfig_whois'), ['anyone']);
  const info = await roomInfo(b, r);
  assert.equal(info.getChild('query')!.getChild('identity')!.attrs.name, 'A Dark Cave');
  const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
  for (const f of ['muc_passwordprotected', 'muc_nonanonymous']) assert.ok(features.includes(f), f);
  const self = (await join(b, r, 'bob', { password: 'cauldronburn' })).find(isPresenceFrom(r, 'bob'))!;
  assert.deepEqual(codes(self).sort(), [100, 110], 'non-anonymous: 100 with 110');
});

test('MUC-49: cancelling the first configuration destroys the new room (the owner gets <destroy/>); cancelling later changes nothing', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await join(a, r, 'alice');
  assertStanza(await cancel(a, r), `<iq type='result' from='${roomJid(r)}' to='${a.jid}'/>`, ['id']);
  const gone = await a.waitFor(isPresenceFrom(r, 'alice', 'unavailable'), 'the destroy presence');
  assertStanza(gone, `<presence from='${roomJid(r)}/alice' to='${a.jid}' type='unavailable'>
    <x xmlns='${MUC_USER}'><item affiliation='none' role='none'/><destroy/></x></presence>`);
  assert.equal(errorCondition(await roomInfo(b, r)), 'item-not-found');
  const r2 = room();
  await createRoom(a, r2, 'alice', configField('roomname', 'Kept'));
  await join(b, r2, 'bob');
  assert.equal((await cancel(a, r2)).attrs.type, 'result');
  assert.deepEqual(valuesOf(await getForm(a, r2), 'muc#roomconfig_roomname'), ['Kept']);
  // Nothing changed, nobody was told: b's stream up to a marker has no message from the room.
  const seen = await b.untilMark(a.mark(b));
  assert.ok(!seen.some((e) => e.name === 'message' && e.attrs.from === roomJid(r2)), seen.map((e) => e.toString()).join('\n'));
});

test('MUC-50: the owner leaving a locked room (never configured) destroys it, its unavailable presence carrying <destroy/>', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await join(a, r, 'alice');
  const gone = await leave(a, r, 'alice');
  assertStanza(gone, `<presence from='${roomJid(r)}/alice' to='${a.jid}' type='unavailable'>
    <x xmlns='${MUC_USER}'><item affiliation='none' role='none'/><destroy/></x></presence>`);
  assert.equal(errorCondition(await roomInfo(b, r)), 'item-not-found');
  // The name is free again: whoever joins next creates a new room (201) and owns it.
  const self = (await join(b, r, 'bob')).find(isPresenceFrom(r, 'bob'))!;
  assert.deepEqual(codes(self).sort(), [110, 201]);
  assert.equal(item(self).affiliation, 'owner');
});

test('MUC-52: later configuration is the owners\' (forbidden to others, nothing changed by invalid values); owner and admin lists applied and announced; switching to members-only removes non-members with 322', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice', configField('roomname', 'Before'));
  await join(b, r, 'bob');
  await join(c, r, 'carol');
  // carol registers: a member (§7.10).
  const reg = await c.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>
    <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#register</value></field><field var='muc#register_roomnick'><value>carol</value></field></x></query></iq>`);
  assert.equal(reg.attrs.type, 'result', reg.toString());
  await a.waitFor((e) => isPresenceFrom(r, 'carol')(e) && item(e).affiliation === 'member', 'carol a member');
  // Not an owner: forbidden, for the form and for a submission.
  const denied = await getForm(b, r);
  assert.equal(errorCondition(denied), 'forbidden');
  assert.equal(denied.getChild('error')!.attrs.type, 'auth');
  assert.equal(errorCondition(await configure(b, r, configField('roomname', 'Mine'))), 'forbidden');
  assert.equal(errorCondition(await configure(a, r, configField('roomname', 'After') + configField('maxusers', 'lots'))), 'not-acceptable');
  assert.deepEqual(valuesOf(await getForm(a, r), 'muc#roomconfig_roomname'), ['Before']);
  // roomadmins: carol is an admin (moderator), announced to everyone.
  assert.equal((await configure(a, r, configField('roomadmins', c.bare))).attrs.type, 'result');
  for (const x of [a, b, c]) {
    const p = await x.waitFor((e) => isPresenceFrom(r, 'carol')(e) && item(e).affiliation === 'admin', 'carol an admin');
    assert.equal(item(p).role, 'moderator');
    assert.equal(item(p).jid, x === b ? undefined : c.jid);
  }
  // roomowners: carol too; an empty owner list → conflict (MUC-44).
  assert.equal((await configure(a, r, configField('roomowners', a.bare, c.bare))).attrs.type, 'result');
  await b.waitFor((e) => isPresenceFrom(r, 'carol')(e) && item(e).affiliation === 'owner', 'carol an owner');
  assert.equal(errorCondition(await configure(a, r, configField('roomowners'))), 'conflict');
  // §10.2: dropped from the owner list, carol steps down to admin (bob's stream read up to here first).
  await b.untilMark(a.mark(b));
  assert.equal((await configure(a, r, configField('roomowners', a.bare))).attrs.type, 'result');
  const stepped = await b.waitFor(isPresenceFrom(r, 'carol'), 'carol no longer owner');
  assert.equal(item(stepped).affiliation, 'admin');
  assert.deepEqual(valuesOf(await getForm(a, r), 'muc#roomconfig_roomadmins'), [c.bare]);
  // Members-only: bob, not a member, is removed with 322 (he and the others told); carol, an admin, stays.
  assert.equal((await configure(a, r, configField('membersonly', '1'))).attrs.type, 'result');
  const out = await b.waitFor(isPresenceFrom(r, 'bob', 'unavailable'), 'bob removed');
  assertStanza(out, `<presence from='${roomJid(r)}/bob' to='${b.jid}' type='unavailable'>
    <x xmlns='${MUC_USER}'><item affiliation='none' role='none' jid='${b.jid}'><actor nick='alice'/></item><status code='110'/><status code='322'/></x>
    <occupant-id xmlns='urn:xmpp:occupant-id:0' id='${out.getChild('occupant-id')!.attrs.id}'/></presence>`);
  const seenOut = await a.waitFor(isPresenceFrom(r, 'bob', 'unavailable'), 'bob removed, seen by alice');
  assert.deepEqual(codes(seenOut), [322]);
  const notice = await c.waitFor((e) => e.name === 'message' && e.attrs.from === roomJid(r), 'the 104 notice');
  assert.deepEqual(codes(notice), [104]);
  assert.equal(await joinRefused(b, r, 'bob'), 'registration-required');
  // An admin dropped from the admin list steps down to member (§10.2), and may stay in the members-only room.
  assert.equal((await configure(a, r, configField('roomadmins'))).attrs.type, 'result');
  const member = await c.waitFor((e) => isPresenceFrom(r, 'carol')(e) && item(e).affiliation === 'member', 'carol a member again');
  assert.equal(item(member).role, 'participant');
});

test('MUC-53: configuration changes are announced with status codes only: 170/171 logging, 172/173 anonymity, 104 anything else; no change, no message', async () => {
  const [a, b] = await im.onlinePeople('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const expectNotice = async (fields: string, expected: number[]): Promise<void> => {
    assert.equal((await configure(a, r, fields)).attrs.type, 'result');
    const m = await b.waitFor((e) => e.name === 'message' && e.attrs.from === roomJid(r), `the notice ${expected.join(',')}`);
    assertStanza(m, `<message from='${roomJid(r)}' to='${b.jid}' type='groupchat'>
      <x xmlns='${MUC_USER}'>${expected.map((c) => `<status code='${c}'/>`).join('')}</x></message>`, ['id']);
  };
  await expectNotice(configField('enablelogging', '1'), [170]);
  await expectNotice(configField('enablelogging', '0'), [171]);
  await expectNotice(configField('whois', 'anyone'), [172]);
  await expectNotice(configField('whois', 'moderators'), [173]);
  await expectNotice(configField('roomdesc', 'now with a description'), [104]);
  await expectNotice(configField('enablelogging', '1') + configField('moderatedroom', '1'), [170, 104]);
  // The same values again: nothing to announce.
  assert.equal((await configure(a, r, configField('roomdesc', 'now with a description'))).attrs.type, 'result');
  const seen = await b.untilMark(a.mark(b));
  assert.ok(!seen.some((e) => e.name === 'message'), seen.map((e) => e.toString()).join('\n'));
});

test('MUC-54: destroying a room: each occupant gets one unavailable presence with <destroy/> (reason, alternate venue, its password), the owner a result; a non-owner is forbidden', async () => {
  const [a, b, c] = await im.onlinePeople('a', 'b', 'c');
  const r = room();
  const alt = roomJid(`${r}-new`);
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await join(c, r, 'carol');
  const destroyXml = (id: string): string => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='${MUC_OWNER}'>
    <destroy jid='${alt}'><reason>Macbeth doth come.</reason><password>cauldronburn</password></destroy></query></iq>`;
  const denied = await b.iq(destroyXml);
  assert.equal(errorCondition(denied), 'forbidden');
  assertStanza(await a.iq(destroyXml), `<iq type='result' from='${roomJid(r)}' to='${a.jid}'/>`, ['id']);
  for (const [x, nick] of [[a, 'alice'], [b, 'bob'], [c, 'carol']] as const) {
    const p = await x.waitFor((e) => e.name === 'presence' && e.attrs.type === 'unavailable', `${nick}'s removal`);
    assertStanza(p, `<presence from='${roomJid(r)}/${nick}' to='${x.jid}' type='unavailable'>
      <x xmlns='${MUC_USER}'><item affiliation='none' role='none'/>
        <destroy jid='${alt}'><reason>Macbeth doth come.</reason><password>cauldronburn</password></destroy></x></presence>`);
  }
  // One each, not everyone's: nothing else about the room reaches bob.
  const rest = await b.untilMark(a.mark(b));
  assert.ok(!rest.some((e) => e.name === 'presence' && e.attrs.type === 'unavailable'), rest.map((e) => e.toString()).join('\n'));
  assert.equal(errorCondition(await roomInfo(b, r)), 'item-not-found');
});
