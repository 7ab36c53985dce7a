// PEP items and node configuration survive a restart and go with the account; the server's own caps in the stream
// features match its disco#info (PEP-20). Real sockets, a real data dir.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { startServer, type TestServer } from '../helpers/server.js';
import { RawClient, login, type Element } from '../helpers/raw-client.js';
import { ImClient, PASSWORD, bareOf } from '../helpers/im-client.js';
import { NS_DISCO_INFO, errorCondition, getItems, itemIds, publishOk } from '../helpers/pep-client.js';

test('PEP persistence: items and node configuration survive a restart; removing the account removes them', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-pep-'));
  let t: TestServer = await startServer({}, { dataDir });
  try {
    await t.addUser('keeper', PASSWORD);
    let c = await ImClient.login(t, 'keeper', 'r');
    await publishOk(c, 'urn:test:kept', `<item id='a'><x xmlns='urn:test:kept'>one</x></item>`, { 'pubsub#max_items': '5', 'pubsub#access_model': 'open' });
    await publishOk(c, 'urn:test:kept', `<item id='b'><x xmlns='urn:test:kept'>two</x></item>`);
    await c.quit();
    await t.stop();
    t = await startServer({}, { dataDir });
    c = await ImClient.login(t, 'keeper', 'r');
    const r = await getItems(c, bareOf('keeper'), 'urn:test:kept');
    assert.deepEqual(itemIds(r), ['a', 'b']);
    const cfg = await c.iq((id) => `<iq type='get' id='${id}'><pubsub xmlns='http://jabber.org/protocol/pubsub#owner'><configure node='urn:test:kept'/></pubsub></iq>`);
    assert.match(cfg.toString(), /var="pubsub#max_items"[^]*?<value>5<\/value>/);
    assert.match(cfg.toString(), /var="pubsub#access_model"[^]*?<value>open<\/value>/);
    await c.quit();
    await t.server.accounts!.remove('keeper');
    await t.addUser('keeper', PASSWORD);
    c = await ImClient.login(t, 'keeper', 'r');
    assert.equal(errorCondition(await getItems(c, bareOf('keeper'), 'urn:test:kept')), 'item-not-found');
    await c.quit();
    const files = await fs.readdir(dataDir);
    assert.ok(files.includes('pep-items.db') && files.includes('pep-nodes.db'), files.join(' '));
  } finally {
    await t.stop();
  }
});

/** XEP-0115 §5.1 over a disco#info <query/> (identities, features, forms), written here apart from the server's. */
function ver(q: Element): string {
  const ids = q.getChildren('identity').map((i) => `${i.attrs.category}/${i.attrs.type}/${i.attrs['xml:lang'] ?? ''}/${i.attrs.name ?? ''}`).sort();
  const fs2 = q.getChildren('feature').map((f) => String(f.attrs.var)).sort();
  let s = ids.map((x) => x + '<').join('') + fs2.map((x) => x + '<').join('');
  const forms = q.getChildren('x', 'jabber:x:data').map((x) => {
    const fields = x.getChildren('field');
    const type = fields.find((f) => f.attrs.var === 'FORM_TYPE')!.getChildText('value')!;
    const rest = fields.filter((f) => f.attrs.var !== 'FORM_TYPE').map((f) => `${f.attrs.var}<` + f.getChildren('value').map((v) => v.getText()).sort().map((v) => v + '<').join('')).sort();
    return { type, text: type + '<' + rest.join('') };
  }).sort((a, b) => (a.type < b.type ? -1 : 1));
  s += forms.map((f) => f.text).join('');
  return createHash('sha1').update(s).digest('base64');
}

test('PEP-20: the stream features after authentication carry the server\'s caps, whose ver matches its disco#info (also asked at node#ver)', async () => {
  const t = await startServer();
  try {
    await t.addUser('capsuser', PASSWORD);
    const c = await RawClient.connect(t.c2sPort);
    await c.open();
    await c.startTls(t.caPem);
    await c.open();
    assert.equal((await c.authScram('capsuser', PASSWORD, { hash: 'SHA-256' })).name, 'success');
    const { features } = await c.restart();
    const caps = features.getChild('c', 'http://jabber.org/protocol/caps');
    assert.ok(caps, features.toString());
    assert.equal(caps.attrs.hash, 'sha-1');
    await c.bind('r');
    const info = await c.iq(`<iq type='get' id='i1' to='test.local'><query xmlns='${NS_DISCO_INFO}'/></iq>`, 'i1');
    assert.equal(ver(info.getChild('query', NS_DISCO_INFO)!), caps.attrs.ver);
    const nodeInfo = await c.iq(`<iq type='get' id='i2' to='test.local'><query xmlns='${NS_DISCO_INFO}' node='${caps.attrs.node}#${caps.attrs.ver}'/></iq>`, 'i2');
    assert.equal(nodeInfo.attrs.type, 'result', nodeInfo.toString());
    assert.equal(ver(nodeInfo.getChild('query', NS_DISCO_INFO)!), caps.attrs.ver);
    c.destroy();
    const l = await login(t.c2sPort, t.caPem, 'capsuser', PASSWORD);
    l.destroy();
  } finally {
    await t.stop();
  }
});
