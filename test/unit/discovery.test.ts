// Discovery's pure parts, without any socket: interface choice, names, records, answers, conflicts, tie-breaks.
// (The network behaviour is tested in test/integration/discovery*.test.ts, inside network namespaces only.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type os from 'node:os';
import type { RemoteInfo } from 'node:dgram';
import type { MdnsPacket, MdnsRecord } from 'multicast-dns';
import { listLanInterfaces, onSubnet, reachableFrom, type LanInterface } from '../../server/discovery/interfaces.js';
import { compareProposals, instanceName, nextName, txtStrings, hostRecords } from '../../server/discovery/records.js';
import { LocalNameResponder, hostNameFor } from '../../server/discovery/local-name-responder.js';
import { ServiceAdvertiser } from '../../server/discovery/advertiser.js';
import { Responder } from '../../server/discovery/responder.js';
import type { MdnsTransport } from '../../server/discovery/transport.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', mac = '02:00:00:00:00:01', internal = false): os.NetworkInterfaceInfo =>
  ({ address, family, mac, internal, netmask: family === 'IPv4' ? '255.255.255.0' : 'ffff:ffff:ffff:ffff::', cidr: null, ...(family === 'IPv6' ? { scopeid: 2 } : {}) }) as os.NetworkInterfaceInfo;

const TABLE = {
  lo: [nic('127.0.0.1', 'IPv4', '00:00:00:00:00:00', true), nic('::1', 'IPv6', '00:00:00:00:00:00', true)],
  eth0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6')],
  wlp2s0: [nic('10.0.0.7', 'IPv4')],
  tun0: [nic('10.8.0.2', 'IPv4', '00:00:00:00:00:00')],
  wg0: [nic('10.9.0.2', 'IPv4', '00:00:00:00:00:00')],
  oddtunnel: [nic('10.10.0.2', 'IPv4', '00:00:00:00:00:00')],
  docker0: [nic('172.17.0.1', 'IPv4')],
  'OpenVPN TAP-Windows6': [nic('10.11.0.2', 'IPv4', '00:ff:aa:bb:cc:dd')],
  v6only: [nic('fe80::9', 'IPv6')],
};

test('DISC: all LAN interfaces by default; no loopback-only, VPN, tunnel, virtual bridge or IPv6-only one', () => {
  assert.deepEqual(listLanInterfaces(undefined, TABLE).map((i) => i.name), ['eth0', 'wlp2s0']);
  const eth0 = listLanInterfaces(undefined, TABLE).find((i) => i.name === 'eth0')!;
  assert.deepEqual(eth0.ipv4, [{ address: '192.168.1.20', netmask: '255.255.255.0' }]);
  assert.deepEqual(eth0.ipv6, ['fe80::1']);
});

test('DISC: chosen interfaces are used exactly, VPN and loopback included', () => {
  assert.deepEqual(listLanInterfaces(['tun0', 'lo'], TABLE).map((i) => i.name), ['lo', 'tun0']);
  assert.deepEqual(listLanInterfaces(['nonexistent'], TABLE), []);
});

test('DISC: a packet belongs to the interface whose subnet its source is on', () => {
  const [eth0] = listLanInterfaces(['eth0'], TABLE);
  assert.equal(onSubnet(eth0, '192.168.1.99'), true);
  assert.equal(onSubnet(eth0, '::ffff:192.168.1.99'), true);
  assert.equal(onSubnet(eth0, '192.168.2.99'), false);
  assert.equal(onSubnet(eth0, 'fe80::2'), false);
});

test('DISC: names: instance from the domain, SRV target, suggestions after a conflict', () => {
  assert.equal(instanceName('office.local'), 'office-local');
  assert.deepEqual(hostNameFor('Office.local'), { name: 'office.local', owned: true });
  assert.equal(hostNameFor('chat.example.org').owned, false);
  assert.match(hostNameFor('chat.example.org').name, /^[a-z0-9-]+\.local$/);
  assert.equal(nextName('office.local'), 'office-2.local');
  assert.equal(nextName('office-2.local'), 'office-3.local');
  assert.equal(nextName('chat.example.org'), 'chat-2.example.org');
});

test('DISC: TXT keys are at most nine characters and carry domain, version and fingerprint', () => {
  const txt = txtStrings({ domain: 'office.local', version: '1.2.3', fingerprintSha256: 'AB:CD' });
  assert.deepEqual(txt, ['txtvers=1', 'domain=office.local', 'server=Parley', 'version=1.2.3', 'sha256=AB:CD']);
  for (const t of txt) assert.ok(t.split('=')[0].length <= 9);
});

test('DISC: simultaneous-probe tie-break (RFC 6762 §8.2)', () => {
  const mine = hostRecords('office.local', ['10.0.0.2'], []);
  assert.equal(compareProposals(mine, hostRecords('office.local', ['10.0.0.2'], [])), 0);
  assert.ok(compareProposals(mine, hostRecords('office.local', ['10.0.0.1'], [])) > 0);
  assert.ok(compareProposals(mine, hostRecords('office.local', ['10.0.0.3'], [])) < 0);
  assert.ok(compareProposals(mine, hostRecords('office.local', ['10.0.0.2'], ['fe80::1'])) < 0);
});

// A stand-in for one interface's socket: records what would be sent.
function fakeTransport(): { t: MdnsTransport; sent: { packet: Record<string, unknown>; to: unknown }[] } {
  const iface: LanInterface = { name: 'eth0', ipv4: [{ address: '192.168.1.20', netmask: '255.255.255.0' }], ipv6: ['fe80::1'] };
  const sent: { packet: Record<string, unknown>; to: unknown }[] = [];
  const t = { iface, state: 'announced', respond: async (packet: Record<string, unknown>, to: unknown = null) => { sent.push({ packet, to }); }, query: async () => undefined };
  return { t: t as unknown as MdnsTransport, sent };
}

function responder(): Responder {
  const info = { domain: 'office.local', version: '1.0.0', fingerprintSha256: 'AB' };
  return new Responder(new LocalNameResponder('office.local', true),
    new ServiceAdvertiser(info, [{ type: '_xmpp-client._tcp', port: 5222 }, { type: '_xmpps-client._tcp', port: 5223 }], 'office.local'));
}

const query = (questions: { name: string; type: string }[], extra: Partial<MdnsPacket> = {}): MdnsPacket =>
  ({ id: 77, type: 'query', questions, answers: [], authorities: [], additionals: [], ...extra });
const from = (port = 5353): RemoteInfo => ({ address: '192.168.1.50', port, family: 'IPv4', size: 0 });

test('DISC: a PTR query is answered with PTR, and SRV, TXT, A and AAAA as additionals', () => {
  const { t, sent } = fakeTransport();
  responder().onQuery(query([{ name: '_xmpp-client._tcp.local', type: 'PTR' }]), from(), t);
  assert.equal(sent.length, 1);
  const p = sent[0].packet as { answers: MdnsRecord[]; additionals: MdnsRecord[] };
  assert.deepEqual(p.answers.map((r) => [r.type, r.data]), [['PTR', 'office-local._xmpp-client._tcp.local']]);
  assert.deepEqual(p.additionals.map((r) => r.type).sort(), ['A', 'AAAA', 'SRV', 'TXT']);
  assert.deepEqual((p.additionals.find((r) => r.type === 'SRV')!.data as { port: number }).port, 5222);
  assert.equal(sent[0].to, null, 'multicast');
});

test('DISC: A/AAAA queries for the .local name; known answers are not repeated; other names get nothing', () => {
  const { t, sent } = fakeTransport();
  const r = responder();
  r.onQuery(query([{ name: 'Office.local', type: 'A' }]), from(), t);
  assert.deepEqual((sent[0].packet.answers as MdnsRecord[]).map((x) => x.data), ['192.168.1.20']);
  r.onQuery(query([{ name: 'office.local', type: 'AAAA' }]), from(), t);
  assert.deepEqual((sent[1].packet.answers as MdnsRecord[]).map((x) => x.data), ['fe80::1']);
  r.onQuery(query([{ name: 'office.local', type: 'A' }], { answers: [{ name: 'office.local', type: 'A', ttl: 120, data: '192.168.1.20' }] }), from(), t);
  r.onQuery(query([{ name: 'someone-else.local', type: 'A' }]), from(), t);
  assert.equal(sent.length, 2);
});

test('DISC: a one-shot query from an ordinary port gets a unicast reply with its id, questions and TTL ≤ 10 s', () => {
  const { t, sent } = fakeTransport();
  responder().onQuery(query([{ name: 'office.local', type: 'A' }]), from(40000), t);
  assert.deepEqual(sent[0].to, { address: '192.168.1.50', port: 40000 });
  assert.equal(sent[0].packet.id, 77);
  assert.equal((sent[0].packet.questions as unknown[]).length, 1);
  assert.ok((sent[0].packet.answers as MdnsRecord[]).every((x) => (x.ttl ?? 0) <= 10 && !x.flush));
});

test('DISC: nothing is answered while probing; a foreign answer for our name then is a conflict, our own is not', () => {
  const { t, sent } = fakeTransport();
  (t as { state: string }).state = 'probing';
  const r = responder();
  const conflicts: unknown[] = [];
  r.on('conflict', (c) => conflicts.push(c));
  r.onQuery(query([{ name: 'office.local', type: 'A' }]), from(), t);
  assert.equal(sent.length, 0);
  r.host.records(t.iface); // what we propose is ours
  const response = (data: string): MdnsPacket => ({ type: 'response', questions: [], answers: [{ name: 'office.local', type: 'A', ttl: 120, data }], authorities: [], additionals: [] });
  r.onResponse(response('192.168.1.20'), from(), t);
  r.onResponse({ ...response('192.168.1.77'), answers: [{ name: 'office.local', type: 'A', ttl: 0, data: '192.168.1.77' }] }, from(), t);
  assert.equal(conflicts.length, 0, 'our own address, and a goodbye, are no conflict');
  r.onResponse(response('192.168.1.77'), from(), t);
  assert.deepEqual(conflicts, [{ name: 'office.local', kind: 'host', interface: 'eth0', from: '192.168.1.50' }]);
});

test('DISC: another SRV for our instance name is a service conflict', () => {
  const { t } = fakeTransport();
  (t as { state: string }).state = 'probing';
  const r = responder();
  const conflicts: { kind: string }[] = [];
  r.on('conflict', (c: { kind: string }) => conflicts.push(c));
  const srv = (port: number): MdnsPacket => ({ type: 'response', questions: [], answers: [{ name: 'office-local._xmpp-client._tcp.local', type: 'SRV', ttl: 120, data: { port, target: 'office.local', priority: 0, weight: 0 } }], authorities: [], additionals: [] });
  r.onResponse(srv(5222), from(), t);
  assert.equal(conflicts.length, 0);
  r.onResponse(srv(6222), from(), t);
  assert.equal(conflicts[0]?.kind, 'service');
});

test('discovery uses only interfaces that can reach the bound address: all for 0.0.0.0, the owner of a specific one, none for loopback', () => {
  const lan: LanInterface[] = [
    { name: 'eth0', ipv4: [{ address: '192.168.1.10', netmask: '255.255.255.0' }], ipv6: ['fe80::1'] },
    { name: 'wlan0', ipv4: [{ address: '10.0.0.5', netmask: '255.255.255.0' }], ipv6: [] },
  ];
  assert.deepEqual(reachableFrom(lan, '0.0.0.0').map((i) => i.name), ['eth0', 'wlan0']);
  assert.deepEqual(reachableFrom(lan, '::').map((i) => i.name), ['eth0', 'wlan0']);
  assert.deepEqual(reachableFrom(lan, undefined).map((i) => i.name), ['eth0', 'wlan0']);
  assert.deepEqual(reachableFrom(lan, '10.0.0.5').map((i) => i.name), ['wlan0']);
  assert.deepEqual(reachableFrom(lan, 'fe80::1').map((i) => i.name), ['eth0']);
  assert.deepEqual(reachableFrom(lan, '127.0.0.1'), []);
});
