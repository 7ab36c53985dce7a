// Privacy lists and blocking across federation (a second Parley as the peer), and the item limit on a list of
// 10,000 items: a block of a remote JID is enforced on the s2s paths both ways, a domain item covers every user of
// the remote domain, and a list far beyond the limit is refused with <policy-violation/> and changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, link, isStanza, type DomainServer, clientsOf, untilPong } from '../helpers/s2s.js';
import { assertStanzaError, nextId, type Element } from '../helpers/raw-client.js';
import { NS_BLOCKING_ERRORS, NS_PRIVACY, activate, block, blocklist, listItems, ok, privacy, putList, rawSender, unblock } from '../helpers/privacy-client.js';

let a: DomainServer;
let b: DomainServer;
const clients = clientsOf();
const { login } = clients;

before(async () => {
  // A stanza limit above the default 256 KiB so that the 10,000-item list reaches the privacy module at all.
  [a, b] = await Promise.all([startDomain('a.test', { limits: { maxStanzaBytes: 2 * 1024 * 1024 } }), startDomain('b.test')]);
  link(a, b);
  await Promise.all([a.addUser('alice'), a.addUser('ann'), b.addUser('rob'), b.addUser('ray')]);
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});



const chat = (to: string, id: string): string => `<message to='${to}' type='chat' id='${id}'><body>hi</body></message>`;
const isMsg = (id: string) => isStanza('message', (e) => e.attrs.id === id);

test('MOD-27/28/29: blocking a remote JID across federation — its message is refused over s2s, the user\'s to it never leaves; unblocked, both flow again', async () => {
  const alice = await login(a, 'alice');
  const rob = await login(b, 'rob');
  const ray = await login(b, 'ray');
  const al = rawSender(alice);
  // Federation works first.
  rob.send(chat(alice.jid, 'f0'));
  await alice.nextElement(isMsg('f0'), 'rob\'s first message');
  ok(await block(al, 'rob@b.test'));
  assert.deepEqual(await blocklist(al), ['rob@b.test']);
  rob.send(chat('alice@a.test', 'f1'));
  assertStanzaError(await rob.nextElement(isMsg('f1'), 'the refusal over s2s'), 'service-unavailable', 'cancel', 'f1');
  const iq = nextId('v');
  assertStanzaError(await rob.iq(`<iq type='get' id='${iq}' to='${alice.jid}'><query xmlns='jabber:iq:version'/></iq>`, iq), 'service-unavailable', 'cancel', iq);
  alice.send(chat('rob@b.test', 'f2'));
  const refusal = await alice.nextElement(isMsg('f2'), 'the refusal of f2');
  assertStanzaError(refusal, 'not-acceptable', 'cancel', 'f2');
  assert.ok(refusal.getChild('error')!.getChild('blocked', NS_BLOCKING_ERRORS));
  // Ray on the same server is not blocked.
  ray.send(chat(alice.jid, 'f3'));
  await alice.nextElement(isMsg('f3'), 'ray\'s message');
  alice.send(chat('ray@b.test', 'f4'));
  await ray.nextElement(isMsg('f4'), 'alice to ray');
  // Nothing of f2 reached rob, before a marker sent after it through the same s2s stream.
  await untilPong(alice);
  alice.send(chat('ray@b.test', 'f5'));
  await ray.nextElement(isMsg('f5'), 'the marker');
  assert.deepEqual((await untilPong(rob)).filter((e) => e.name === 'message' && e.attrs.type !== 'error'), []);
  ok(await unblock(al, 'rob@b.test'));
  rob.send(chat(alice.jid, 'f6'));
  await alice.nextElement(isMsg('f6'), 'rob\'s message after the unblock');
  alice.send(chat('rob@b.test', 'f7'));
  await rob.nextElement(isMsg('f7'), 'alice to rob after the unblock');
});

test('PRIV-15: a privacy item for a remote domain covers every user of that domain across federation', async () => {
  const ann = await login(a, 'ann');
  const rob = await login(b, 'rob', 'd');
  const ray = await login(b, 'ray', 'd');
  const an = rawSender(ann);
  await putList(an, 'no-b', `<item type='jid' value='b.test' action='deny' order='1'><message/></item>`);
  ok(await activate(an, 'no-b'));
  for (const [c, id] of [[rob, 'd1'], [ray, 'd2']] as const) {
    c.send(chat(ann.jid, id));
    assertStanzaError(await c.nextElement(isMsg(id), `the refusal of ${id}`), 'service-unavailable', 'cancel', id);
  }
  // Only inbound messages are named: ann may still write to them.
  ann.send(chat('rob@b.test', 'd3'));
  await rob.nextElement(isMsg('d3'), 'ann to rob');
});

test('PRIV-05 limits: a list of 10,000 items → policy-violation and nothing stored changes; 1,000 items are accepted', async () => {
  const alice = await login(a, 'alice', 'big');
  const al = rawSender(alice);
  await putList(al, 'small', `<item action='allow' order='1'/>`);
  const items = (n: number): string => Array.from({ length: n }, (_, i) => `<item type='jid' value='u${i}@example.org' action='deny' order='${i}'/>`).join('');
  const r = await privacy(al, 'set', `<list name='small'>${items(10_000)}</list>`);
  assertStanzaError(r, 'policy-violation', 'modify');
  assert.match(r.getChild('error')!.getChildText('text', 'urn:ietf:params:xml:ns:xmpp-stanzas') ?? '', /at most 1000 items/);
  assert.deepEqual(await listItems(al, 'small'), ['1 allow']);
  await putList(al, 'big', items(1000));
  assert.equal((await listItems(al, 'big')).length, 1000);
  const names = (await privacy(al, 'get')).getChild('query', NS_PRIVACY)!.getChildren('list').map((l) => l.attrs.name);
  assert.ok(names.includes('big') && names.includes('small'), names.join(','));
});

test('PRIV-24: presence-in starting to hide a contact on another server withdraws its presence (unavailable from its full JID); removing the rule brings it back through a probe', async () => {
  const ann = await login(a, 'ann', 'desk');
  const ray = await login(b, 'ray', 'phone');
  const an = rawSender(ann);
  const isPushOrPresence = (e: Element): boolean => e.name === 'presence' || e.name === 'iq';
  // A mutual subscription across the servers, over the protocol.
  ann.send(`<presence to='ray@b.test' type='subscribe'/>`);
  await ray.nextElement(isStanza('presence', (e) => e.attrs.type === 'subscribe'), 'ann\'s request');
  ray.send(`<presence to='ann@a.test' type='subscribed'/><presence to='ann@a.test' type='subscribe'/>`);
  await ann.nextElement(isStanza('presence', (e) => e.attrs.type === 'subscribe'), 'ray\'s request');
  ann.send(`<presence to='ray@b.test' type='subscribed'/>`);
  await ann.nextElement(isStanza('presence', (e) => e.attrs.from === ray.jid && e.attrs.type === undefined), 'ray\'s presence at ann');
  await untilPong(ann);
  // The rule: ray's presence is hidden from ann.
  await putList(an, 'no-ray', `<item type='jid' value='ray@b.test' action='deny' order='1'><presence-in/></item>`);
  ok(await activate(an, 'no-ray'));
  const withdrawn = await ann.nextElement(isStanza('presence', (e) => e.attrs.from === ray.jid), 'ray withdrawn');
  assert.equal(withdrawn.attrs.type, 'unavailable');
  assert.equal(withdrawn.attrs.to, ann.jid);
  // While it applies, ray's changes do not reach her.
  ray.send(`<presence><show>dnd</show></presence>`);
  await untilPong(ray);
  ray.send(chat(ann.jid, 'after-dnd'));
  const before = await ann.nextElement(isMsg('after-dnd'), 'a message after ray\'s dnd');
  assert.equal(before.attrs.from, ray.jid);
  assert.deepEqual(ann.pending().filter((p) => p.kind === 'element' && isPushOrPresence(p.el) && p.el.attrs.from === ray.jid), [], 'nothing of ray\'s dnd before his message');
  // Rule gone: a probe brings his current presence back.
  ok(await activate(an, null));
  const again = await ann.nextElement(isStanza('presence', (e) => e.attrs.from === ray.jid), 'ray again');
  assert.equal(again.attrs.type, undefined);
  assert.equal(again.getChildText('show'), 'dnd');
});
