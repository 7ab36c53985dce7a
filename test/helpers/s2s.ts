// Federation tests: Parley servers for domains of the test's choosing (a.test, b.test…) on loopback with s2s on,
// clients that log in to them, and a raw server-to-server peer that speaks jabber:server by hand. Certificates are
// cached per domain across runs (RSA key generation would dominate the time otherwise).
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { promises as fs } from 'node:fs';
import { ParleyServer } from '../../server/server.js';
import { resolveConfig, type StoredSettings } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import type { ServerModule } from '../../server/modules/module.js';
import type { S2sService } from '../../server/s2s/index.js';
import { RawClient, nextId, type Element } from './raw-client.js';

export interface DomainServer {
  domain: string;
  server: ParleyServer;
  dataDir: string;
  c2sPort: number;
  s2sPort: number;
  caPem: string;
  s2s: S2sService;
  /** "127.0.0.1:<s2s port>", for the other server's s2sHosts. */
  route: string;
  addUser(name: string, password?: string): Promise<void>;
  stop(): Promise<void>;
}

export const PASSWORD = 's2s-test-pw';

/**
 * Data folders of earlier runs: stop() removes its folder, but a module may still write a file just after the server
 * stopped (seen: last-activity.db), so a few survive; folders older than ten minutes belong to no running test.
 */
async function removeStaleFolders(): Promise<void> {
  const tmp = os.tmpdir();
  const cutoff = Date.now() - 10 * 60_000;
  for (const name of await fs.readdir(tmp).catch(() => [] as string[])) {
    if (!name.startsWith('parley-s2s-')) continue;
    const full = path.join(tmp, name);
    const st = await fs.stat(full).catch(() => null);
    if (st && st.isDirectory() && st.mtimeMs < cutoff) await fs.rm(full, { recursive: true, force: true }).catch(() => undefined);
  }
}

export async function startDomain(domain: string, settings: StoredSettings = {}, modules?: ServerModule[]): Promise<DomainServer> {
  await removeStaleFolders();
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), `parley-s2s-${domain}-`));
  // A complete cache only: it is made by renaming a finished copy into place, so parallel test files never read
  // half-written keys.
  const cache = path.join(os.tmpdir(), `parley-test-certs-${domain}-${process.getuid?.() ?? 0}`);
  await fs.cp(cache, path.join(dataDir, 'certs'), { recursive: true }).catch(() => undefined);
  const config = resolveConfig(dataDir, {}, {
    domain, bind: '127.0.0.1', c2sPort: 0, tlsPort: null, s2sPort: 0, httpPort: null, discovery: false, logLevel: 'debug',
    ...settings,
  });
  const logger = new Logger('debug', process.env.PARLEY_TEST_LOG ? (l) => process.stderr.write(`[${domain}] ${l}\n`) : null);
  const server = new ParleyServer(config, { logger, adminEndpoint: false, modules });
  await server.start();
  const staging = `${cache}.${process.pid}.${Date.now()}`;
  await fs.cp(path.join(dataDir, 'certs'), staging, { recursive: true })
    .then(() => fs.rename(staging, cache))
    .catch(() => fs.rm(staging, { recursive: true, force: true }));
  return {
    domain,
    server,
    dataDir,
    c2sPort: server.ports.c2s,
    s2sPort: server.ports.s2s,
    caPem: server.certificate!.caCertPem,
    s2s: server.s2s!,
    route: `127.0.0.1:${server.ports.s2s}`,
    addUser: (name, password = PASSWORD) => server.accounts!.create(name, password),
    stop: async () => {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
}

/** Point each server's static routes at the others (domain → 127.0.0.1:port). */
export function link(...servers: DomainServer[]): void {
  for (const s of servers) {
    const hosts: Record<string, string> = { ...s.server.config.s2sHosts };
    for (const o of servers) if (o !== s) hosts[o.domain] = o.route;
    s.server.config.s2sHosts = hosts;
  }
}

/** A client of `t` logged in as user@domain/resource (STARTTLS, SCRAM, bind); available unless told otherwise. */
export async function loginTo(t: DomainServer, user: string, resource = 'r', available = true): Promise<RawClient & { jid: string }> {
  const c = await RawClient.connect(t.c2sPort);
  try {
    await c.open({ to: t.domain });
    await c.startTls(t.caPem, { servername: t.domain });
    await c.open({ to: t.domain });
    const answer = await c.authScram(user, PASSWORD);
    if (answer.name !== 'success') throw new Error(`login as ${user}@${t.domain} failed: ${answer.toString()}`);
    await c.restart({ to: t.domain });
    const jid = await c.bind(resource);
    if (available) {
      c.send('<presence/>');
      await c.nextElement((e) => e.name === 'presence' && e.attrs.from === jid, 'the echo of our own presence');
    }
    return Object.assign(c, { jid });
  } catch (err) {
    c.destroy();
    throw err;
  }
}

export const isStanza = (name: string, pred: (e: Element) => boolean = () => true) => (e: Element): boolean => e.name === name && pred(e);

/** Roster get, so the client is "interested" and receives roster pushes (RFC 6121 §2.2). */
export async function rosterGet(c: RawClient): Promise<Element> {
  const id = nextId('roster');
  return c.iq(`<iq type='get' id='${id}'><query xmlns='jabber:iq:roster'/></iq>`, id);
}

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

/** A TCP listener that accepts connections and never says a word (a peer that hangs). */
export async function silentListener(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const srv = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => srv.close(() => r()));
    },
  };
}

export const NS_SERVER = 'jabber:server';
export const NS_DB = 'jabber:server:dialback';

/** The header a server sends to open an s2s stream. */
export function s2sStreamHeader(o: { from?: string; to?: string; ns?: string; version?: string | null } = {}): string {
  let s = `<?xml version='1.0'?><stream:stream xmlns='${o.ns ?? NS_SERVER}' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='${NS_DB}'`;
  if (o.from !== undefined) s += ` from='${o.from}'`;
  if (o.to !== undefined) s += ` to='${o.to}'`;
  if (o.version !== null) s += ` version='${o.version ?? '1.0'}'`;
  return s + '>';
}

/**
 * A hand-driven peer server: connects to `t`'s s2s port, opens a stream from `from`, does STARTTLS (verifying
 * `t`'s certificate), and returns the client with the post-TLS header and features read.
 */
export async function rawPeer(t: DomainServer, from: string): Promise<{ c: RawClient; header: Record<string, string>; features: Element }> {
  const c = await RawClient.connect(t.s2sPort);
  c.resetParser();
  c.send(s2sStreamHeader({ from, to: t.domain }));
  const first = await c.expectStreamStart();
  if (!first.features.getChild('starttls')) throw new Error(`no STARTTLS offered: ${first.features.toString()}`);
  await c.startTls(t.caPem, { servername: t.domain });
  c.send(s2sStreamHeader({ from, to: t.domain }));
  const { header, features } = await c.expectStreamStart();
  return { c, header, features };
}

/** Everything `c` receives up to the pong of a ping sent now: all it sent before was processed (CORE-55). */
export async function untilPong(c: RawClient): Promise<Element[]> {
  const id = nextId('sync');
  c.send(`<iq type='get' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`);
  const got: Element[] = [];
  for (;;) {
    const e = await c.nextElement(undefined, `the pong ${id}`);
    if (e.name === 'iq' && e.attrs.id === id) return got;
    got.push(e);
  }
}

/** The clients of one test file: `login` as loginTo, each kept for `destroyAll` in the file's after(). */
export function clientsOf(): { login(t: DomainServer, user: string, resource?: string, available?: boolean): Promise<RawClient & { jid: string }>; destroyAll(): void } {
  const clients: RawClient[] = [];
  return {
    async login(t, user, resource = 'r', available = true) {
      const c = await loginTo(t, user, resource, available);
      clients.push(c);
      return c;
    },
    destroyAll() {
      for (const c of clients.splice(0)) c.destroy();
    },
  };
}
