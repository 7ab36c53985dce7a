// A whole server on a second storage backend (seams issue part 4): test/helpers/memory-backend.ts implements only
// server/storage/backend.ts, and logins, rosters and subscriptions, offline messages, vCards, private XML and the
// account lifecycle's removal (SVC-15, XEP-0077 §3.2, RFC 6121 §3.2–3.3) work on it unchanged; NeDB writes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { startServer } from '../helpers/server.js';
import { MemoryBackend } from '../helpers/memory-backend.js';
import { seedAlice, expectContactTold, expectFreshAlice } from '../helpers/account-removal.js';
import { offlineStore } from '../../server/storage/offline.js';

test('a server on a backend written from the interface alone: the removal scenario end to end, and no NeDB datafile', async () => {
  const backend = new MemoryBackend();
  const t = await startServer({}, { storage: () => backend });
  try {
    await t.addUser('alice', 'alice-first');
    await t.addUser('bob', 'bob-pw');
    const { alice, bob } = await seedAlice(t, 'alice-first', 'bob-pw');
    try {
      assert.equal(await t.server.storage!.get(offlineStore).count('alice'), 1);
      assert.deepEqual(await t.server.admin!.removeUser('alice'), { jid: 'alice@test.local', closedSessions: 1 });
      await alice.nextElement((e) => e.name === 'stream:error', 'the stream error');
      await expectContactTold(bob);
      await t.addUser('alice', 'alice-second');
      await expectFreshAlice(t, 'alice-second');
    } finally {
      alice.destroy();
      bob.destroy();
    }
    for (const name of ['accounts', 'roster', 'roster-version', 'offline', 'vcard', 'private', 'invites']) {
      assert.ok(backend.opened.includes(name), `${name} opened on the backend given`);
    }
    assert.deepEqual((await fs.readdir(t.dataDir)).filter((f) => f.endsWith('.db')), [], 'no NeDB datafile');
  } finally {
    await t.stop();
  }
});
