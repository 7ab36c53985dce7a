// Child process for the discovery tests: the "other machine" in namespace B. Commands on stdin, JSON lines out:
//   browse                        DNS-SD browser (bonjour-service) for _xmpp-client._tcp and _xmpps-client._tcp → up/down
//   resolve NAME [TIMEOUT_MS]     <name>.local through Parley's resolve-local → resolved / resolve-failed
//   connect NAME PORT USER PASS   resolve NAME, then log in with @xmpp/client and ping → connected / connect-failed
//   watch NAME                    every A record for NAME seen in any mDNS response → a-record
import readline from 'node:readline';
import BonjourPkg from 'bonjour-service';
import multicastDns from 'multicast-dns';
import { client, xml } from '@xmpp/client';
import { resolveLocal } from '../../server/discovery/resolve-local.js';
import { say } from '../helpers/ns-child.js';

let bonjour: InstanceType<typeof BonjourPkg> | null = null;

function browse(): void {
  bonjour ??= new BonjourPkg();
  for (const type of ['xmpp-client', 'xmpps-client']) {
    const b = bonjour.find({ type, protocol: 'tcp' });
    b.on('up', (s) => say('up', { type, name: s.name, host: s.host, port: s.port, txt: s.txt, addresses: s.addresses, fqdn: s.fqdn }));
    b.on('down', (s) => say('down', { type, name: s.name }));
    // Ask again now and then, as a real browser does, so a service that comes back later is seen.
    setInterval(() => b.update(), 2000).unref();
  }
  say('browsing');
}

function watch(name: string): void {
  const m = multicastDns();
  m.on('response', (p) => {
    for (const rr of [...(p.answers ?? []), ...(p.additionals ?? [])]) {
      if (rr.type === 'A' && rr.name.toLowerCase() === name.toLowerCase()) say('a-record', { address: rr.data, ttl: rr.ttl });
    }
  });
  m.on('ready', () => say('watching', { name }));
}

async function connect(name: string, port: number, username: string, password: string): Promise<void> {
  try {
    const [address] = await resolveLocal(name, { timeoutMs: 3000, family: 4 });
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
    // The service is the resolved address; the XMPP domain (stream `to`, SASL, certificate name) is the .local name.
    const c = client({ service: `xmpp://${address}:${port}`, domain: name, username, password });
    c.on('error', () => undefined);
    const jid = await c.start();
    const pong = await c.iqCaller.request(xml('iq', { type: 'get', to: name }, xml('ping', { xmlns: 'urn:xmpp:ping' })));
    await c.stop();
    say('connected', { jid: jid.toString(), address, pong: pong.attrs.type });
  } catch (err) {
    say('connect-failed', { message: (err as Error).message });
  }
}

readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const [cmd, ...rest] = line.trim().split(/\s+/);
  if (cmd === 'browse') browse();
  else if (cmd === 'watch') watch(rest[0]);
  else if (cmd === 'resolve') {
    const started = Date.now();
    resolveLocal(rest[0], { timeoutMs: Number(rest[1] ?? 3000) }).then(
      (addresses) => say('resolved', { name: rest[0], addresses, ms: Date.now() - started }),
      (err: Error) => say('resolve-failed', { name: rest[0], message: err.message, ms: Date.now() - started }),
    );
  } else if (cmd === 'connect') void connect(rest[0], Number(rest[1]), rest[2], rest[3]);
});
// The test that started us is gone (its end of stdin closed): exit too.
process.stdin.once('end', () => process.exit(0));
process.once('SIGTERM', () => {
  if (bonjour) bonjour.destroy(() => process.exit(0));
  else process.exit(0);
});
say('ready');
