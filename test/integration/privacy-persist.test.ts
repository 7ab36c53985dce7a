// PRIV-26 and the account lifecycle: lists and the blocklist survive a restart (the default list still applies, the
// session-scoped active list does not come back), and go with the account when it is removed (SVC-15).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { assertStanzaError, login, type Element } from '../helpers/raw-client.js';
import { NS_PRIVACY, activate, block, blocklist, makeDefault, ok, privacy, putList, rawSender } from '../helpers/privacy-client.js';

const PW = 'persist-pw';
const isMsg = (id: string) => (e: Element): boolean => e.name === 'message' && e.attrs.id === id;
const chat = (to: string, id: string): string => `<message to='${to}' type='chat' id='${id}'><body>hi</body></message>`;

async function client(t: TestServer, user: string): Promise<Awaited<ReturnType<typeof login>>> {
  const c = await login(t.c2sPort, t.caPem, user, PW, { resource: 'r' });
  c.send('<presence/>');
  await c.nextElement((e) => e.name === 'presence' && e.attrs.from === c.jid, 'own presence');
  return c;
}

test('PRIV-26/SVC-15: lists and blocks persist across a restart (default applied, active gone) and are removed with the account', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-test-privacy-'));
  let t = await startServer({}, { dataDir });
  try {
    for (const u of ['alice', 'bob', 'carol']) await t.addUser(u, PW);
    let alice = await client(t, 'alice');
    const al = rawSender(alice);
    await putList(al, 'no-bob', `<item type='jid' value='bob@${DOMAIN}' action='deny' order='1'><message/></item>`);
    await putList(al, 'open', `<item action='allow' order='1'/>`);
    ok(await makeDefault(al, 'no-bob'));
    ok(await activate(al, 'open'));
    ok(await block(al, `carol@${DOMAIN}`));
    alice.destroy();
    await t.stop();

    t = await startServer({}, { dataDir });
    alice = await client(t, 'alice');
    const bob = await client(t, 'bob');
    const names = (await privacy(rawSender(alice), 'get')).getChild('query', NS_PRIVACY)!;
    assert.equal(names.getChild('active'), undefined, 'the active list was the old session\'s');
    assert.equal(names.getChild('default')?.attrs.name, 'no-bob');
    assert.deepEqual(names.getChildren('list').map((l) => l.attrs.name).sort(), ['no-bob', 'open']);
    assert.deepEqual(await blocklist(rawSender(alice)), [`carol@${DOMAIN}`]);
    bob.send(chat(alice.jid, 'p1'));
    assertStanzaError(await bob.nextElement(isMsg('p1'), 'the refusal after the restart'), 'service-unavailable', 'cancel', 'p1');

    // Account removal takes the lists along; a new account of that name starts with none.
    alice.destroy();
    await t.server.accounts!.remove('alice');
    await t.addUser('alice', PW);
    alice = await client(t, 'alice');
    const fresh = (await privacy(rawSender(alice), 'get')).getChild('query', NS_PRIVACY)!;
    assert.deepEqual(fresh.getChildElements(), []);
    assert.deepEqual(await blocklist(rawSender(alice)), []);
    bob.send(chat(alice.jid, 'p2'));
    await alice.nextElement(isMsg('p2'), 'bob reaches the new alice');
    alice.destroy();
    bob.destroy();
    // Gone from the disk too, not only from memory: after another restart there is still nothing.
    await t.stop();
    t = await startServer({}, { dataDir });
    alice = await client(t, 'alice');
    assert.deepEqual((await privacy(rawSender(alice), 'get')).getChild('query', NS_PRIVACY)!.getChildElements(), []);
    alice.destroy();
  } finally {
    await t.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
});
