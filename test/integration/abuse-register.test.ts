// In-band registration's per-address limit under parallel streams (SVC-13, BAD-23; issue 13): fifty streams from
// one address register at once; only `registrationsPerIpPerHour` accounts are created, the rest are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../helpers/server.js';
import { RawClient, stanzaError } from '../helpers/raw-client.js';

test('SVC-13: 50 parallel registrations from one address → exactly the allowed 5 accounts', async () => {
  const t = await startServer({ registration: 'open', limits: { registrationsPerIpPerHour: 5 } });
  const clients: RawClient[] = [];
  try {
    // Every stream ready first (TLS, features), then all fifty requests in one go.
    for (let i = 0; i < 50; i++) {
      const c = await RawClient.connect(t.c2sPort);
      clients.push(c);
      await c.open();
      await c.startTls(t.caPem);
      await c.open();
    }
    for (const [i, c] of clients.entries()) {
      c.send(`<iq type='set' id='r${i}'><query xmlns='jabber:iq:register'><username>user${i}</username><password>pw-${i}-secret</password></query></iq>`);
    }
    const replies = await Promise.all(clients.map((c, i) => c.nextElement((e) => e.attrs.id === `r${i}`, `the reply to r${i}`)));
    const ok = replies.filter((r) => r.attrs.type === 'result').length;
    const refused = replies.filter((r) => r.attrs.type === 'error');
    for (const r of refused) {
      const e = stanzaError(r);
      assert.equal(e.condition, 'not-acceptable', r.toString());
      assert.equal(e.text, 'too many accounts were created from your address; try again later');
    }
    assert.equal(ok, 5, `accounts created: ${ok}`);
    let stored = 0;
    for (let i = 0; i < 50; i++) if (await t.server.accounts!.exists(`user${i}`)) stored++;
    assert.equal(stored, 5);
  } finally {
    for (const c of clients) c.destroy();
    await t.stop();
  }
});
