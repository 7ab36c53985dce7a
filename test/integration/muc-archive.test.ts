// The room archive (XEP-0313 for MUC; MUC-58, MOD-20…MOD-22, with the query and paging rules of MOD-16…MOD-18 as
// they apply to a room) over real sockets: what is archived and what is not (private messages, no-store hints), the
// exact result stanzas (occupant JID, no `to`, archive id = the stanza-id occupants got, real JIDs only for who may
// see them), who may read (members-only, banned, password), filters and RSM paging, the form and metadata, the
// room's disco and configuration switch, and the archive across a restart and a room's destruction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { imTestServer, ImClient, PASSWORD, type ImTestServer } from '../helpers/im-client.js';
import { configField, createRoom, errorCondition, isGroupchat, isSubject, join, roomJid, say, MUC_OWNER } from '../helpers/muc-client.js';
import { mucAdminOf } from '../../server/muc/muc-admin.js';
import type { Affiliation } from '../../server/muc/roles.js';
import { roomArchiveStore } from '../../server/muc/archive-store.js';
import { bodies, forwardedMessage, ids, MAM, MAM_EXTENDED, query, queryOk, rsmOf, shape, DELAY, FORWARD, RSM } from '../helpers/mam-client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { Element } from '../helpers/raw-client.js';

const LIMITS = { limits: { presencePerSecond: 1000, presenceBurst: 1000, messagesPerSecond: 1000, messageBurst: 1000, iqPerSecond: 1000, iqBurst: 1000 } };
const im: ImTestServer = imTestServer(LIMITS);
const SID = 'urn:xmpp:sid:0';
const OCCUPANT_ID = 'urn:xmpp:occupant-id:0';
const MUC_USER = 'http://jabber.org/protocol/muc#user';

const room = (): string => im.unique('arch');

/** Say something and wait for its echo; returns the echo (it carries the stanza-id). */
async function said(c: ImClient, r: string, body: string, extra = ''): Promise<Element> {
  const id = `m-${Math.random().toString(36).slice(2)}`;
  c.send(`<message type='groupchat' to='${roomJid(r)}' id='${id}'><body>${body}</body>${extra}</message>`);
  return c.waitFor((e) => isGroupchat(r, body)(e) && e.attrs.id === id, `the echo of ${body}`);
}

async function until(what: string, cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

const stanzaIdOf = (m: Element): string => String(m.getChild('stanza-id', SID)!.attrs.id);

function features(r: Element): Set<string> {
  return new Set(r.getChild('query')!.getChildren('feature').map((f) => String(f.attrs.var)));
}

async function roomFeatures(c: ImClient, r: string): Promise<Set<string>> {
  return features(await c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`));
}

async function configure(owner: ImClient, r: string, form: string): Promise<void> {
  const res = await owner.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><query xmlns='${MUC_OWNER}'><x xmlns='jabber:x:data' type='submit'>${form}</x></query></iq>`);
  assert.equal(res.attrs.type, 'result', res.toString());
}

/** Through the service's admin API (the owner's muc#admin is another feature's). */
async function setAffiliation(r: string, jid: string, affiliation: Affiliation): Promise<void> {
  await mucAdminOf(im.t.server.context_.router)!.setAffiliation(r, jid, affiliation);
}

test('MUC-58: a persistent room announces urn:xmpp:mam:2 and #extended; a temporary room, or one whose owner switched archiving off (muc#roomconfig_enablearchiving), does not and refuses queries', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  const f = await roomFeatures(b, r);
  assert.ok(f.has(MAM) && f.has(MAM_EXTENDED), [...f].join(' '));
  const form = await a.iq((id) => `<iq type='get' id='${id}' to='${roomJid(r)}'><query xmlns='${MUC_OWNER}'/></iq>`);
  const field = form.getChild('query')!.getChild('x', 'jabber:x:data')!.getChildren('field').find((x) => x.attrs.var === 'muc#roomconfig_enablearchiving');
  assert.ok(field, form.toString());
  assert.deepEqual([field.attrs.type, field.getChildText('value')], ['boolean', '1']);

  await configure(a, r, configField('enablearchiving', '0'));
  const off = await roomFeatures(b, r);
  assert.ok(!off.has(MAM) && !off.has(MAM_EXTENDED), [...off].join(' '));
  assert.equal(errorCondition((await query(b, roomJid(r))).iq), 'service-unavailable');
  await said(a, r, 'not kept');
  await configure(a, r, configField('enablearchiving', '1'));
  assert.deepEqual(bodies(await queryOk(b, roomJid(r))), []);

  const temp = room();
  await createRoom(a, temp, 'alice', configField('persistentroom', '0'));
  const tf = await roomFeatures(b, temp);
  assert.ok(!tf.has(MAM), [...tf].join(' '));
  assert.equal(errorCondition((await query(b, roomJid(temp))).iq), 'service-unavailable');
});

test('MOD-20: groupchat messages and subject changes are archived once, private messages never; each result is exact: from the room, <result queryid id=stanza-id>, <forwarded> with <delay/> and the message from the occupant JID with no to', async () => {
  const [a, b, c] = await im.people('a', 'b', 'c');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await a.waitFor((e) => e.name === 'presence' && e.attrs.from === `${roomJid(r)}/bob`, 'bob in');
  const before = Date.now();
  b.send(`<message type='groupchat' to='${roomJid(r)}' id='client-1'><body>hello room</body></message>`);
  const echo = await b.waitFor(isGroupchat(r, 'hello room'), 'the echo');
  const seenByA = await a.waitFor(isGroupchat(r, 'hello room'), 'the message at alice');
  assert.equal(stanzaIdOf(seenByA), stanzaIdOf(echo));
  // A private message between occupants (MOD-20: never in the room's archive).
  b.send(`<message type='chat' to='${roomJid(r)}/alice' id='pm-1'><body>just for you</body></message>`);
  await a.waitFor((e) => e.name === 'message' && e.getChildText('body') === 'just for you', 'the private message');
  a.send(`<message type='groupchat' to='${roomJid(r)}' id='subj-1'><subject>Plans</subject></message>`);
  const subj = await b.waitFor((e) => isSubject(r)(e) && e.getChildText('subject') === 'Plans', 'the new subject');
  const subjectId = stanzaIdOf(subj);
  assert.equal(subj.getChild('stanza-id', SID)!.attrs.by, roomJid(r));

  // Carol never entered this open room: she may read its archive (MOD-21, as Prosody), without real JIDs.
  const ans = await queryOk(c, roomJid(r), { queryid: 'q1' });
  assert.equal(ans.results.length, 2, ans.results.map((x) => x.toString()).join('\n'));
  const [first, second] = ans.results;
  const stamp = String(first.getChild('result', MAM)!.getChild('forwarded', FORWARD)!.getChild('delay', DELAY)!.attrs.stamp);
  assert.ok(Date.parse(stamp) >= before - 1000 && Date.parse(stamp) <= Date.now(), stamp);
  const occupantId = String(echo.getChild('occupant-id', OCCUPANT_ID)!.attrs.id);
  assert.deepEqual(shape(first), {
    name: 'message', attrs: { from: roomJid(r), to: c.jid },
    children: [{
      name: 'result', attrs: { xmlns: MAM, queryid: 'q1', id: stanzaIdOf(echo) },
      children: [{
        name: 'forwarded', attrs: { xmlns: FORWARD },
        children: [
          { name: 'delay', attrs: { xmlns: DELAY, stamp }, children: [] },
          {
            name: 'message', attrs: { xmlns: 'jabber:client', from: `${roomJid(r)}/bob`, type: 'groupchat', id: 'client-1' },
            children: [
              { name: 'body', attrs: {}, children: ['hello room'] },
              { name: 'stanza-id', attrs: { xmlns: SID, id: stanzaIdOf(echo), by: roomJid(r) }, children: [] },
              { name: 'occupant-id', attrs: { xmlns: OCCUPANT_ID, id: occupantId }, children: [] },
            ],
          },
        ],
      }],
    }],
  });
  const subjMsg = forwardedMessage(second);
  assert.equal(second.getChild('result', MAM)!.attrs.id, subjectId);
  assert.deepEqual([subjMsg.attrs.from, subjMsg.attrs.type, subjMsg.attrs.to, subjMsg.attrs.id, subjMsg.getChildText('subject'), subjMsg.getChild('body')],
    [`${roomJid(r)}/alice`, 'groupchat', undefined, 'subj-1', 'Plans', undefined]);
  assert.equal(subjMsg.getChild('x', MUC_USER), undefined);
  assert.deepEqual(shape(ans.iq), {
    name: 'iq', attrs: { type: 'result', id: String(ans.iq.attrs.id), from: roomJid(r), to: c.jid },
    children: [{
      name: 'fin', attrs: { xmlns: MAM, complete: 'true' },
      children: [{
        name: 'set', attrs: { xmlns: RSM },
        children: [
          { name: 'first', attrs: { index: '0' }, children: [stanzaIdOf(echo)] },
          { name: 'last', attrs: {}, children: [subjectId] },
          { name: 'count', attrs: {}, children: ['2'] },
        ],
      }],
    }],
  });
  assert.ok(!ans.other.some((e) => e.toString().includes('just for you')));

  // The owner may see real JIDs in this semi-anonymous room: the results say who (muc#user item jid), Bob may not.
  const own = await queryOk(a, roomJid(r));
  assert.deepEqual(own.results.map((x) => forwardedMessage(x).getChild('x', MUC_USER)?.getChild('item')?.attrs.jid), [b.jid, a.jid]);
  const bobs = await queryOk(b, roomJid(r));
  assert.deepEqual(bobs.results.map((x) => forwardedMessage(x).getChild('x', MUC_USER)), [undefined, undefined]);
  assert.deepEqual(bodies(bobs), ['hello room', '']);
});

test('MOD-20: in a non-anonymous room everyone sees the real JID in results; a forged muc#user <x/> in a message is not archived', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice', configField('whois', 'anyone'));
  await join(b, r, 'bob');
  await said(a, r, 'forged', `<x xmlns='${MUC_USER}'><item jid='someone@else.example/x'/></x>`);
  const ans = await queryOk(b, roomJid(r));
  const xs = forwardedMessage(ans.results[0]).getChildren('x', MUC_USER);
  assert.equal(xs.length, 1);
  assert.equal(xs[0].getChild('item')!.attrs.jid, a.jid);
});

test('MOD-21: members-only archive for members, admins and owners only (forbidden to others); banned users are forbidden; a password-protected room only for occupants and members', async () => {
  const [a, b, c, d] = await im.people('a', 'b', 'c', 'd');
  const r = room();
  await createRoom(a, r, 'alice', configField('membersonly', '1'));
  await said(a, r, 'members talk');
  const refused = await query(b, roomJid(r));
  assert.equal(refused.iq.attrs.type, 'error');
  assert.equal(errorCondition(refused.iq), 'forbidden');
  assert.equal(refused.results.length, 0);
  await setAffiliation(r, b.bare, 'member');
  assert.deepEqual(bodies(await queryOk(b, roomJid(r))), ['members talk']);   // a member not in the room
  await setAffiliation(r, d.bare, 'admin');
  assert.deepEqual(bodies(await queryOk(d, roomJid(r))), ['members talk']);

  const open = room();
  await createRoom(a, open, 'alice');
  await said(a, open, 'open talk');
  assert.deepEqual(bodies(await queryOk(c, roomJid(open))), ['open talk']);
  await setAffiliation(open, c.bare, 'outcast');
  assert.equal(errorCondition((await query(c, roomJid(open))).iq), 'forbidden');
  // Metadata and the form follow the same rule.
  assert.equal(errorCondition(await c.iq((id) => `<iq type='get' id='${id}' to='${roomJid(open)}'><metadata xmlns='${MAM}'/></iq>`)), 'forbidden');

  const secret = room();
  await createRoom(a, secret, 'alice', configField('passwordprotectedroom', '1') + configField('roomsecret', 'pw'));
  await said(a, secret, 'secret talk');
  assert.equal(errorCondition((await query(d, roomJid(secret))).iq), 'forbidden');
  await join(d, secret, 'dave', { password: 'pw' });
  assert.deepEqual(bodies(await queryOk(d, roomJid(secret))), ['secret talk']);
});

test('MOD-22: messages with <no-store/> or <no-permanent-store/> (XEP-0334) are reflected but not archived', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  await said(b, r, 'forget me', `<no-store xmlns='urn:xmpp:hints'/>`);
  await said(b, r, 'forget me too', `<no-permanent-store xmlns='urn:xmpp:hints'/>`);
  await said(b, r, 'keep me');
  await a.waitFor(isGroupchat(r, 'forget me'), 'reflected despite the hint');
  a.send(`<message type='groupchat' to='${roomJid(r)}'><subject>off the record</subject><no-store xmlns='urn:xmpp:hints'/></message>`);
  await a.waitFor((e) => isSubject(r)(e) && e.getChildText('subject') === 'off the record', 'the subject');
  const ans = await queryOk(a, roomJid(r));
  assert.deepEqual(bodies(ans), ['keep me']);
});

test('XEP-0425 with MUC-58: a message a moderator retracts is a tombstone in the archive (no body), and the retraction announcement is archived after it under its stanza-id', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  const bad = await said(b, r, 'something regrettable');
  await said(b, r, 'something fine');
  const res = await a.iq((id) => `<iq type='set' id='${id}' to='${roomJid(r)}'><moderate xmlns='urn:xmpp:message-moderate:1' id='${stanzaIdOf(bad)}'><retract xmlns='urn:xmpp:message-retract:1'/><reason>spam</reason></moderate></iq>`);
  assert.equal(res.attrs.type, 'result', res.toString());
  const announced = await b.waitFor((e) => e.name === 'message' && e.attrs.from === roomJid(r) && e.getChild('retract', 'urn:xmpp:message-retract:1') !== undefined, 'the retraction');
  const ans = await queryOk(b, roomJid(r));
  assert.deepEqual(ids(ans), [stanzaIdOf(bad), ids(ans)[1], stanzaIdOf(announced)]);
  const gone = forwardedMessage(ans.results[0]);
  assert.equal(gone.getChild('body'), undefined, gone.toString());
  assert.ok(!gone.toString().includes('regrettable'));
  assert.equal(gone.getChild('retracted', 'urn:xmpp:message-retract:1')?.getChildText('reason'), 'spam');
  assert.equal(gone.attrs.from, `${roomJid(r)}/bob`);
  assert.equal(bodies(ans)[1], 'something fine');
  const retraction = forwardedMessage(ans.results[2]);
  assert.deepEqual([retraction.attrs.from, retraction.getChild('retract', 'urn:xmpp:message-retract:1')?.attrs.id], [roomJid(r), stanzaIdOf(bad)]);
});

test('MOD-18 for rooms: RSM paging forwards (after) and backwards (before, empty before = last page), index, max=0 for the count, flip-page, complete only on the last page in the direction of paging', async () => {
  const [a] = await im.people('a');
  const r = room();
  await createRoom(a, r, 'alice');
  for (let i = 1; i <= 25; i++) say(a, r, `p${i}`);
  await a.waitFor(isGroupchat(r, 'p25'), 'the last echo');
  const to = roomJid(r);
  const range = (from: number, until: number): string[] => Array.from({ length: until - from + 1 }, (_, i) => `p${from + i}`);

  const p1 = await queryOk(a, to, { rsm: '<max>10</max>' });
  assert.deepEqual(bodies(p1), range(1, 10));
  assert.equal(p1.fin.attrs.complete, undefined);
  assert.deepEqual(rsmOf(p1.fin), { first: ids(p1)[0], index: '0', last: ids(p1)[9], count: '25' });
  const p2 = await queryOk(a, to, { rsm: `<max>10</max><after>${ids(p1)[9]}</after>` });
  assert.deepEqual(bodies(p2), range(11, 20));
  assert.equal(rsmOf(p2.fin).index, '10');
  assert.equal(p2.fin.attrs.complete, undefined);
  const p3 = await queryOk(a, to, { rsm: `<max>10</max><after>${ids(p2)[9]}</after>` });
  assert.deepEqual(bodies(p3), range(21, 25));
  assert.equal(p3.fin.attrs.complete, 'true');
  const all = [...ids(p1), ...ids(p2), ...ids(p3)];
  assert.equal(new Set(all).size, 25);

  const last = await queryOk(a, to, { rsm: '<max>10</max><before/>' });
  assert.deepEqual(bodies(last), range(16, 25));
  assert.equal(last.fin.attrs.complete, undefined);
  assert.equal(rsmOf(last.fin).index, '15');
  const prev = await queryOk(a, to, { rsm: `<max>10</max><before>${ids(last)[0]}</before>` });
  assert.deepEqual(bodies(prev), range(6, 15));
  const oldest = await queryOk(a, to, { rsm: `<max>10</max><before>${ids(prev)[0]}</before>` });
  assert.deepEqual(bodies(oldest), range(1, 5));
  assert.equal(oldest.fin.attrs.complete, 'true');

  const flipped = await queryOk(a, to, { rsm: '<max>10</max><before/>', flip: true });
  assert.deepEqual(bodies(flipped), range(16, 25).reverse());
  assert.deepEqual(rsmOf(flipped.fin), rsmOf(last.fin));   // the same page, only sent newest first

  const at20 = await queryOk(a, to, { rsm: '<max>10</max><index>20</index>' });
  assert.deepEqual(bodies(at20), range(21, 25));
  assert.equal(rsmOf(at20.fin).index, '20');
  const counted = await queryOk(a, to, { rsm: '<max>0</max>' });
  assert.deepEqual([counted.results.length, rsmOf(counted.fin)], [0, { first: null, index: undefined, last: null, count: '25' }]);
  const unpaged = await queryOk(a, to);
  assert.deepEqual(bodies(unpaged), range(1, 25));
  assert.equal(unpaged.fin.attrs.complete, 'true');
});

test('MOD-16/MOD-18 for rooms (#extended): after-id/before-id ranges, ids, start/end, with an occupant JID or a real JID; unknown UIDs → item-not-found, bad values → bad-request, unknown fields → feature-not-implemented', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  await join(b, r, 'bob');
  for (let i = 1; i <= 6; i++) await said(i % 2 === 1 ? a : b, r, `e${i}`);
  const to = roomJid(r);
  const all = await queryOk(a, to);
  const id = ids(all);
  assert.deepEqual(bodies(all), ['e1', 'e2', 'e3', 'e4', 'e5', 'e6']);

  assert.deepEqual(bodies(await queryOk(b, to, { fields: { 'after-id': id[1], 'before-id': id[4] } })), ['e3', 'e4']);
  assert.deepEqual(bodies(await queryOk(b, to, { fields: { 'after-id': id[3] } })), ['e5', 'e6']);
  assert.deepEqual(bodies(await queryOk(b, to, { fields: { ids: [id[4], id[0]] } })), ['e1', 'e5']);
  const bobOnly = await queryOk(b, to, { fields: { with: `${to}/bob` } });
  assert.deepEqual(bodies(bobOnly), ['e2', 'e4', 'e6']);
  assert.equal(rsmOf(bobOnly.fin).count, '3');
  assert.deepEqual(bodies(await queryOk(b, to, { fields: { with: to } })), bodies(all));
  // A real JID: the owner may filter by it (bare: any resource); Bob, in a semi-anonymous room, may not.
  assert.deepEqual(bodies(await queryOk(a, to, { fields: { with: b.bare } })), ['e2', 'e4', 'e6']);
  assert.deepEqual(bodies(await queryOk(a, to, { fields: { with: b.jid } })), ['e2', 'e4', 'e6']);
  assert.equal(errorCondition((await query(b, to, { fields: { with: a.bare } })).iq), 'forbidden');

  const stamps = all.results.map((x) => String(x.getChild('result', MAM)!.getChild('forwarded', FORWARD)!.getChild('delay', DELAY)!.attrs.stamp));
  assert.deepEqual(bodies(await queryOk(b, to, { fields: { start: '2000-01-01T00:00:00Z', end: stamps[5] } })), bodies(all));
  assert.deepEqual(bodies(await queryOk(b, to, { fields: { end: '2000-01-01T00:00:00Z' } })), []);
  const future = await queryOk(b, to, { fields: { start: '2999-01-01T00:00:00+02:00' } });
  assert.deepEqual([future.results.length, future.fin.attrs.complete, rsmOf(future.fin).count], [0, 'true', '0']);
  const fromLast = await queryOk(b, to, { fields: { start: stamps[5] } });
  assert.ok(bodies(fromLast).includes('e6'));

  const cond = async (o: Parameters<typeof query>[2]): Promise<string> => errorCondition((await query(b, to, o)).iq);
  assert.equal(await cond({ fields: { 'after-id': 'no-such-id' } }), 'item-not-found');
  assert.equal(await cond({ fields: { 'before-id': 'no-such-id' } }), 'item-not-found');
  assert.equal(await cond({ fields: { ids: [id[0], 'no-such-id'] } }), 'item-not-found');
  assert.equal(await cond({ rsm: '<after>no-such-id</after>' }), 'item-not-found');
  assert.equal(await cond({ rsm: '<before>no-such-id</before>' }), 'item-not-found');
  assert.equal(await cond({ fields: { start: 'yesterday' } }), 'bad-request');
  assert.equal(await cond({ fields: { end: '2020-13-45' } }), 'bad-request');
  assert.equal(await cond({ fields: { with: '@bad' } }), 'bad-request');
  assert.equal(await cond({ rsm: '<max>ten</max>' }), 'bad-request');
  assert.equal(await cond({ fields: { 'include-groupchat': 'true' } }), 'feature-not-implemented');
  assert.equal(await cond({ fields: { '{urn:example}full-text': 'x' } }), 'feature-not-implemented');
});

test('XEP-0313 §4.1.5, §5: an iq get returns the query form (with, start, end, before-id, after-id, ids as an open list); <metadata/> gives the first and last ids and stamps, empty for an empty archive', async () => {
  const [a, b] = await im.people('a', 'b');
  const r = room();
  await createRoom(a, r, 'alice');
  const to = roomJid(r);
  const form = await b.iq((id) => `<iq type='get' id='${id}' to='${to}'><query xmlns='${MAM}'/></iq>`);
  assert.equal(form.attrs.type, 'result', form.toString());
  const x = form.getChild('query', MAM)!.getChild('x', 'jabber:x:data')!;
  assert.equal(x.attrs.type, 'form');
  const fields = new Map(x.getChildren('field').map((f) => [String(f.attrs.var), f]));
  assert.deepEqual([...fields.keys()], ['FORM_TYPE', 'with', 'start', 'end', 'before-id', 'after-id', 'ids']);
  assert.equal(fields.get('FORM_TYPE')!.getChildText('value'), MAM);
  assert.deepEqual(['with', 'start', 'end', 'ids'].map((v) => fields.get(v)!.attrs.type), ['jid-single', 'text-single', 'text-single', 'list-multi']);
  const validate = fields.get('ids')!.getChild('validate', 'http://jabber.org/protocol/xdata-validate');
  assert.ok(validate?.getChild('open'), form.toString());
  assert.ok(!x.toString().includes('required'));

  const empty = await b.iq((id) => `<iq type='get' id='${id}' to='${to}'><metadata xmlns='${MAM}'/></iq>`);
  assert.deepEqual(shape(empty.getChild('metadata', MAM)!), { name: 'metadata', attrs: { xmlns: MAM }, children: [] });
  const m1 = await said(a, r, 'one');
  await said(a, r, 'two');
  const m3 = await said(a, r, 'three');
  const md = (await b.iq((id) => `<iq type='get' id='${id}' to='${to}'><metadata xmlns='${MAM}'/></iq>`)).getChild('metadata', MAM)!;
  assert.equal(md.getChild('start')!.attrs.id, stanzaIdOf(m1));
  assert.equal(md.getChild('end')!.attrs.id, stanzaIdOf(m3));
  assert.ok(!Number.isNaN(Date.parse(String(md.getChild('start')!.attrs.timestamp))));
});

test('MUC-58: the archive survives a restart (same ids, new messages after the old ones); destroying the room destroys its archive', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-muc-archive-'));
  let t: TestServer = await startServer(LIMITS, { dataDir });
  const clients: ImClient[] = [];
  const login = async (u: string): Promise<ImClient> => {
    const c = await ImClient.login(t, u, 'r');
    clients.push(c);
    return c;
  };
  try {
    await t.addUser('keeper', PASSWORD);
    await t.addUser('reader', PASSWORD);
    let a = await login('keeper');
    await createRoom(a, 'kept', 'k');
    const before = [await said(a, 'kept', 'before 1'), await said(a, 'kept', 'before 2')];
    a.send(`<message type='groupchat' to='${roomJid('kept')}'><subject>Kept subject</subject></message>`);
    await a.waitFor((e) => isSubject('kept')(e) && e.getChildText('subject') === 'Kept subject', 'the subject');
    const first = await queryOk(a, roomJid('kept'));
    assert.deepEqual(ids(first).slice(0, 2), before.map(stanzaIdOf));
    // A room made temporary while someone is in it is not stored: its archive is dropped at the next start.
    await createRoom(a, 'fleeting', 'k');
    await said(a, 'fleeting', 'soon gone');
    await configure(a, 'fleeting', configField('persistentroom', '0'));
    for (const c of clients.splice(0)) await c.quit();
    await t.stop();

    t = await startServer(LIMITS, { dataDir });
    const heads = t.server.storage!.get(roomArchiveStore);
    await until('the orphaned archive dropped', async () => !(await heads.allHeads()).some((h) => h._id === 'fleeting'));
    assert.deepEqual((await heads.allHeads()).map((h) => h._id), ['kept']);
    const reader = await login('reader');
    const again = await queryOk(reader, roomJid('kept'));
    assert.deepEqual(ids(again), ids(first));
    assert.deepEqual(bodies(again), ['before 1', 'before 2', '']);
    assert.equal(forwardedMessage(again.results[2]).getChildText('subject'), 'Kept subject');
    a = await login('keeper');
    await join(a, 'kept', 'k');
    await said(a, 'kept', 'after');
    assert.deepEqual(bodies(await queryOk(reader, roomJid('kept'))), ['before 1', 'before 2', '', 'after']);

    const destroyed = await a.iq((id) => `<iq type='set' id='${id}' to='${roomJid('kept')}'><query xmlns='${MUC_OWNER}'><destroy/></query></iq>`);
    assert.equal(destroyed.attrs.type, 'result', destroyed.toString());
    await createRoom(a, 'kept', 'k');
    assert.deepEqual(bodies(await queryOk(reader, roomJid('kept'))), []);
    assert.ok((await fs.readdir(dataDir)).includes('muc-archive.db'));
  } finally {
    for (const c of clients) await c.quit().catch(() => undefined);
    await t.stop();
  }
});
