// What one account can make the server store (issue 13): offline messages bounded in bytes as well as in count
// (IM-39), the roster size limit (RFC 6121 §2.3.3) for roster sets and inbound subscription requests, and the
// per-user storage quota over every store that counts (a console setting, applied live through AdminService):
// refused with resource-constraint (RFC 6120 §8.3.3.18), nothing stored changed.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { startWithUsers, DOMAIN, type TestServer } from '../helpers/server.js';
import { login, assertStanzaError, type RawClient } from '../helpers/raw-client.js';
import { offlineStore } from '../../server/storage/offline.js';
import { rosterStore } from '../../server/storage/roster.js';

const USERS = { alice: 'alice-password', bob: 'bob-password', carol: 'carol-password', dave: 'dave-password' };

describe('storage bounds per account', () => {
  let s: TestServer;
  let alice: RawClient & { jid: string };
  before(async () => {
    s = await startWithUsers(USERS, { offlineQuotaBytes: 12_000, userStorageQuotaBytes: 0, limits: { maxRosterItems: 3 } });
    alice = await login(s.c2sPort, s.caPem, 'alice', USERS.alice);
  });
  after(async () => {
    alice.destroy();
    await s.stop();
  });

  test('IM-39: offline storage is bounded in bytes: the message that would pass offlineQuotaBytes → service-unavailable', async () => {
    const body = 'o'.repeat(5000);
    for (let i = 1; i <= 3; i++) alice.send(`<message to='bob@${DOMAIN}' id='o${i}' type='chat'><body>${body}</body></message>`);
    const refused = await alice.nextElement((e) => e.attrs.id === 'o3', 'the error for o3');
    assertStanzaError(refused, 'service-unavailable', 'cancel', 'o3');
    await alice.ping({ strict: false });
    assert.equal(alice.takeQueued((e) => e.attrs.id === 'o1' || e.attrs.id === 'o2'), undefined, 'o1 and o2 were stored');
    assert.equal(await s.server.context_.storage.get(offlineStore).count('bob'), 2);
  });

  test('RFC 6121 §2.3.3: a roster set past maxRosterItems → not-allowed; changing an existing item still works', async () => {
    for (let i = 1; i <= 3; i++) {
      const r = await alice.iq(`<iq type='set' id='r${i}'><query xmlns='jabber:iq:roster'><item jid='c${i}@remote.example'/></query></iq>`, `r${i}`);
      assert.equal(r.attrs.type, 'result', r.toString());
    }
    const full = await alice.iq(`<iq type='set' id='r4'><query xmlns='jabber:iq:roster'><item jid='c4@remote.example'/></query></iq>`, 'r4');
    assertStanzaError(full, 'not-allowed', 'cancel', 'r4');
    const rename = await alice.iq(`<iq type='set' id='r5'><query xmlns='jabber:iq:roster'><item jid='c1@remote.example' name='One'/></query></iq>`, 'r5');
    assert.equal(rename.attrs.type, 'result', rename.toString());
    assert.equal(await s.server.context_.storage.get(rosterStore).count('alice'), 3);
  });

  test('RFC 6121 §3.1.3: an inbound subscription request to a full roster → resource-constraint to the requester, nothing kept', async () => {
    const carol = await login(s.c2sPort, s.caPem, 'carol', USERS.carol);
    carol.send('<presence/>');   // available: a presence error to her bare JID reaches available resources
    await carol.nextElement((e) => e.name === 'presence' && e.attrs.from === carol.jid, 'her own presence');
    carol.send(`<presence to='alice@${DOMAIN}' type='subscribe' id='sub1'/>`);
    const refused = await carol.nextElement((e) => e.name === 'presence' && e.attrs.type === 'error', 'an error presence');
    assert.equal(refused.attrs.from, `alice@${DOMAIN}`);
    assertStanzaError(refused, 'resource-constraint', 'wait');
    const items = await s.server.context_.storage.get(rosterStore).all('alice');
    assert.deepEqual(items.map((i) => i.jid).sort(), ['c1@remote.example', 'c2@remote.example', 'c3@remote.example']);
    carol.destroy();
  });

  test('the per-user storage quota (set live in AdminService) refuses with resource-constraint and changes nothing', async () => {
    await s.server.admin!.setSettings({ userStorageQuotaBytes: 20_000 });
    assert.equal((await s.server.admin!.getSettings()).running?.userStorageQuotaBytes, 20_000);
    const dave = await login(s.c2sPort, s.caPem, 'dave', USERS.dave);
    const vcard = (n: number): string => `<vCard xmlns='vcard-temp'><DESC>${'d'.repeat(n)}</DESC></vCard>`;
    assert.equal((await dave.iq(`<iq type='set' id='v1'>${vcard(12_000)}</iq>`, 'v1')).attrs.type, 'result');
    const priv = await dave.iq(`<iq type='set' id='p1'><query xmlns='jabber:iq:private'><notes xmlns='urn:test:notes'>${'n'.repeat(9000)}</notes></query></iq>`, 'p1');
    assertStanzaError(priv, 'resource-constraint', 'wait', 'p1');
    const got = await dave.iq(`<iq type='get' id='p2'><query xmlns='jabber:iq:private'><notes xmlns='urn:test:notes'/></query></iq>`, 'p2');
    assert.equal(got.getChild('query')?.getChild('notes')?.getText(), '', 'nothing was stored');
    // Replacing counts what is replaced: a larger vCard in place of the old one still fits.
    assert.equal((await dave.iq(`<iq type='set' id='v2'>${vcard(15_000)}</iq>`, 'v2')).attrs.type, 'result');
    const tooBig = await dave.iq(`<iq type='set' id='v3'>${vcard(21_000)}</iq>`, 'v3');
    assertStanzaError(tooBig, 'resource-constraint', 'wait', 'v3');
    const kept = await dave.iq(`<iq type='get' id='v4'><vCard xmlns='vcard-temp'/></iq>`, 'v4');
    assert.equal(kept.getChild('vCard')?.getChildText('DESC')?.length, 15_000, 'the stored vCard is unchanged');
    // Privacy lists count too (XEP-0016): a list that would pass the quota is refused and not stored.
    let items = '';
    for (let i = 1; i <= 100; i++) items += `<item type='jid' value='blocked${i}-${'b'.repeat(40)}@remote.example' action='deny' order='${i}'/>`;
    const list = await dave.iq(`<iq type='set' id='l1'><query xmlns='jabber:iq:privacy'><list name='many'>${items}</list></query></iq>`, 'l1');
    assertStanzaError(list, 'resource-constraint', 'wait', 'l1');
    const lists = await dave.iq(`<iq type='get' id='l2'><query xmlns='jabber:iq:privacy'/></iq>`, 'l2');
    assert.equal(lists.getChild('query')?.getChildren('list').length, 0, `no list stored: ${lists.toString()}`);
    // PEP items count too (XEP-0163; besides PEP's own per-account limit): a publish past the quota is refused and
    // leaves the node as it was.
    const publish = (id: string, n: number): string => `<iq type='set' id='${id}'><pubsub xmlns='http://jabber.org/protocol/pubsub'><publish node='urn:test:big'><item id='${id}'><x xmlns='urn:test:big'>${'x'.repeat(n)}</x></item></publish></pubsub></iq>`;
    assert.equal((await dave.iq(publish('e1', 1000), 'e1')).attrs.type, 'result');
    assertStanzaError(await dave.iq(publish('e2', 9000), 'e2'), 'resource-constraint', 'wait', 'e2');
    const nodeItems = await dave.iq(`<iq type='get' id='e3'><pubsub xmlns='http://jabber.org/protocol/pubsub'><items node='urn:test:big'/></pubsub></iq>`, 'e3');
    assert.deepEqual(nodeItems.getChild('pubsub')!.getChild('items')!.getChildren('item').map((i) => i.attrs.id), ['e1'], 'only the first item is stored');
    dave.destroy();
    // Offline messages for an account at its quota are refused like a full queue (service-unavailable, IM-39).
    alice.send(`<message to='dave@${DOMAIN}' id='q1' type='chat'><body>${'q'.repeat(6000)}</body></message>`);
    assertStanzaError(await alice.nextElement((e) => e.attrs.id === 'q1', 'the error for q1'), 'service-unavailable', 'cancel', 'q1');
  });
});
