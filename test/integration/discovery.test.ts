// Zero-configuration discovery, end to end through `parley serve`: Parley in namespace A, "another machine" in
// namespace B. B's DNS-SD browser (bonjour-service) finds the services with the right ports and TXT, the .local
// name resolves from B to A's address, an XMPP client in B connects by that name, and on shutdown the goodbye
// packets make the service disappear at once. All traffic stays on the veth pair between the two namespaces.
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { createPair, namespaceGate, tearDown, NsChild, type NetnsPair } from '../helpers/netns.js';
import { PARLEY_VERSION } from '../../server/version.js';

const DOMAIN = 'office-test.local';
// The `parley` command from the same build as this test (bin/parley.js only imports it from dist/).
const PARLEY = fileURLToPath(new URL('../../server/cli.js', import.meta.url));
const PEER = fileURLToPath(new URL('./discovery-child-peer.js', import.meta.url));
const gate = await namespaceGate();
if (gate.failInCi) test('mDNS tests need network namespaces in CI', () => assert.fail(gate.failInCi));

describe('discovery through parley serve (namespaces A and B)', { skip: gate.skip }, () => {
  let pair: NetnsPair;
  let dataDir: string;
  let server: NsChild | undefined;
  let peer: NsChild | undefined;
  let fingerprint: string;

  before(async () => {
    pair = await createPair();
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-disc-'));
    await promisify(execFile)(process.execPath, [PARLEY, 'user', 'add', 'alice', '--password', 'secret-pw', '--data', dataDir, '--domain', DOMAIN]);
    server = new NsChild(pair.a, [PARLEY, 'serve', '--data', dataDir, '--domain', DOMAIN, '--bind', '0.0.0.0', '--c2s-port', '5222', '--tls-port', '5223', '--s2s-port', 'off', '--http-port', 'off', '--log-level', 'debug']);
    await server.waitForLine((l) => l.startsWith(`Parley is running for ${DOMAIN}`), 30_000, 'parley serve to start');
    fingerprint = new X509Certificate(await fs.readFile(path.join(dataDir, 'certs', 'server.pem'))).fingerprint256;
    peer = new NsChild(pair.b, [PEER]);
    await peer.waitFor((e) => e.event === 'ready', 10_000, 'the peer in B');
  });

  after(() => tearDown(pair, [server, peer], [dataDir]));

  it('B finds _xmpp-client._tcp and _xmpps-client._tcp with the right ports, host and TXT', async () => {
    peer!.send('browse');
    for (const [type, port] of [['xmpp-client', 5222], ['xmpps-client', 5223]] as const) {
      const up = await peer!.waitFor((e) => e.event === 'up' && e.type === type, 15_000, `${type} in B's browser`);
      assert.equal(up.port, port);
      assert.equal(up.name, 'office-test-local');
      assert.equal(up.host, DOMAIN);
      assert.ok((up.addresses as string[]).includes(pair.a.address), `addresses ${String(up.addresses)} include ${pair.a.address}`);
      assert.deepEqual(up.txt, { txtvers: '1', domain: DOMAIN, server: 'Parley', version: PARLEY_VERSION, sha256: fingerprint });
    }
  });

  it(`${DOMAIN} resolves from B to A's address, and an unknown .local name times out`, async () => {
    const ok = await peer!.ask(`resolve ${DOMAIN} 3000`, (e) => e.event === 'resolved' || e.event === 'resolve-failed', 10_000);
    assert.equal(ok.event, 'resolved', String(ok.message));
    assert.equal((ok.addresses as string[])[0], pair.a.address);
    const none = await peer!.ask('resolve nobody-here.local 800', (e) => e.event === 'resolved' || e.event === 'resolve-failed', 10_000);
    assert.equal(none.event, 'resolve-failed');
    assert.ok((none.ms as number) >= 700 && (none.ms as number) < 3000, `gave up after ${String(none.ms)} ms`);
  });

  it('an XMPP client in B connects by the .local name and pings the server', async () => {
    const r = await peer!.ask(`connect ${DOMAIN} 5222 alice secret-pw`, (e) => e.event === 'connected' || e.event === 'connect-failed', 30_000);
    assert.equal(r.event, 'connected', String(r.message));
    assert.match(String(r.jid), /^alice@office-test\.local\//);
    assert.equal(r.address, pair.a.address);
    assert.equal(r.pong, 'result');
  });

  it('stopping Parley sends goodbyes: B sees both services go at once, and the name stops resolving', async () => {
    const started = Date.now();
    const downs = Promise.all(['xmpp-client', 'xmpps-client'].map((type) => peer!.waitFor((e) => e.event === 'down' && e.type === type, 5000, `goodbye for ${type}`, true)));
    await server!.kill('SIGTERM', 10_000);
    await downs;
    // Well before any TTL (120 s for SRV, 75 min for PTR) could have expired: it was the goodbye.
    assert.ok(Date.now() - started < 5000);
    const gone = await peer!.ask(`resolve ${DOMAIN} 1000`, (e) => e.event === 'resolved' || e.event === 'resolve-failed', 10_000);
    assert.equal(gone.event, 'resolve-failed');
  });
});
