// XEP-0191 blocking over real sockets (MOD-26–31) and presence as a list starts and stops applying (PRIV-23,
// MOD-27, MOD-30): block, unblock and unblock-all with their pushes, the answers a blocked contact and a blocking
// user get, a block seen as a privacy list item and the reverse, invisibility from a presence-out list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addUsers, bareOf, describe, imTestServer } from '../helpers/im-client.js';
import { assertStanzaError, type Element } from '../helpers/raw-client.js';
import { DOMAIN } from '../helpers/server.js';
import {
  NS_BLOCKING, NS_BLOCKING_ERRORS, NS_PRIVACY, activate, block, blocking, blocklist, isBlockPush, isPrivacyPush, listItems,
  makeDefault, ok, privacy, pushJids, putList, unblock,
} from '../helpers/privacy-client.js';

const im = imTestServer();
const { connect, online, friends } = im;



const chat = (to: string, id: string): string => `<message to='${to}' type='chat' id='${id}'><body>hi</body></message>`;
const isMsg = (id: string) => (e: Element): boolean => e.name === 'message' && e.attrs.id === id;
const presences = (es: Element[], from: string): string[] =>
  es.filter((e) => e.name === 'presence' && String(e.attrs.from).startsWith(from)).map((e) => `${String(e.attrs.from)} ${String(e.attrs.type ?? 'available')}`);

test('MOD-26: urn:xmpp:blocking is advertised; an empty blocklist is an empty <blocklist/>', async () => {
  await addUsers(im.t, 'b26');
  const c = await connect('b26', 'r');
  const info = await c.iq((id) => `<iq type='get' id='${id}' to='${DOMAIN}'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>`);
  assert.ok(info.getChild('query')!.getChildren('feature').some((f) => f.attrs.var === NS_BLOCKING));
  const r = await blocking(c, 'get', `<blocklist xmlns='${NS_BLOCKING}'/>`);
  ok(r);
  assert.deepEqual(r.getChild('blocklist', NS_BLOCKING)!.getChildElements(), []);
});

test('MOD-27/28/29/30: block pushes to resources that fetched the list, the contact sees the user go offline and is refused; unblock pushes and shows the user again; unblock-all', async () => {
  await addUsers(im.t, 'al27', 'bo27', 'ca27');
  await friends('al27', 'bo27');
  await friends('al27', 'ca27');
  const desk = await online('al27', 'desk');
  const phone = await online('al27', 'phone');
  const bob = await online('bo27', 'r');
  const carol = await online('ca27', 'r');
  await Promise.all([desk.untilPong(), phone.untilPong(), bob.untilPong()]);
  assert.deepEqual(await blocklist(phone), []);
  ok(await block(desk, bareOf('bo27')));
  const push = await phone.waitFor(isBlockPush('block'), 'the block push');
  assert.deepEqual(pushJids(push, 'block'), [bareOf('bo27')]);
  assert.equal(push.attrs.to, phone.jid);
  assert.deepEqual((await desk.untilPong()).filter(isBlockPush('block')), [], 'the desk never asked for the blocklist');
  // Bob sees both resources go offline (MOD-27).
  const gone = await bob.untilPong();
  assert.deepEqual(presences(gone, bareOf('al27')).sort(), [`${desk.jid} unavailable`, `${phone.jid} unavailable`], describe(gone));
  // MOD-28: bob is refused (message, iq get), his presence dropped; MOD-29: alice's messages to him refused.
  bob.send(chat(bareOf('al27'), 'm1'));
  assertStanzaError(await bob.waitFor(isMsg('m1'), 'refusal of m1'), 'service-unavailable', 'cancel', 'm1');
  const iq = await bob.iq((id) => `<iq type='get' id='${id}' to='${desk.jid}'><query xmlns='jabber:iq:version'/></iq>`);
  assertStanzaError(iq, 'service-unavailable', 'cancel');
  bob.presence('', '<show>dnd</show>');
  await bob.untilPong();
  const mark = carol.mark(desk);
  assert.deepEqual(presences(await desk.untilMark(mark), bareOf('bo27')), []);
  desk.send(chat(bareOf('bo27'), 'm2'));
  const refusal = await desk.waitFor(isMsg('m2'), 'refusal of m2');
  assertStanzaError(refusal, 'not-acceptable', 'cancel', 'm2');
  assert.ok(refusal.getChild('error')!.getChild('blocked', NS_BLOCKING_ERRORS), refusal.toString());
  // Carol is untouched.
  carol.send(chat(desk.jid, 'm3'));
  await desk.waitFor(isMsg('m3'), 'carol\'s message');
  // MOD-30: unblock → push, and bob gets the current presence of each resource.
  ok(await unblock(desk, bareOf('bo27')));
  assert.deepEqual(pushJids(await phone.waitFor(isBlockPush('unblock'), 'the unblock push'), 'unblock'), [bareOf('bo27')]);
  const back = await bob.untilPong();
  assert.deepEqual(presences(back, bareOf('al27')).sort(), [`${desk.jid} available`, `${phone.jid} available`], describe(back));
  bob.send(chat(desk.jid, 'm4'));
  await desk.waitFor(isMsg('m4'), 'bob\'s message after the unblock');
  // Unblock-all: an empty <unblock/> and its push.
  ok(await block(desk, bareOf('bo27'), bareOf('ca27')));
  assert.deepEqual(pushJids(await phone.waitFor(isBlockPush('block'), 'the second block push'), 'block'), [bareOf('bo27'), bareOf('ca27')]);
  assert.deepEqual(await blocklist(phone), [bareOf('bo27'), bareOf('ca27')]);
  ok(await unblock(desk));
  assert.deepEqual(pushJids(await phone.waitFor(isBlockPush('unblock'), 'the unblock-all push'), 'unblock'), []);
  assert.deepEqual(await blocklist(phone), []);
});

test('MOD-31: a block through XEP-0191 is a jid/deny item at the top of the default privacy list, and a deny item added through XEP-0016 is in the blocklist', async () => {
  await addUsers(im.t, 'al31', 'bo31', 'ca31', 'da31');
  const c = await connect('al31', 'r');
  const other = await connect('al31', 'o');
  assert.deepEqual(await blocklist(other), []);
  // No default list yet: one is made.
  ok(await block(c, bareOf('bo31')));
  const names = (await privacy(c, 'get')).getChild('query', NS_PRIVACY)!;
  const def = String(names.getChild('default')!.attrs.name);
  assert.deepEqual(await listItems(c, def), [`1 deny jid=${bareOf('bo31')}`]);
  // An existing default list: blocks go first, its own items follow in their order.
  await putList(c, 'mine', `<item type='subscription' value='none' action='deny' order='10'><message/></item><item action='allow' order='20'/>`);
  // The other resource follows the default: it takes a list of its own first, or the change is a conflict (PRIV-11).
  assertStanzaError(await makeDefault(c, 'mine'), 'conflict', 'cancel');
  ok(await activate(other, 'mine'));
  ok(await makeDefault(c, 'mine'));
  assert.deepEqual(await blocklist(c), [], 'the new default has no blocks');
  ok(await block(c, bareOf('ca31')));
  assert.deepEqual(await listItems(c, 'mine'), [`1 deny jid=${bareOf('ca31')}`, '2 deny subscription=none [message]', '3 allow']);
  // Changing the default changes the blocklist (XEP-0191 §3, 4.): bob is unblocked, carol blocked, each pushed.
  const earlier = (await other.untilPong()).filter((e) => e.getChild('block', NS_BLOCKING) || e.getChild('unblock', NS_BLOCKING));
  assert.deepEqual(earlier.map((p) => `${p.getChildElements()[0].name} ${p.getChildElements()[0].getChildren('item').map((i) => String(i.attrs.jid)).join(',')}`),
    [`block ${bareOf('bo31')}`, `unblock ${bareOf('bo31')}`, `block ${bareOf('ca31')}`]);
  // The reverse: a deny item written through XEP-0016 into the default list is a block, pushed as one.
  await putList(c, 'mine', `<item type='jid' value='${bareOf('ca31')}' action='deny' order='1'/><item type='jid' value='${bareOf('da31')}' action='deny' order='2'/><item action='allow' order='3'/>`);
  const pushes = await other.untilPong();
  assert.ok(pushes.some(isPrivacyPush('mine')), describe(pushes));
  assert.deepEqual(pushes.filter(isBlockPush('block')).map((p) => pushJids(p, 'block')), [[bareOf('da31')]], describe(pushes));
  assert.deepEqual(await blocklist(c), [bareOf('ca31'), bareOf('da31')]);
  // And it is enforced the same: dave is refused.
  const dave = await online('da31', 'r');
  dave.send(chat(c.jid, 'd1'));
  const r = await dave.waitFor(isMsg('d1'), 'the refusal');
  assertStanzaError(r, 'service-unavailable', 'cancel', 'd1');
  // Unblocking through XEP-0191 removes the privacy item.
  ok(await unblock(c, bareOf('da31')));
  assert.deepEqual(await listItems(c, 'mine'), [`1 deny jid=${bareOf('ca31')}`, '3 allow']);
});

test('MOD-27 errors: an empty <block/> → bad-request, a bad JID → jid-malformed, an item without jid → bad-request; nothing changes', async () => {
  await addUsers(im.t, 'al27e');
  const c = await connect('al27e', 'r');
  ok(await block(c, 'keep@example.org'));
  assertStanzaError(await block(c), 'bad-request', 'modify');
  assertStanzaError(await block(c, 'a@b@c'), 'jid-malformed', 'modify');
  assertStanzaError(await blocking(c, 'set', `<block xmlns='${NS_BLOCKING}'><item/></block>`), 'bad-request', 'modify');
  assertStanzaError(await unblock(c, '@@'), 'jid-malformed', 'modify');
  const many = Array.from({ length: 1001 }, (_, i) => `u${i}@example.org`);
  assertStanzaError(await block(c, ...many), 'policy-violation', 'modify');
  assert.deepEqual(await blocklist(c), ['keep@example.org']);
});

test('PRIV-23: a presence-out rule makes the user look offline to one contact and visible again when the rule goes; a deny-all presence-out list is invisibility', async () => {
  await addUsers(im.t, 'al23', 'bo23', 'ca23');
  await friends('al23', 'bo23');
  await friends('al23', 'ca23');
  const al = await online('al23', 'r');
  const bob = await online('bo23', 'r');
  const carol = await online('ca23', 'r');
  await Promise.all([al.untilPong(), bob.untilPong(), carol.untilPong()]);
  await putList(al, 'hide', `<item type='jid' value='${bareOf('bo23')}' action='deny' order='1'><presence-out/></item>`);
  ok(await activate(al, 'hide'));
  assert.deepEqual(presences(await bob.untilPong(), bareOf('al23')), [`${al.jid} unavailable`]);
  assert.deepEqual(presences(await carol.untilPong(), bareOf('al23')), [], 'carol is told nothing');
  // A presence change reaches carol only; bob's messages still arrive (only presence is hidden).
  al.presence('', '<show>away</show>');
  await carol.waitFor((e) => e.name === 'presence' && e.attrs.from === al.jid && e.getChildText('show') === 'away', 'carol sees away');
  bob.send(chat(al.jid, 'p1'));
  await al.waitFor(isMsg('p1'), 'bob can still write');
  await bob.untilPong();
  let mark = carol.mark(bob);
  assert.deepEqual(presences(await bob.untilMark(mark), bareOf('al23')), [], 'bob saw no away');
  // The rule goes: bob gets her current presence.
  ok(await activate(al, null));
  const again = await bob.untilPong();
  assert.deepEqual(presences(again, bareOf('al23')), [`${al.jid} available`]);
  assert.equal(again.find((e) => e.name === 'presence')!.getChildText('show'), 'away');
  // Invisibility: presence-out denied to everyone.
  await putList(al, 'invisible', `<item action='deny' order='1'><presence-out/></item>`);
  ok(await activate(al, 'invisible'));
  for (const c of [bob, carol]) assert.deepEqual(presences(await c.untilPong(), bareOf('al23')), [`${al.jid} unavailable`]);
  al.presence('', '<show>chat</show>');
  await al.untilPong();
  mark = al.mark(carol);
  assert.deepEqual(presences(await carol.untilMark(mark), bareOf('al23')), [], 'invisible');
  ok(await activate(al, null));
  for (const c of [bob, carol]) assert.deepEqual(presences(await c.untilPong(), bareOf('al23')), [`${al.jid} available`]);
});
