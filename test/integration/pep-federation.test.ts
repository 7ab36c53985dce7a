// PEP across federation (a second Parley as the peer): a contact on another server that is subscribed to the owner
// (`from` on the owner's side) while the owner is not subscribed to it — so the owner's server never learns its
// presence or caps — gets at most one event, addressed to its bare JID (XEP-0163 §4.3.2, PEP-08), and its server
// delivers it; a contact with `both` that is offline gets nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDomain, link, isStanza, type DomainServer, clientsOf, untilPong } from '../helpers/s2s.js';
import { nextId, type Element } from '../helpers/raw-client.js';
import { NS_PUBSUB, NS_PUBSUB_EVENT, NS_TUNE, tune } from '../helpers/pep-client.js';

let a: DomainServer;
let b: DomainServer;
const clients = clientsOf();
const { login } = clients;

before(async () => {
  [a, b] = await Promise.all([startDomain('a.test'), startDomain('b.test')]);
  link(a, b);
  await Promise.all([a.addUser('olga'), b.addUser('finn')]);
});

after(async () => {
  clients.destroyAll();
  await Promise.all([a?.stop(), b?.stop()]);
});



test('PEP-08: a remote subscriber whose presence the owner cannot know gets one event at its bare JID, delivered by its server', async () => {
  const olga = await login(a, 'olga');
  const finn = await login(b, 'finn');
  // finn subscribes to olga; olga approves but does not subscribe back: her roster has finn with `from`.
  finn.send(`<presence to='olga@a.test' type='subscribe'/>`);
  await olga.nextElement(isStanza('presence', (e) => e.attrs.type === 'subscribe'), 'finn\'s request');
  olga.send(`<presence to='finn@b.test' type='subscribed'/>`);
  await finn.nextElement(isStanza('presence', (e) => e.attrs.from === olga.jid && e.attrs.type === undefined), 'olga\'s presence at finn');
  await untilPong(olga);
  const id = nextId('pub');
  const r = await olga.iq(`<iq type='set' id='${id}'><pubsub xmlns='${NS_PUBSUB}'><publish node='${NS_TUNE}'><item id='t1'>${tune('Nina Simone')}</item></publish></pubsub></iq>`, id);
  assert.equal(r.attrs.type, 'result', r.toString());
  const ev = await finn.nextElement(isStanza('message', (e) => e.getChild('event', NS_PUBSUB_EVENT) !== undefined), 'the tune event at finn');
  assert.equal(ev.attrs.from, 'olga@a.test');
  assert.equal(ev.attrs.to, 'finn@b.test', 'one event, to the bare JID');
  assert.equal(ev.getChild('event', NS_PUBSUB_EVENT)!.getChild('items')!.attrs.node, NS_TUNE);
  // Exactly one: nothing more of it before a marker olga sends after it.
  const mark = nextId('mark');
  olga.send(`<message to='finn@b.test' type='headline' id='${mark}'><body>mark</body></message>`);
  const before: Element[] = [];
  for (;;) {
    const e = await finn.nextElement(undefined, 'the marker');
    if (e.attrs.id === mark) break;
    before.push(e);
  }
  assert.deepEqual(before.filter((e) => e.getChild('event', NS_PUBSUB_EVENT)), []);
});
