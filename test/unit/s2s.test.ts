// Federation pieces without sockets: dialback keys (XEP-0220 §2.1.1 / XEP-0185), static routes, and the order in
// which a remote domain's addresses are tried (RFC 6120 §3.2, XEP-0368) against a stub DNS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import type dns from 'node:dns';
import { DialbackKeys, resolveTargets, RemoteNotFoundError, parseHostPort, type DnsLookups } from '../../server/s2s/index.js';

test('dialback keys: HMAC-SHA256 over "receiving originating id" keyed with SHA-256 of the secret (XEP-0185 recipe)', () => {
  const secret = Buffer.from('s3cr3tf0rd14lb4ck');
  const keys = new DialbackKeys(secret);
  const expected = createHmac('sha256', createHash('sha256').update(secret).digest()).update('example.com example.org D60000229F').digest('hex');
  assert.equal(keys.generate('example.com', 'example.org', 'D60000229F'), expected);
  assert.equal(keys.verify('example.com', 'example.org', 'D60000229F', ` ${expected}\n`), true);
  assert.equal(keys.verify('example.com', 'example.org', 'D60000229G', expected), false, 'another stream');
  assert.equal(keys.verify('example.org', 'example.com', 'D60000229F', expected), false, 'the other direction');
  assert.equal(keys.verify('example.com', 'example.org', 'D60000229F', expected.slice(1)), false);
  assert.notEqual(new DialbackKeys().generate('a', 'b', 'c'), new DialbackKeys().generate('a', 'b', 'c'), 'a random secret per process');
});

test('static routes: host:port, [v6]:port, bare host (5269); nonsense is refused', () => {
  assert.deepEqual(parseHostPort('10.0.0.7:5270'), { host: '10.0.0.7', port: 5270 });
  assert.deepEqual(parseHostPort('peer.example'), { host: 'peer.example', port: 5269 });
  assert.deepEqual(parseHostPort('[::1]:5300'), { host: '::1', port: 5300 });
  assert.deepEqual(parseHostPort('fe80::1'), { host: 'fe80::1', port: 5269 });
  assert.equal(parseHostPort('host:0'), null);
  assert.equal(parseHostPort('host:70000'), null);
  assert.equal(parseHostPort('a b'), null);
  assert.equal(parseHostPort(''), null);
});

function stubDns(srv: Record<string, dns.SrvRecord[] | string>, addresses: Record<string, string[]>): DnsLookups & { asked: string[] } {
  const asked: string[] = [];
  const fail = (code: string): Error => Object.assign(new Error(code), { code });
  return {
    asked,
    resolveSrv: async (name) => {
      asked.push(`SRV ${name}`);
      const r = srv[name];
      if (r === undefined) throw fail('ENOTFOUND');
      if (typeof r === 'string') throw fail(r);
      return r;
    },
    lookup: async (host) => {
      asked.push(`A ${host}`);
      const r = addresses[host];
      if (!r) throw fail('ENOTFOUND');
      return r.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
    },
  };
}

const opts = (d: DnsLookups, hosts: Record<string, { host: string; port: number }> = {}) => ({ hosts: new Map(Object.entries(hosts)), timeoutMs: 2000, dns: d });

test('SRV records in priority then weight order, _xmpps-server ones with direct TLS (S2S-02)', async () => {
  const d = stubDns({
    '_xmpp-server._tcp.example.org': [
      { name: 'b.example.org', port: 5269, priority: 20, weight: 0 },
      { name: 'a.example.org', port: 5270, priority: 10, weight: 5 },
      { name: 'c.example.org', port: 5271, priority: 10, weight: 50 },
    ],
    '_xmpps-server._tcp.example.org': [{ name: 'tls.example.org', port: 5270, priority: 15, weight: 0 }],
  }, {});
  const t = await resolveTargets('example.org', opts(d));
  assert.deepEqual(t.map((x) => `${x.host}:${x.port}${x.directTls ? ' tls' : ''}`), [
    'c.example.org:5271', 'a.example.org:5270', 'tls.example.org:5270 tls', 'b.example.org:5269',
  ]);
});

test('no SRV records: the domain\'s own addresses on 5269; a failed SRV lookup falls back too', async () => {
  const d = stubDns({ '_xmpp-server._tcp.broken.example': 'ESERVFAIL' }, { 'plain.example': ['192.0.2.1', '2001:db8::1'], 'broken.example': ['192.0.2.2'] });
  assert.deepEqual(await resolveTargets('plain.example', opts(d)), [
    { host: '192.0.2.1', port: 5269, directTls: false }, { host: '2001:db8::1', port: 5269, directTls: false },
  ]);
  assert.deepEqual((await resolveTargets('broken.example', opts(d))).map((x) => x.host), ['192.0.2.2']);
});

test('a domain with neither SRV nor address, or with SRV target ".", is RemoteNotFoundError (CORE-58)', async () => {
  const d = stubDns({ '_xmpp-server._tcp.dot.example': [{ name: '.', port: 0, priority: 0, weight: 0 }] }, { 'dot.example': ['192.0.2.3'] });
  await assert.rejects(resolveTargets('nowhere.example', opts(d)), RemoteNotFoundError);
  await assert.rejects(resolveTargets('dot.example', opts(d)), RemoteNotFoundError);
});

test('static routes and IP literals are used without asking DNS; .local names go to mDNS', async () => {
  const d = stubDns({}, {});
  assert.deepEqual(await resolveTargets('lab.example', opts(d, { 'lab.example': { host: '10.1.2.3', port: 5999 } })), [{ host: '10.1.2.3', port: 5999, directTls: false }]);
  assert.deepEqual(await resolveTargets('192.0.2.9', opts(d)), [{ host: '192.0.2.9', port: 5269, directTls: false }]);
  assert.deepEqual(d.asked, []);
  const asked: string[] = [];
  const viaMdns = await resolveTargets('office.local', { ...opts(d), resolveLocalName: async (name) => { asked.push(name); return ['10.254.1.1']; } });
  assert.deepEqual(viaMdns, [{ host: '10.254.1.1', port: 5269, directTls: false }]);
  assert.deepEqual(asked, ['office.local']);
  await assert.rejects(resolveTargets('gone.local', { ...opts(d), resolveLocalName: async () => { throw new Error('no answer'); } }), RemoteNotFoundError);
  assert.deepEqual(d.asked, []);
});
