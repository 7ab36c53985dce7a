// "Two Parley servers in two namespaces federate by .local names alone": fed-a.local in namespace A and
// fed-b.local in namespace B, federation on (port 5269) and discovery on, no static routes and no DNS. Each finds
// the other's address by a multicast DNS query for its .local name (server/discovery/resolve-local.ts), connects,
// and the two authenticate each other by dialback; a message goes each way between their users.
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createPair, namespaceGate, tearDown, NsChild, type NetnsPair } from '../helpers/netns.js';

const CHILD = fileURLToPath(new URL('./discovery-federation-child.js', import.meta.url));
const gate = await namespaceGate();
if (gate.failInCi) test('mDNS tests need network namespaces in CI', () => assert.fail(gate.failInCi));

describe('federation by .local names (namespaces A and B)', { skip: gate.skip }, () => {
  let pair: NetnsPair;
  const dirs: string[] = [];
  let a: NsChild | undefined;
  let b: NsChild | undefined;

  before(async () => {
    pair = await createPair();
    for (let i = 0; i < 2; i++) dirs.push(await fs.mkdtemp(path.join(os.tmpdir(), 'parley-fed-')));
    a = new NsChild(pair.a, [CHILD, JSON.stringify({ dataDir: dirs[0], domain: 'fed-a.local', user: 'ann' })]);
    b = new NsChild(pair.b, [CHILD, JSON.stringify({ dataDir: dirs[1], domain: 'fed-b.local', user: 'ben' })]);
    const [ra, rb] = await Promise.all([
      a.waitFor((e) => e.event === 'ready', 30_000, 'fed-a.local in A'),
      b.waitFor((e) => e.event === 'ready', 30_000, 'fed-b.local in B'),
    ]);
    assert.equal((ra.ports as Record<string, number>).s2s, 5269);
    assert.equal((rb.ports as Record<string, number>).s2s, 5269);
  });

  after(() => tearDown(pair, [a, b], dirs, 'SIGTERM'));

  it('ann@fed-a.local writes to ben@fed-b.local and gets an answer', async () => {
    a!.send('send ben@fed-b.local m1 hello over mdns');
    const got = await b!.waitFor((e) => e.event === 'message' || e.event === 'error-reply', 15_000, 'the message in B');
    assert.equal(got.event, 'message', JSON.stringify(got));
    assert.equal(got.from, 'ann@fed-a.local/ns');
    assert.equal(got.body, 'hello over mdns');
    b!.send('send ann@fed-a.local/ns m2 hello back');
    const back = await a!.waitFor((e) => e.event === 'message' || e.event === 'error-reply', 15_000, 'the answer in A');
    assert.equal(back.event, 'message', JSON.stringify(back));
    assert.equal(back.from, 'ben@fed-b.local/ns');
    assert.equal(back.body, 'hello back');
  });

  it('a .local name nobody answers for bounces with remote-server-not-found', async () => {
    a!.send('send nobody@absent-c.local m3 anyone?');
    const e = await a!.waitFor((x) => x.event === 'error-reply' && x.id === 'm3', 15_000, 'the bounce');
    assert.match(String(e.xml), /remote-server-not-found/);
  });
});
