// Discovery switched on and off at run time (the GUI toggle, Discovery.setEnabled) and address changes, with Parley
// in namespace A and a DNS-SD browser in namespace B: off means nothing is announced and nothing answers; turning it
// off sends goodbyes; a new address on A's interface is announced, a removed one gets a goodbye.
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createPair, ipIn, namespaceGate, tearDown, NsChild, type NetnsPair } from '../helpers/netns.js';

const DOMAIN = 'office-test.local';
const SERVER = fileURLToPath(new URL('./discovery-child-server.js', import.meta.url));
const PEER = fileURLToPath(new URL('./discovery-child-peer.js', import.meta.url));
const gate = await namespaceGate();
if (gate.failInCi) test('mDNS tests need network namespaces in CI', () => assert.fail(gate.failInCi));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const isResolve = (e: Record<string, unknown>): boolean => e.event === 'resolved' || e.event === 'resolve-failed';

describe('turning discovery on and off, and following address changes', { skip: gate.skip }, () => {
  let pair: NetnsPair;
  let dataDir: string;
  let server: NsChild | undefined;
  let peer: NsChild | undefined;

  before(async () => {
    pair = await createPair();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-disc-'));
    server = new NsChild(pair.a, [SERVER, JSON.stringify({ dataDir, domain: DOMAIN, discovery: false })]);
    peer = new NsChild(pair.b, [PEER]);
    const ready = await server.waitFor((e) => e.event === 'ready', 30_000, 'Parley in A');
    assert.equal(ready.enabled, false);
    await peer.waitFor((e) => e.event === 'ready', 10_000, 'the peer in B');
    peer.send('browse');
    await peer.waitFor((e) => e.event === 'browsing', 5000, 'browser started');
  });

  after(() => tearDown(pair, [server, peer], [dataDir]));

  it('with discovery off (as --no-discovery sets it) nothing is announced and the name does not resolve', async () => {
    await sleep(2500);
    assert.equal(peer!.events.filter((e) => e.event === 'up').length, 0);
    const r = await peer!.ask(`resolve ${DOMAIN} 1000`, isResolve, 10_000);
    assert.equal(r.event, 'resolve-failed');
  });

  it('turning discovery on announces the services and answers for the name', async () => {
    const up = peer!.waitFor((e) => e.event === 'up' && e.type === 'xmpp-client', 15_000, 'the service in B', true);
    await server!.ask('enable', (e) => e.event === 'enabled', 10_000);
    assert.equal((await up).port, 5222);
    const r = await peer!.ask(`resolve ${DOMAIN} 3000`, isResolve, 10_000);
    assert.deepEqual((r.addresses as string[])[0], pair.a.address);
  });

  it('turning discovery off sends goodbyes: B no longer sees the service, and the name stops resolving', async () => {
    const started = Date.now();
    const downs = Promise.all(['xmpp-client', 'xmpps-client'].map((type) => peer!.waitFor((e) => e.event === 'down' && e.type === type, 5000, `goodbye for ${type}`, true)));
    await server!.ask('disable', (e) => e.event === 'disabled', 10_000);
    await downs;
    assert.ok(Date.now() - started < 5000, 'gone at once, not after a TTL');
    const r = await peer!.ask(`resolve ${DOMAIN} 1000`, isResolve, 10_000);
    assert.equal(r.event, 'resolve-failed');
  });

  it('a new address is announced and a removed one gets a goodbye (laptop changing networks)', async () => {
    const up = peer!.waitFor((e) => e.event === 'up' && e.type === 'xmpp-client', 15_000, 'the service again', true);
    await server!.ask('enable', (e) => e.event === 'enabled', 10_000);
    await up;
    await peer!.ask(`watch ${DOMAIN}`, (e) => e.event === 'watching', 5000);
    const extra = pair.a.address.replace(/\.1$/, '.3');
    const announced = peer!.waitFor((e) => e.event === 'a-record' && e.address === extra && (e.ttl as number) > 0, 15_000, `an announcement of ${extra}`, true);
    await ipIn(pair.a, 'addr', 'add', `${extra}/24`, 'dev', pair.a.iface);
    await announced;
    const goodbye = peer!.waitFor((e) => e.event === 'a-record' && e.address === extra && e.ttl === 0, 15_000, `a goodbye for ${extra}`, true);
    await ipIn(pair.a, 'addr', 'del', `${extra}/24`, 'dev', pair.a.iface);
    await goodbye;
    const r = await peer!.ask(`resolve ${DOMAIN} 3000`, isResolve, 10_000);
    assert.deepEqual(r.addresses, (r.addresses as string[]).filter((a) => a !== extra));
    assert.ok((r.addresses as string[]).includes(pair.a.address));
  });
});
