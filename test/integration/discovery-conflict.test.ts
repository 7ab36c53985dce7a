// A name conflict: Parley in namespace A holds office-test.local; a second Parley in namespace B wants the same
// name. B must notice while probing, report it (event + conflicts, with a free name to suggest), and announce
// nothing; A keeps its name and is listed among B's peers (what the wizard shows to avoid the clash).
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createPair, namespaceGate, tearDown, NsChild, type NetnsPair } from '../helpers/netns.js';

const DOMAIN = 'office-test.local';
const SERVER = fileURLToPath(new URL('./discovery-child-server.js', import.meta.url));
const PEER = fileURLToPath(new URL('./discovery-child-peer.js', import.meta.url));
const gate = await namespaceGate();
if (gate.failInCi) test('mDNS tests need network namespaces in CI', () => assert.fail(gate.failInCi));

interface Conflict { name: string; kind: string; from: string; suggestion: string; message: string }
interface Peer { domain: string; addresses: string[]; ports: Record<string, number>; software?: string }

describe('a name conflict on the LAN is detected and reported', { skip: gate.skip }, () => {
  let pair: NetnsPair;
  const dirs: string[] = [];
  const children: NsChild[] = [];
  let first: NsChild;
  let second: NsChild;

  before(async () => {
    pair = await createPair();
    for (let i = 0; i < 2; i++) dirs.push(await fs.mkdtemp(path.join(os.tmpdir(), 'parley-disc-')));
    first = new NsChild(pair.a, [SERVER, JSON.stringify({ dataDir: dirs[0], domain: DOMAIN, discovery: true })]);
    children.push(first);
    await first.waitFor((e) => e.event === 'announced', 30_000, 'the first Parley to announce');
    second = new NsChild(pair.b, [SERVER, JSON.stringify({ dataDir: dirs[1], domain: DOMAIN, discovery: true })]);
    children.push(second);
  });

  after(() => tearDown(pair, children, dirs));

  it('the second server reports the conflict with a suggested free name, and announces nothing', async () => {
    const e = await second.waitFor((x) => x.event === 'conflict', 30_000, 'a conflict report');
    const c = e.conflict as Conflict;
    assert.equal(c.name, DOMAIN);
    assert.equal(c.kind, 'host');
    assert.equal(c.from, pair.a.address);
    assert.equal(c.suggestion, 'office-test-2.local');
    assert.match(c.message, /already uses the name office-test\.local.*office-test-2\.local/);
    const s = await second.ask('status', (x) => x.event === 'status', 5000);
    assert.equal((s.status as { conflicts: Conflict[] }).conflicts.length, 1);
    assert.equal(second.events.filter((x) => x.event === 'announced').length, 0);
  });

  it('the first server keeps its name: no conflict there, and the name still resolves to it alone', async () => {
    assert.equal(first.events.filter((x) => x.event === 'conflict').length, 0);
    const peer = new NsChild(pair.b, [PEER]);
    children.push(peer);
    await peer.waitFor((x) => x.event === 'ready', 10_000, 'the peer in B');
    const r = await peer.ask(`resolve ${DOMAIN} 3000`, (x) => x.event === 'resolved' || x.event === 'resolve-failed', 10_000);
    assert.equal(r.event, 'resolved', String(r.message));
    assert.deepEqual((r.addresses as string[]).filter((a) => !a.includes(':')), [pair.a.address]);
  });

  it("the second server's browser lists the first among the XMPP servers on the LAN", async () => {
    const e = await second.waitFor((x) => x.event === 'peers' && (x.peers as Peer[]).some((p) => p.domain === DOMAIN && p.ports['_xmpps-client._tcp'] === 5223), 15_000, 'the first server among the peers');
    const p = (e.peers as Peer[]).find((x) => x.domain === DOMAIN)!;
    assert.ok(p.addresses.includes(pair.a.address));
    assert.equal(p.software, 'Parley');
  });
});
