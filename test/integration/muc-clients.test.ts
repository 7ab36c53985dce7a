// Group chat with real client libraries against a real Parley: StanzaJS 12's MUC plugin (join, instant room,
// configuration form, subject, groupchat with ids, private messages, kick, ban, destruction) and @xmpp/client in the
// same room, each asserting what the library parsed of the exact stanzas.
// @xmpp/client has no option for a CA (see clients-xmppjs.test.ts), so certificate checks are off in this file; the
// StanzaJS clients still verify the chain against the test CA themselves.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { Element as XmppElement } from 'ltx';
import { stanzaLogin, xmppjsLogin, nextEvent, within, type StanzaSession, type XmppjsSession } from '../helpers/clients.js';
import { sharedServer } from '../helpers/server.js';
import { SERVICE } from '../helpers/muc-client.js';
import type { Stanzas } from 'stanza';

type ReceivedMessage = Stanzas.ReceivedMessage;
type ReceivedMUCPresence = Stanzas.ReceivedMUCPresence;

const users = ['alice', 'bob', 'carol', 'dave'];
const shared = sharedServer<{ close(): Promise<void> }>(Object.fromEntries(users.map((u) => [u, `${u}-secret`])), { resourceConflict: 'new-resource' },
  async (sessions) => {
    await Promise.all(sessions.map((s) => s.close()));
  });
const stanza = async (user: string): Promise<StanzaSession> => shared.keep(await stanzaLogin(shared.t, user, `${user}-secret`));
const xmppjs = async (user: string): Promise<XmppjsSession> => shared.keep(await xmppjsLogin(shared.t, user, `${user}-secret`));

let n = 0;
const room = (): string => `lib${++n}@${SERVICE}`;

/** The next groupchat message with this body a StanzaJS client parses. */
function groupchat(s: StanzaSession, body: string): Promise<ReceivedMessage> {
  return within(new Promise((resolve) => {
    const on = (m: ReceivedMessage): void => {
      if (m.body === body) {
        s.client.off('groupchat', on);
        resolve(m);
      }
    };
    s.client.on('groupchat', on);
  }), `groupchat "${body}"`);
}

test('MUC-47/48/49/51, MUC-27, MUC-33: StanzaJS creates an instant room, reads the configuration form, sets the subject, and two StanzaJS clients talk with ids kept', async () => {
  const a = await stanza('alice');
  const b = await stanza('bob');
  const r = room();
  const joined = await within(a.client.joinRoom(r, 'Alice'), 'alice joins');
  assert.deepEqual(joined.muc.statusCodes?.sort(), ['110', '201']);
  assert.equal(joined.muc.affiliation, 'owner');
  await within(a.client.configureRoom(r, { type: 'submit' }), 'instant room');
  const form = await within(a.client.getRoomConfig(r), 'the configuration form');
  const vars = new Set((form.fields ?? []).map((f) => f.name));
  for (const v of ['roomname', 'roomdesc', 'lang', 'enablelogging', 'changesubject', 'allowinvites', 'allowpm', 'maxusers', 'presencebroadcast',
    'getmemberlist', 'publicroom', 'persistentroom', 'moderatedroom', 'membersonly', 'passwordprotectedroom', 'roomsecret', 'whois', 'roomadmins', 'roomowners']) {
    assert.ok(vars.has(`muc#roomconfig_${v}`), `missing muc#roomconfig_${v}`);
  }
  assert.ok(vars.has('muc#maxhistoryfetch'));
  const topic = nextEvent<{ topic?: string }>(b.client, 'muc:topic', 'the subject on joining');
  await within(b.client.joinRoom(r, 'Bob'), 'bob joins');
  assert.equal((await topic).topic ?? '', '');
  const newTopic = nextEvent<{ topic?: string; from: string }>(b.client, 'muc:topic', 'the new subject');
  a.client.setSubject(r, 'Weekly plans');
  assert.equal((await newTopic).topic, 'Weekly plans');
  const got = groupchat(a, 'hello from bob');
  const echo = groupchat(b, 'hello from bob');
  b.client.sendMessage({ to: r, type: 'groupchat', body: 'hello from bob', id: 'bob-msg-1' });
  const [m, e] = await Promise.all([got, echo]);
  assert.equal(m.from, `${r}/Bob`);
  assert.equal(m.id, 'bob-msg-1');
  assert.equal(e.id, 'bob-msg-1');
  assert.equal(m.stanzaIds?.[0]?.by, r);
});

test('MUC-29, MUC-38, MUC-40, MUC-54: StanzaJS private message, kick (307), ban (301) and destruction', async () => {
  const a = await stanza('alice');
  const b = await stanza('bob');
  const c = await stanza('carol');
  const r = room();
  await within(a.client.joinRoom(r, 'Alice'), 'alice joins');
  await within(a.client.configureRoom(r, { type: 'submit' }), 'instant room');
  await within(b.client.joinRoom(r, 'Bob'), 'bob joins');
  await within(c.client.joinRoom(r, 'Carol'), 'carol joins');
  const pm = nextEvent<ReceivedMessage>(b.client, 'chat', 'the private message');
  a.client.sendMessage({ to: `${r}/Bob`, type: 'chat', body: 'psst' });
  const p = await pm;
  assert.equal(p.from, `${r}/Alice`);
  assert.equal(p.body, 'psst');
  const kicked = nextEvent<ReceivedMUCPresence>(b.client, 'muc:unavailable', 'bob kicked', (p) => p.from === `${r}/Bob`);
  await within(a.client.kick(r, 'Bob', 'be nice'), 'kick');
  const k = await kicked;
  assert.ok(k.muc.statusCodes?.includes('307'), JSON.stringify(k.muc));
  assert.equal(k.muc.reason, 'be nice');
  const banned = nextEvent<ReceivedMUCPresence>(c.client, 'muc:unavailable', 'carol banned', (p) => p.from === `${r}/Carol`);
  await within(a.client.ban(r, c.jid.split('/')[0], 'spam'), 'ban');
  const bn = await banned;
  assert.ok(bn.muc.statusCodes?.includes('301'), JSON.stringify(bn.muc));
  assert.equal(bn.muc.affiliation, 'outcast');
  const refused = nextEvent<{ error?: { condition?: string } }>(c.client, 'muc:error', 'carol refused');
  void c.client.joinRoom(r, 'Carol').catch(() => undefined);
  assert.equal((await refused).error?.condition, 'forbidden');
  await within(b.client.joinRoom(r, 'Bob'), 'bob back');
  const destroyed = nextEvent<{ reason?: string; newRoom?: string }>(b.client, 'muc:destroyed', 'the room destroyed');
  await within(a.client.destroyRoom(r, { reason: 'done', jid: `next@${SERVICE}` }), 'destroy');
  const d = await destroyed;
  assert.equal(d.reason, 'done');
  assert.equal(d.newRoom, `next@${SERVICE}`);
});

test('MUC-08, MUC-27: an @xmpp/client user joins a StanzaJS user\'s room, sees the join order end with the subject, and their messages cross with ids kept', async () => {
  const a = await stanza('dave');
  const x = await xmppjs('carol');
  const r = room();
  await within(a.client.joinRoom(r, 'Dave'), 'dave joins');
  await within(a.client.configureRoom(r, { type: 'submit' }), 'instant room');
  const seen: XmppElement[] = [];
  const subject = within(new Promise<void>((resolve) => {
    x.client.on('stanza', (s: XmppElement) => {
      if (!String(s.attrs.from ?? '').startsWith(r)) return;
      seen.push(s);
      if (s.is('message') && s.getChild('subject')) resolve();
    });
  }), 'the subject');
  await x.client.send(xml('presence', { to: `${r}/Carol` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
  await subject;
  assert.deepEqual(seen.map((s) => `${s.name}:${String(s.attrs.from).split('/')[1] ?? ''}`), ['presence:Dave', 'presence:Carol', 'message:']);
  const got = groupchat(a, 'from xmpp.js');
  await x.client.send(xml('message', { to: r, type: 'groupchat', id: 'xjs-1' }, xml('body', {}, 'from xmpp.js')));
  const m = await got;
  assert.equal(m.id, 'xjs-1');
  assert.equal(m.from, `${r}/Carol`);
  const back = within(new Promise<XmppElement>((resolve) => {
    x.client.on('stanza', (s: XmppElement) => {
      if (s.is('message') && s.getChildText('body') === 'from stanza') resolve(s);
    });
  }), 'the message from StanzaJS');
  a.client.sendMessage({ to: r, type: 'groupchat', body: 'from stanza', id: 'sjs-1' });
  const bm = await back;
  assert.equal(bm.attrs.id, 'sjs-1');
  assert.equal(bm.attrs.from, `${r}/Dave`);
});
