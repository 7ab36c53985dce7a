// PEP with real client libraries over real sockets: StanzaJS (which advertises XEP-0115 caps with +notify for tune,
// mood, nick… and answers the server's disco#info itself) and @xmpp/client (no caps: no +notify), and an OMEMO
// device list and bundle published by @xmpp/client with publish-options and fetched by a non-contact.
// @xmpp/client has no option for a CA, so certificate checks are off in this file (StanzaJS verifies the chain).
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { xml } from '@xmpp/client';
import type { Element } from 'ltx';
import { sharedServer, DOMAIN } from '../helpers/server.js';
import { stanzaLogin, xmppjsLogin, within, type StanzaSession, type XmppjsSession } from '../helpers/clients.js';
import { rosterStore } from '../../server/storage/roster.js';
import { rosterItem } from '../helpers/im-client.js';

const PW = 'pep-clients-pw';
const shared = sharedServer<StanzaSession | XmppjsSession>({ alice: PW, bob: PW, carol: PW, dave: PW }, {}, async (cs) => {
  for (const c of cs) await c.close().catch(() => undefined);
});
const bare = (u: string) => `${u}@${DOMAIN}`;
const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';

async function friends(a: string, b: string): Promise<void> {
  const store = shared.t.server.storage!.get(rosterStore);
  await store.put(a, rosterItem(bare(b), { subscription: 'both' }));
  await store.put(b, rosterItem(bare(a), { subscription: 'both' }));
}

/** Everything an @xmpp/client session receives, to prove afterwards what did not arrive. */
function recorder(s: XmppjsSession): Element[] {
  const got: Element[] = [];
  s.client.on('stanza', (e: Element) => got.push(e));
  return got;
}

test('PEP-07, PEP-09, PEP-08: StanzaJS publishes a tune and a mood; the StanzaJS contact (caps with +notify) gets both from the bare JID, the @xmpp/client contact without caps gets neither', async () => {
  await friends('alice', 'bob');
  await friends('alice', 'dave');
  const alice = shared.keep(await stanzaLogin(shared.t, 'alice', PW, { resource: 'pub' }));
  const bob = shared.keep(await stanzaLogin(shared.t, 'bob', PW, { resource: 'listen' }));
  const dave = shared.keep(await xmppjsLogin(shared.t, 'dave', PW, { resource: 'plain' }));
  const daveGot = recorder(dave);
  await dave.client.send(xml('presence'));
  // StanzaJS computes its caps from its features (the pep plugin adds tune+notify, mood+notify…) and answers the
  // server's disco#info; the tune arrives once the server has verified them.
  await bob.client.updateCaps();
  const tune = new Promise<{ jid: string; artist?: string }>((resolve) => bob.client.on('tune', (e) => resolve({ jid: e.jid, artist: e.tune.artist })));
  const mood = new Promise<{ jid: string; value?: string }>((resolve) => bob.client.on('mood', (e) => resolve({ jid: e.jid, value: e.mood?.value })));
  bob.client.sendPresence({ legacyCapabilities: bob.client.disco.getCaps() });
  await alice.client.sendPresence();
  // The server learns bob's features asynchronously (its disco#info to bob): publish again until a tune arrives.
  let t: { jid: string; artist?: string } | null = null;
  for (let i = 0; i < 50 && !t; i++) {
    await alice.client.publishTune({ artist: 'Dire Straits', title: 'Sultans of Swing' });
    t = await Promise.race([tune, new Promise<null>((r) => setTimeout(() => r(null), 100))]);
  }
  assert.ok(t, 'bob never got the tune');
  assert.equal(t.jid, bare('alice'));
  assert.equal(t.artist, 'Dire Straits');
  await alice.client.publishMood({ value: 'happy' });
  const m = await within(mood, 'the mood at bob');
  assert.deepEqual(m, { jid: bare('alice'), value: 'happy' });
  // A marker after the publications: everything dave would have been sent is in before it.
  const marker = new Promise<void>((resolve) => dave.client.on('stanza', (e: Element) => {
    if (e.name === 'message' && e.getChildText('body') === 'marker') resolve();
  }));
  alice.client.sendMessage({ to: dave.jid, type: 'chat', body: 'marker' });
  await within(marker, 'the marker at dave');
  assert.deepEqual(daveGot.filter((e) => e.getChild('event', `${NS_PUBSUB}#event`)).map((e) => e.toString()), []);
});

test('MOD-53, PEP-05: an OMEMO device list and bundle published by @xmpp/client with publish-options access_model=open are fetched by a non-contact', async () => {
  const alice = shared.keep(await xmppjsLogin(shared.t, 'alice', PW, { resource: 'omemo' }));
  const carol = shared.keep(await xmppjsLogin(shared.t, 'carol', PW, { resource: 'stranger' }));
  const options = xml('publish-options', {}, xml('x', { xmlns: 'jabber:x:data', type: 'submit' },
    xml('field', { var: 'FORM_TYPE', type: 'hidden' }, xml('value', {}, `${NS_PUBSUB}#publish-options`)),
    xml('field', { var: 'pubsub#access_model' }, xml('value', {}, 'open'))));
  const publish = (node: string, item: Element) => alice.client.iqCaller.request(xml('iq', { type: 'set' },
    xml('pubsub', { xmlns: NS_PUBSUB }, xml('publish', { node }, xml('item', { id: 'current' }, item)), options)), 5000);
  const AXOLOTL = 'eu.siacs.conversations.axolotl';
  await publish(`${AXOLOTL}.devicelist`, xml('list', { xmlns: AXOLOTL }, xml('device', { id: '31415' })));
  await publish(`${AXOLOTL}.bundles:31415`, xml('bundle', { xmlns: AXOLOTL },
    xml('signedPreKeyPublic', { signedPreKeyId: '1' }, 'BQ=='), xml('identityKey', {}, 'BR=='),
    xml('prekeys', {}, xml('preKeyPublic', { preKeyId: '1' }, 'BS=='))));
  const fetch = (node: string) => carol.client.iqCaller.request(xml('iq', { type: 'get', to: bare('alice') },
    xml('pubsub', { xmlns: NS_PUBSUB }, xml('items', { node }))), 5000);
  const list = (await fetch(`${AXOLOTL}.devicelist`)) as Element;
  assert.equal(list.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('list')!.getChild('device')!.attrs.id, '31415');
  const bundle = (await fetch(`${AXOLOTL}.bundles:31415`)) as Element;
  assert.equal(bundle.getChild('pubsub')!.getChild('items')!.getChild('item')!.getChild('bundle')!.getChildText('identityKey'), 'BR==');
  // A second publish with the same options meets the precondition on the existing node.
  await publish(`${AXOLOTL}.devicelist`, xml('list', { xmlns: AXOLOTL }, xml('device', { id: '31415' }), xml('device', { id: '27182' })));
});
