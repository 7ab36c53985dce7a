// XEP-0016 privacy lists over real sockets: list management and its errors (PRIV-01–11, PRIV-28, BAD-42), and
// enforcement (PRIV-12–22, PRIV-25) — a list blocking one sender's messages while others still arrive, group and
// subscription rules, stanza kinds, per-session active lists against the account's default, the offline case, the
// user's own resources. One server for the file; each test uses its own accounts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsers, bareOf, describe, imTestServer, isPresence } from '../helpers/im-client.js';
import { assertStanzaError, type Element } from '../helpers/raw-client.js';
import { DOMAIN } from '../helpers/server.js';
import {
  NS_PRIVACY, activate, isPrivacyPush, listItems, makeDefault, ok, privacy, putList,
} from '../helpers/privacy-client.js';

const im = imTestServer();
const { connect, online, friends } = im;


const chat = (to: string, id: string, body = 'hi'): string => `<message to='${to}' type='chat' id='${id}'><body>${body}</body></message>`;
const isMsg = (id: string) => (e: Element): boolean => e.name === 'message' && e.attrs.id === id;
const ids = (es: Element[]): string[] => es.filter((e) => e.name === 'message').map((e) => String(e.attrs.id));


test('PRIV-01/02/03/28: a list of 3 items comes back as stored; names carry the default and this session\'s active list; two lists at once → bad-request; disco advertises jabber:iq:privacy', async () => {
  await addUsers(im.t, 'pl1');
  const c = await connect('pl1', 'r');
  const info = await c.iq((id) => `<iq type='get' id='${id}' to='${DOMAIN}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  const features = info.getChild('query')!.getChildren('feature').map((f) => f.attrs.var);
  assert.ok(features.includes(NS_PRIVACY), `disco#info: ${features.join(' ')}`);
  // Empty at first.
  const empty = await privacy(c, 'get');
  ok(empty);
  assert.deepEqual(empty.getChild('query', NS_PRIVACY)!.getChildElements().map((e) => e.name), []);
  await putList(c, 'public', `<item type='jid' value='Tybalt@Example.com' action='deny' order='3'/>
    <item type='subscription' value='both' action='allow' order='1'><message/><presence-in/></item>
    <item action='allow' order='68'/>`);
  assert.deepEqual(await listItems(c, 'public'), ['1 allow subscription=both [message,presence-in]', '3 deny jid=tybalt@example.com', '68 allow']);
  await putList(c, 'private', `<item action='deny' order='1'><presence-out/></item>`);
  ok(await makeDefault(c, 'public'));
  ok(await activate(c, 'private'));
  const names = (await privacy(c, 'get')).getChild('query', NS_PRIVACY)!;
  assert.equal(names.getChild('active')?.attrs.name, 'private');
  assert.equal(names.getChild('default')?.attrs.name, 'public');
  assert.deepEqual(names.getChildren('list').map((l) => l.attrs.name).sort(), ['private', 'public']);
  // PRIV-03
  const two = await privacy(c, 'get', `<list name='public'/><list name='private'/>`);
  assertStanzaError(two, 'bad-request', 'modify');
  assertStanzaError(await privacy(c, 'get', `<list name='nope'/>`), 'item-not-found', 'cancel');
  // Another session of the account has no active list of its own.
  const other = await connect('pl1', 'other');
  const names2 = (await privacy(other, 'get')).getChild('query', NS_PRIVACY)!;
  assert.equal(names2.getChild('active'), undefined);
  assert.equal(names2.getChild('default')?.attrs.name, 'public');
});

test('PRIV-04/05/06, BAD-42: malformed sets are refused with the spec\'s error and nothing stored changes', async () => {
  await addUsers(im.t, 'pl2');
  const c = await connect('pl2', 'r');
  await putList(c, 'keep', `<item type='jid' value='x@y' action='deny' order='1'/>`);
  const cases: [string, string, string][] = [
    [`<active name='keep'/><default name='keep'/>`, 'bad-request', 'modify'],   // PRIV-04
    [``, 'bad-request', 'modify'],
    [`<frobnicate/>`, 'bad-request', 'modify'],   // unknown action
    [`<list name='keep'><item action='deny' order='5'/><item action='allow' order='5'/></list>`, 'bad-request', 'modify'],   // duplicate order
    [`<list name='keep'><item type='subscription' value='sometimes' action='deny' order='1'/></list>`, 'bad-request', 'modify'],
    [`<list name='keep'><item type='jid' value='a@b@c' action='deny' order='1'/></list>`, 'jid-malformed', 'modify'],
    [`<list name='keep'><item action='maybe' order='1'/></list>`, 'bad-request', 'modify'],
    [`<list name='keep'><item action='deny'/></list>`, 'bad-request', 'modify'],
    [`<list name='keep'><item action='deny' order='-1'/></list>`, 'bad-request', 'modify'],
    [`<list name='keep'><item type='color' value='red' action='deny' order='1'/></list>`, 'bad-request', 'modify'],
    [`<list name='keep'><item action='deny' order='1'><sms/></item></list>`, 'bad-request', 'modify'],
    [`<list name='keep'><item type='group' value='Nope' action='deny' order='1'/></list>`, 'item-not-found', 'cancel'],   // PRIV-06
    [`<list><item action='deny' order='1'/></list>`, 'bad-request', 'modify'],
    [`<active name='nope'/>`, 'item-not-found', 'cancel'],
    [`<default name='nope'/>`, 'item-not-found', 'cancel'],
    [`<list name='nope'/>`, 'item-not-found', 'cancel'],   // removing what does not exist
  ];
  for (const [content, condition, type] of cases) {
    const r = await privacy(c, 'set', content);
    assertStanzaError(r, condition, type);
  }
  // 1,001 items: beyond the limit, <policy-violation/>.
  const many = Array.from({ length: 1001 }, (_, i) => `<item action='deny' order='${i}'/>`).join('');
  assertStanzaError(await privacy(c, 'set', `<list name='keep'>${many}</list>`), 'policy-violation', 'modify');
  assert.deepEqual(await listItems(c, 'keep'), ['1 deny jid=x@y'], 'the list is as it was');
  const names = (await privacy(c, 'get')).getChild('query', NS_PRIVACY)!;
  assert.deepEqual(names.getChildren('list').map((l) => l.attrs.name), ['keep']);
  assert.equal(names.getChild('default'), undefined);
  assert.equal(names.getChild('active'), undefined);
});

test('PRIV-08: a create, an edit and a removal are each pushed (name only) to every connected resource', async () => {
  await addUsers(im.t, 'pl3');
  const c1 = await connect('pl3', 'one');
  const c2 = await connect('pl3', 'two');
  await putList(c1, 'l', `<item action='deny' order='1'/>`);
  await putList(c1, 'l', `<item action='allow' order='1'/>`);
  ok(await privacy(c1, 'set', `<list name='l'/>`));
  for (const c of [c1, c2]) {
    const pushes = (await c.untilPong()).filter(isPrivacyPush('l'));
    assert.equal(pushes.length, 3, `three pushes to ${c.jid}`);
    for (const p of pushes) {
      assert.equal(p.attrs.to, c.jid);
      assert.deepEqual(p.getChild('query', NS_PRIVACY)!.getChild('list')!.getChildElements(), [], 'a push names the list only');
      c.send(`<iq type='result' id='${String(p.attrs.id)}'/>`);   // answered and ignored
    }
  }
  assert.deepEqual((await privacy(c1, 'get')).getChild('query', NS_PRIVACY)!.getChildren('list'), []);
});

test('PRIV-09/20/22: an active list blocks messages from one JID on that session only, others still arrive; the blocked sender gets service-unavailable; sending to a denied JID → not-acceptable', async () => {
  await addUsers(im.t, 'al9', 'bo9', 'ca9');
  const desk = await online('al9', 'desk');
  const phone = await online('al9', 'phone');
  const bob = await online('bo9', 'r');
  const carol = await online('ca9', 'r');
  await putList(desk, 'no-bob', `<item type='jid' value='${bareOf('bo9')}' action='deny' order='1'><message/></item>`);
  ok(await activate(desk, 'no-bob'));
  // To the full JID of the session with the list: refused. Carol's still arrives.
  bob.send(chat(desk.jid, 'b1'));
  assertStanzaError(await bob.waitFor(isMsg('b1'), 'the refusal of b1'), 'service-unavailable', 'cancel', 'b1');
  carol.send(chat(desk.jid, 'c1'));
  await desk.waitFor(isMsg('c1'), 'carol\'s message');
  // To the bare JID: the phone (no list) gets it, the desk does not.
  bob.send(chat(bareOf('al9'), 'b2'));
  await phone.waitFor(isMsg('b2'), 'bob\'s message on the phone');
  await bob.untilPong();
  const m = carol.mark(desk);
  assert.deepEqual(ids(await desk.untilMark(m)).filter((x) => x.startsWith('b')), [], 'nothing of bob reached the desk');
  // Outbound: an item naming no kind blocks what the user sends too (PRIV-22).
  await putList(desk, 'no-bob', `<item type='jid' value='${bareOf('bo9')}' action='deny' order='1'/>`);
  desk.send(chat(bareOf('bo9'), 'o1'));
  // A jid/deny item naming no kind is also a blocklist entry: XEP-0191's <blocked/> comes with it (MOD-29).
  const o1 = await desk.waitFor(isMsg('o1'), 'the refusal of o1');
  assertStanzaError(o1, 'not-acceptable', 'cancel', 'o1');
  assert.ok(o1.getChild('error')!.getChild('blocked', 'urn:xmpp:blocking:errors'), o1.toString());
  await putList(desk, 'no-bob', `<item type='jid' value='${bareOf('bo9')}' action='deny' order='1'/><item action='deny' order='2'><presence-in/></item>`);
  desk.send(chat(bareOf('bo9'), 'o1b'));
  assertStanzaError(await desk.waitFor(isMsg('o1b'), 'the refusal of o1b'), 'not-acceptable', 'cancel', 'o1b');
  await putList(desk, 'no-bob', `<item type='jid' value='${bareOf('bo9')}' action='allow' order='1'><message/></item><item action='deny' order='2'/>`);
  desk.send(chat(bareOf('bo9'), 'o1c'));
  const o1c = await desk.waitFor(isMsg('o1c'), 'the refusal of o1c');
  assertStanzaError(o1c, 'not-acceptable', 'modify', 'o1c');
  assert.equal(o1c.getChild('error')!.getChild('blocked', 'urn:xmpp:blocking:errors'), undefined, 'not a blocklist entry');
  phone.send(chat(bareOf('bo9'), 'o2'));
  await bob.waitFor(isMsg('o2'), 'the phone still writes to bob');
  // Declining the active list: bob reaches the desk again.
  ok(await activate(desk, null));
  bob.send(chat(desk.jid, 'b3'));
  await desk.waitFor(isMsg('b3'), 'bob\'s message after the decline');
});

test('PRIV-12/14: exactly one list governs — the session\'s active list over the default; first match in order decides', async () => {
  await addUsers(im.t, 'al12', 'bo12', 'ca12');
  const desk = await online('al12', 'desk');
  const phone = await online('al12', 'phone');
  const bob = await online('bo12', 'r');
  const carol = await online('ca12', 'r');
  await putList(desk, 'deny-bob', `<item type='jid' value='${bareOf('bo12')}' action='deny' order='1'><message/></item>`);
  await putList(desk, 'allow-all', `<item action='allow' order='1'/>`);
  ok(await makeDefault(desk, 'deny-bob'));
  ok(await activate(desk, 'allow-all'));
  bob.send(chat(desk.jid, 'b1'));
  await desk.waitFor(isMsg('b1'), 'bob allowed by the active list');
  bob.send(chat(phone.jid, 'b2'));
  assertStanzaError(await bob.waitFor(isMsg('b2'), 'the refusal of b2'), 'service-unavailable', 'cancel', 'b2');
  // Order: 1 allow bob, 2 deny everyone else's messages.
  await putList(desk, 'only-bob', `<item action='deny' order='2'><message/></item><item type='jid' value='${bareOf('bo12')}' action='allow' order='1'/>`);
  ok(await activate(desk, 'only-bob'));
  bob.send(chat(desk.jid, 'b3'));
  await desk.waitFor(isMsg('b3'), 'bob allowed by the earlier item');
  carol.send(chat(desk.jid, 'c1'));
  assertStanzaError(await carol.waitFor(isMsg('c1'), 'the refusal of c1'), 'service-unavailable', 'cancel', 'c1');
});

test('PRIV-15: jid items match full JID, bare JID, domain/resource and domain (a domain item covers its users)', async () => {
  await addUsers(im.t, 'al15', 'bo15');
  const al = await online('al15', 'r');
  const bob = await online('bo15', 'res');
  const cases: [string, boolean][] = [
    [`${bareOf('bo15')}/res`, true], [`${bareOf('bo15')}/other`, false], [bareOf('bo15'), true], [`${DOMAIN}/res`, true],
    [`${DOMAIN}/other`, false], [DOMAIN, true], [`other.${DOMAIN}`, false],
  ];
  let n = 0;
  for (const [value, blocks] of cases) {
    await putList(al, 'j', `<item type='jid' value='${value}' action='deny' order='1'><message/></item>`);
    ok(await activate(al, 'j'));
    const id = `j${n++}`;
    bob.send(chat(al.jid, id));
    const got = await bob.untilPong();
    if (blocks) {
      const refusal = got.find(isMsg(id));
      assert.ok(refusal, `refusal by ${value}: ${describe(got)}`);
      assertStanzaError(refusal, 'service-unavailable', 'cancel', id);
    } else {
      assert.deepEqual(ids(got), [], `no refusal for ${value}`);
      await al.waitFor(isMsg(id), `message through ${value}`);
    }
  }
});

test('PRIV-16/25: a group rule and a subscription rule; moving a contact into the denied group blocks its next message', async () => {
  await addUsers(im.t, 'al16', 'bo16', 'ca16', 'st16');
  await friends('al16', 'bo16', ['Work']);
  await friends('al16', 'ca16', ['Friends']);
  const al = await online('al16', 'r');
  const bob = await online('bo16', 'r');
  const carol = await online('ca16', 'r');
  const stranger = await online('st16', 'r');
  await putList(al, 'g', `<item type='group' value='Work' action='deny' order='1'><message/></item>`);
  ok(await activate(al, 'g'));
  bob.send(chat(al.jid, 'g1'));
  assertStanzaError(await bob.waitFor(isMsg('g1'), 'group refusal'), 'service-unavailable', 'cancel', 'g1');
  carol.send(chat(al.jid, 'g2'));
  await al.waitFor(isMsg('g2'), 'carol not in Work');
  // Subscription none: strangers only ("not in the roster" is none).
  await putList(al, 's', `<item type='subscription' value='none' action='deny' order='1'><message/></item>`);
  ok(await activate(al, 's'));
  stranger.send(chat(al.jid, 's1'));
  assertStanzaError(await stranger.waitFor(isMsg('s1'), 'subscription refusal'), 'service-unavailable', 'cancel', 's1');
  bob.send(chat(al.jid, 's2'));
  await al.waitFor(isMsg('s2'), 'bob has a subscription');
  // PRIV-25: a roster change applies to the next stanza.
  ok(await activate(al, 'g'));
  ok(await al.rosterSet(`<item jid='${bareOf('ca16')}'><group>Work</group></item>`));
  carol.send(chat(al.jid, 'g3'));
  assertStanzaError(await carol.waitFor(isMsg('g3'), 'refusal after the move'), 'service-unavailable', 'cancel', 'g3');
});

test('PRIV-17/19/13/29: presence-in blocks notifications but not subscription requests; a deny-all item drops any presence silently, subscription requests included, and changes nothing for the blocked contact', async () => {
  await addUsers(im.t, 'al17', 'bo17', 'ca17');
  await friends('al17', 'bo17');
  const al = await online('al17', 'r');
  const bob = await online('bo17', 'r');
  await al.untilPong();
  const carol = await online('ca17', 'r');
  await putList(al, 'pin', `<item type='jid' value='${bareOf('bo17')}' action='deny' order='1'><presence-in/></item>
    <item type='jid' value='${bareOf('ca17')}' action='deny' order='2'><presence-in/></item>`);
  ok(await activate(al, 'pin'));
  bob.presence('', '<show>away</show>');
  await bob.untilPong();
  carol.send(`<presence to='${bareOf('al17')}' type='subscribe'/>`);
  await al.waitFor(isPresence('subscribe', bareOf('ca17')), 'carol\'s request passes presence-in');
  let mark = carol.mark(al);
  // PRIV-24: bob was available to alice; as presence-in starts hiding him, she gets his unavailable, then nothing.
  assert.deepEqual((await al.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === bob.jid).map((e) => e.attrs.type), ['unavailable'], 'bob\'s away was not delivered');
  // No kind: every presence type, silently (PRIV-19), before subscription handling (PRIV-13).
  const itemsBefore = (await bob.roster()).map((i) => i.toString());
  await putList(al, 'all', `<item type='jid' value='${bareOf('ca17')}' action='deny' order='1'/>`);
  ok(await activate(al, 'all'));
  ok(await makeDefault(al, 'all'));
  carol.send(`<presence to='${bareOf('al17')}' type='subscribe'/><presence to='${bareOf('al17')}' type='probe'/><presence to='${al.jid}'/>`);
  const back = await carol.untilPong();
  assert.deepEqual(back.filter((e) => e.name === 'presence'), [], `no answer, no error: ${describe(back)}`);
  mark = bob.mark(al);
  const seen = await al.untilMark(mark);
  assert.deepEqual(seen.filter((e) => String(e.attrs.from ?? '').startsWith(bareOf('ca17')) || e.getChild('query', 'jabber:iq:roster')), [], `nothing of carol and no roster push: ${describe(seen)}`);
  assert.equal((await al.roster()).find((i) => i.attrs.jid === bareOf('ca17'))?.attrs.ask, undefined);
  assert.equal((await al.roster()).some((i) => i.attrs.jid === bareOf('ca17')), false, 'carol is not in alice\'s roster');
  // PRIV-29: polite blocking — bob's roster is as it was (blocking is not unsubscribing).
  await putList(al, 'all', `<item type='jid' value='${bareOf('bo17')}' action='deny' order='1'/>`);
  assert.deepEqual((await bob.roster()).map((i) => i.toString()), itemsBefore);
});

test('PRIV-21: a blocked iq get → service-unavailable; a blocked iq result is dropped', async () => {
  await addUsers(im.t, 'al21', 'bo21', 'ca21');
  await friends('al21', 'bo21');
  const al = await online('al21', 'r');
  const bob = await online('bo21', 'r');
  const carol = await online('ca21', 'r');
  await putList(al, 'noiq', `<item type='jid' value='${bareOf('bo21')}' action='deny' order='1'><iq/></item>`);
  ok(await activate(al, 'noiq'));
  const r = await bob.iq((id) => `<iq type='get' id='${id}' to='${al.jid}'><query xmlns='jabber:iq:version'/></iq>`);
  assertStanzaError(r, 'service-unavailable', 'cancel');
  bob.send(`<iq type='result' id='res1' to='${al.jid}'/>`);
  await bob.untilPong();
  const mark = carol.mark(al);
  assert.deepEqual((await al.untilMark(mark)).filter((e) => e.attrs.id === 'res1'), []);
  // iqs to the bare JID (answered by the server for the account) follow the default list.
  ok(await makeDefault(al, 'noiq'));
  const v = await bob.iq((id) => `<iq type='get' id='${id}' to='${bareOf('al21')}'><vCard xmlns='vcard-temp'/></iq>`);
  assertStanzaError(v, 'service-unavailable', 'cancel');
});

test('PRIV-07/11: removing a list another resource has active, or changing the default another resource follows → conflict, nothing changes', async () => {
  await addUsers(im.t, 'al7');
  const c1 = await connect('al7', 'one');
  const c2 = await connect('al7', 'two');
  await putList(c1, 'x', `<item action='deny' order='1'><message/></item>`);
  await putList(c1, 'y', `<item action='allow' order='1'/>`);
  ok(await activate(c2, 'x'));
  assertStanzaError(await privacy(c1, 'set', `<list name='x'/>`), 'conflict', 'cancel');
  assert.deepEqual(await listItems(c1, 'x'), ['1 deny [message]']);
  // The session that has it active may remove it; its active list goes with it.
  ok(await privacy(c2, 'set', `<list name='x'/>`));
  assert.equal((await privacy(c2, 'get')).getChild('query', NS_PRIVACY)!.getChild('active'), undefined);
  // Default: c2 (no active list) follows it, so c1 may not change or decline it.
  ok(await makeDefault(c1, 'y'));
  await putList(c1, 'z', `<item action='allow' order='1'/>`);
  assertStanzaError(await makeDefault(c1, 'z'), 'conflict', 'cancel');
  assertStanzaError(await makeDefault(c1, null), 'conflict', 'cancel');
  assertStanzaError(await privacy(c1, 'set', `<list name='y'/>`), 'conflict', 'cancel');
  assert.equal((await privacy(c1, 'get')).getChild('query', NS_PRIVACY)!.getChild('default')?.attrs.name, 'y');
  // Once c2 has a list of its own, nobody else relies on the default.
  ok(await activate(c2, 'z'));
  ok(await makeDefault(c1, 'z'));
  ok(await makeDefault(c1, null));
});

test('PRIV-18: a deny-all list never blocks the user\'s own resources or the server', async () => {
  await addUsers(im.t, 'al18');
  const c1 = await online('al18', 'one');
  const c2 = await online('al18', 'two');
  await putList(c1, 'wall', `<item action='deny' order='1'/>`);
  ok(await makeDefault(c1, 'wall'));
  ok(await activate(c1, 'wall'));
  c1.send(chat(c2.jid, 'own1'));
  await c2.waitFor(isMsg('own1'), 'a message between own resources');
  c2.send(chat(c1.jid, 'own2'));
  await c1.waitFor(isMsg('own2'), 'and back');
  await c1.untilPong();
  ok(await c1.iq((id) => `<iq type='get' id='${id}' to='${DOMAIN}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`));
});

test('PRIV-10: a default list applies while the user is offline: the denied sender\'s message is refused, not stored', async () => {
  await addUsers(im.t, 'al10', 'bo10', 'ca10');
  const al = await connect('al10', 'r');
  await putList(al, 'd', `<item type='jid' value='${bareOf('bo10')}' action='deny' order='1'><message/></item>`);
  ok(await makeDefault(al, 'd'));
  await al.quit();
  const bob = await online('bo10', 'r');
  const carol = await online('ca10', 'r');
  bob.send(chat(bareOf('al10'), 'off1'));
  assertStanzaError(await bob.waitFor(isMsg('off1'), 'the refusal'), 'service-unavailable', 'cancel', 'off1');
  carol.send(chat(bareOf('al10'), 'off2'));
  await carol.untilPong();
  const back = await connect('al10', 'back');
  back.presence();
  const got = await back.untilPong();
  assert.deepEqual(ids(got), ['off2'], `offline messages: ${describe(got)}`);
});

test('PRIV-12/17: presence-in on one resource\'s active list — that resource stops seeing a contact, the other still does; a chat to a resource that is gone follows each resource\'s list', async () => {
  await addUsers(im.t, 'al12p', 'bo12p');
  await friends('al12p', 'bo12p');
  const desk = await online('al12p', 'desk');
  const phone = await online('al12p', 'phone');
  const bob = await online('bo12p', 'r');
  await Promise.all([desk.untilPong(), phone.untilPong()]);
  await putList(desk, 'quiet', `<item type='jid' value='${bareOf('bo12p')}' action='deny' order='1'><presence-in/><message/></item>`);
  ok(await activate(desk, 'quiet'));
  bob.presence('', '<show>xa</show>');
  await phone.waitFor((e) => e.name === 'presence' && e.attrs.from === bob.jid && e.getChildText('show') === 'xa', 'the phone sees bob');
  await bob.untilPong();
  const mark = phone.mark(desk);
  const seen = await desk.untilMark(mark);
  assert.deepEqual(seen.filter((e) => e.name === 'presence' && e.attrs.from === bob.jid && e.attrs.type === undefined), [], describe(seen));
  // To a resource that is not there: delivered as to the bare JID, to the phone only.
  bob.send(chat(`${bareOf('al12p')}/gone`, 'gone1'));
  await phone.waitFor(isMsg('gone1'), 'the phone gets it');
  await bob.untilPong();
  const mark2 = phone.mark(desk);
  assert.deepEqual(ids(await desk.untilMark(mark2)), []);
});

test('PRIV-10: a message stored offline before its sender was blocked is not handed out at login (and is dropped)', async () => {
  await addUsers(im.t, 'al10s', 'bo10s', 'ca10s');
  const al = await connect('al10s', 'r');   // connected, not available: messages are stored
  const bob = await online('bo10s', 'r');
  const carol = await online('ca10s', 'r');
  carol.send(chat(bareOf('al10s'), 'st1'));
  bob.send(chat(bareOf('al10s'), 'st2'));
  await Promise.all([carol.untilPong(), bob.untilPong()]);
  await putList(al, 'later', `<item type='jid' value='${bareOf('ca10s')}' action='deny' order='1'><message/></item>`);
  ok(await makeDefault(al, 'later'));
  al.presence();
  const got = await al.untilPong();
  assert.deepEqual(ids(got), ['st2'], describe(got));
  await al.quit();
  const again = await connect('al10s', 'again');
  again.presence();
  assert.deepEqual(ids(await again.untilPong()), [], 'carol\'s stored message is gone');
});

test('PRIV-23/25: a roster change that brings a contact under a presence-out rule sends it unavailable; moving it out shows the user again', async () => {
  await addUsers(im.t, 'al23', 'bo23', 'ca23');
  await friends('al23', 'bo23', ['Friends']);
  await friends('al23', 'ca23', ['Work']);   // XEP-0016 §2.1: a group rule names a group the roster has
  const al = await online('al23', 'r');
  const bob = await online('bo23', 'r');
  await al.untilPong();
  await putList(al, 'hide-work', `<item type='group' value='Work' action='deny' order='1'><presence-out/></item>`);
  ok(await activate(al, 'hide-work'));
  let mark = al.mark(bob);
  assert.deepEqual((await bob.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === al.jid), [], 'bob is not in Work yet: nothing changes for him');
  // Moving bob into Work: the rule now applies to him, so he sees alice leave.
  ok(await al.rosterSet(`<item jid='${bareOf('bo23')}'><group>Work</group></item>`));
  mark = al.mark(bob);
  assert.deepEqual((await bob.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === al.jid).map((e) => e.attrs.type ?? 'available'), ['unavailable']);
  // A presence change of hers does not reach him while the rule applies.
  al.presence('', '<show>away</show>');
  await al.untilPong();
  mark = al.mark(bob);
  assert.deepEqual((await bob.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === al.jid), []);
  // Out of Work again: he gets her current presence.
  ok(await al.rosterSet(`<item jid='${bareOf('bo23')}'><group>Friends</group></item>`));
  mark = al.mark(bob);
  const back = (await bob.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === al.jid);
  assert.deepEqual(back.map((e) => [e.attrs.type ?? 'available', e.getChildText('show')]), [['available', 'away']]);
});

test('PRIV-23/12: the unavailable the server sends when a connection is lost follows that session\'s active list, so a contact it hid from sees nothing', async () => {
  await addUsers(im.t, 'al24', 'bo24');
  await friends('al24', 'bo24');
  const al1 = await online('al24', 'one');
  const al2 = await online('al24', 'two');
  const bob = await online('bo24', 'r');
  await putList(al1, 'hide', `<item type='jid' value='${bareOf('bo24')}' action='deny' order='1'><presence-out/></item>`);
  ok(await activate(al1, 'hide'));
  let mark = al2.mark(bob);
  assert.deepEqual((await bob.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === al1.jid).map((e) => e.attrs.type), ['unavailable'], 'hidden from bob');
  al1.kill();
  // The broadcast reaches the user's own resources after every contact (RFC 6121 §4.5.2 order in presence.ts).
  await al2.waitFor(isPresence('unavailable', al1.jid), 'the lost resource\'s unavailable at the other one');
  mark = al2.mark(bob);
  assert.deepEqual((await bob.untilMark(mark)).filter((e) => e.name === 'presence' && e.attrs.from === al1.jid), [], 'nothing of the hidden resource');
});
