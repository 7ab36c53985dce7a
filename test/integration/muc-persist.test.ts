// Rooms across a server's life (XEP-0045 §4.2, §11.2): occupants told with 332 when the server stops (MUC-56), and
// a persistent room — its configuration, affiliations, reserved nicks, subject and vCard — back after a restart
// on the same data folder while a temporary room is gone (MUC-55). Real servers, real sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ImClient, PASSWORD } from '../helpers/im-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import {
  assertStanza, codes, configField, createRoom, errorCondition, isPresenceFrom, isSubject, item, join, MUC_OWNER, MUC_USER, roomJid,
} from '../helpers/muc-client.js';
import type { Element } from '../helpers/raw-client.js';

const roomInfo = (c: ImClient, r: string): Promise<Element> =>
  c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);

async function online(t: TestServer, user: string): Promise<ImClient> {
  const c = await ImClient.login(t, user, 'r');
  c.presence();
  await c.waitFor((e) => e.name === 'presence' && e.attrs.from === c.jid, 'our own presence');
  return c;
}

test('MUC-56, MUC-55: on stopping, each occupant gets its unavailable presence with 110 and 332; after a restart the persistent room has its configuration, affiliations, reserved nick, subject and vCard, and the temporary room is gone', async () => {
  const t1 = await startServer();
  let t2: TestServer | null = null;
  try {
    await t1.addUser('alice', PASSWORD);
    await t1.addUser('bob', PASSWORD);
    const a = await online(t1, 'alice');
    const b = await online(t1, 'bob');
    await createRoom(a, 'kept', 'witch', configField('roomname', 'Kept Room') + configField('roomdesc', 'survives')
      + configField('moderatedroom', '1') + configField('roomadmins', b.bare));
    await createRoom(a, 'fleeting', 'witch', configField('persistentroom', '0'));
    a.send(`<message type='groupchat' to='${roomJid('kept')}'><subject>Cauldron schedule</subject></message>`);
    await a.waitFor(isSubject('kept'), 'the new subject');
    const reg = await b.iq((id) => `<iq type='set' id='${id}' to='${roomJid('kept')}'><query xmlns='jabber:iq:register'><x xmlns='jabber:x:data' type='submit'>
      <field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#register</value></field><field var='muc#register_roomnick'><value>thirdwitch</value></field></x></query></iq>`);
    assert.equal(reg.attrs.type, 'result', reg.toString());
    const vc = await a.iq((id) => `<iq type='set' id='${id}' to='${roomJid('kept')}'><vCard xmlns='vcard-temp'><FN>Kept</FN></vCard></iq>`);
    assert.equal(vc.attrs.type, 'result', vc.toString());
    await join(b, 'kept', 'thirdwitch');

    await t1.stop();
    // MUC-56: every occupant of every room learns that it is out, from its own occupant JID.
    const out = await b.waitFor(isPresenceFrom('kept', 'thirdwitch', 'unavailable'), '332 in kept');
    assertStanza(out, `<presence from='${roomJid('kept')}/thirdwitch' to='${b.jid}' type='unavailable'>
      <x xmlns='${MUC_USER}'><item affiliation='admin' role='none' jid='${b.jid}'/><status code='110'/><status code='332'/></x>
      <occupant-id xmlns='urn:xmpp:occupant-id:0' id='${out.getChild('occupant-id')!.attrs.id}'/></presence>`);
    for (const r of ['kept', 'fleeting']) {
      const p = await a.waitFor(isPresenceFrom(r, 'witch', 'unavailable'), `332 in ${r}`);
      assert.deepEqual(codes(p), [110, 332]);
      assert.equal(item(p).affiliation, 'owner');
    }
    // One each: a was not told about b leaving kept (b was told, a was not sent b's presence).
    assert.equal(a.raw.takeQueued(isPresenceFrom('kept', 'thirdwitch', 'unavailable')), undefined);

    t2 = await startServer({}, { dataDir: t1.dataDir });
    const a2 = await online(t2, 'alice');
    const b2 = await online(t2, 'bob');
    assert.equal(errorCondition(await roomInfo(a2, 'fleeting')), 'item-not-found');
    const info = await roomInfo(b2, 'kept');
    assert.equal(info.getChild('query')!.getChild('identity')!.attrs.name, 'Kept Room');
    const features = info.getChild('query')!.getChildren('feature').map((f) => String(f.attrs.var));
    for (const f of ['muc_persistent', 'muc_moderated', 'muc_public']) assert.ok(features.includes(f), f);
    const form = await a2.iq((id) => `<iq type='get' id='${id}' to='${roomJid('kept')}'><query xmlns='${MUC_OWNER}'/></iq>`);
    const fields = form.getChild('query', MUC_OWNER)!.getChild('x', 'jabber:x:data')!.getChildren('field');
    const value = (v: string): string[] => fields.find((f) => f.attrs.var === v)!.getChildren('value').map((x) => x.getText());
    assert.deepEqual(value('muc#roomconfig_roomdesc'), ['survives']);
    assert.deepEqual(value('muc#roomconfig_roomadmins'), [b2.bare]);
    assert.deepEqual(value('muc#roomconfig_roomowners'), [a2.bare]);
    const nick = await b2.iq((id) => `<iq type='get' id='${id}' to='${roomJid('kept')}'><query xmlns='http://jabber.org/protocol/disco#info' node='x-roomuser-item'/></iq>`);
    assert.equal(nick.getChild('query')!.getChild('identity')?.attrs.name, 'thirdwitch');
    const vcard = await b2.iq((id) => `<iq type='get' id='${id}' to='${roomJid('kept')}'><vCard xmlns='vcard-temp'/></iq>`);
    assert.equal(vcard.getChild('vCard')!.getChildText('FN'), 'Kept');
    // Entering: the owner is the owner (a moderator), the subject is the one set before the restart.
    const got = await join(a2, 'kept', 'witch');
    const self = got.find(isPresenceFrom('kept', 'witch'))!;
    assert.equal(item(self).affiliation, 'owner');
    assert.equal(item(self).role, 'moderator');
    const subject = got[got.length - 1];
    assert.equal(subject.getChildText('subject'), 'Cauldron schedule');
    assert.equal(subject.attrs.from, `${roomJid('kept')}/witch`);
    // b is still an admin: a moderator on entering, under the nick it reserved.
    const bSelf = (await join(b2, 'kept', 'thirdwitch')).find(isPresenceFrom('kept', 'thirdwitch'))!;
    assert.equal(item(bSelf).affiliation, 'admin');
    assert.equal(item(bSelf).role, 'moderator');
  } finally {
    await t2?.stop();
    await t1.stop().catch(() => undefined);
  }
});
