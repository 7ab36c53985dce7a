// Resolve a <name>.local host name through a one-shot mDNS query (RFC 6762 §5.1), for outbound s2s to a .local
// domain and for checking whether a name is taken. Queries go out from an ordinary port on every chosen LAN
// interface, so responders answer by unicast and no port-5353 socket is needed.
import dgram from 'node:dgram';
import multicastDns, { type MdnsRecord, type MulticastDns } from 'multicast-dns';
import { listLanInterfaces, type LanInterface } from './interfaces.js';
import { isLocalName, normalizeAddress, sameName } from './records.js';
import { MDNS_GROUP, MDNS_PORT } from './transport.js';

export class LocalNameNotFoundError extends Error {
  constructor(readonly hostName: string, timeoutMs: number) {
    super(`No device on the local network answered for ${hostName} within ${timeoutMs} ms.`);
  }
}

export interface ResolveLocalOptions {
  /** Give up after this long (default 3000 ms). */
  timeoutMs?: number;
  /** After the first answer, wait this long for more (other interfaces, AAAA after A); default 150 ms. */
  settleMs?: number;
  /** Interface names (as config.discoveryInterfaces), or interfaces already chosen; default: all LAN interfaces. */
  interfaces?: readonly string[] | readonly LanInterface[];
  /** Which addresses to ask for: 4, 6 or both (0, the default). */
  family?: 0 | 4 | 6;
}

/** `address` is ready for net.connect: a link-local IPv6 address carries its zone (fe80::1%eth0). */
export interface ResolvedAddress { address: string; family: 4 | 6; interface: string }

async function openQuerySocket(iface: LanInterface): Promise<{ socket: dgram.Socket; mdns: MulticastDns }> {
  const socket = dgram.createSocket({ type: 'udp4' });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, iface.ipv4[0].address, () => {
      socket.removeListener('error', reject);
      resolve();
    });
  });
  socket.setMulticastInterface(iface.ipv4[0].address);
  socket.setMulticastTTL(255);
  const mdns = multicastDns({ socket, bind: false, multicast: false, port: MDNS_PORT, ip: MDNS_GROUP });
  return { socket, mdns };
}

/** Addresses for `name` (IPv4 first), detailed. Rejects with LocalNameNotFoundError when nobody answers in time. */
export async function resolveLocalDetailed(name: string, opts: ResolveLocalOptions = {}): Promise<ResolvedAddress[]> {
  if (!isLocalName(name)) throw new Error(`${name} is not a .local name; only .local names are resolved by multicast DNS.`);
  const timeoutMs = opts.timeoutMs ?? 3000;
  const settleMs = opts.settleMs ?? 150;
  const family = opts.family ?? 0;
  const given = opts.interfaces ?? [];
  const ifaces = given.length > 0 && typeof given[0] !== 'string' ? (given as LanInterface[]) : listLanInterfaces(given as string[]);
  if (ifaces.length === 0) throw new Error(`Cannot look up ${name}: this machine has no LAN interface to ask on.`);
  const types = family === 4 ? ['A'] : family === 6 ? ['AAAA'] : ['A', 'AAAA'];

  const opened = await Promise.allSettled(ifaces.map(async (iface) => ({ iface, ...(await openQuerySocket(iface)) })));
  const sockets = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
  if (sockets.length === 0) {
    const why = opened.find((o): o is PromiseRejectedResult => o.status === 'rejected')?.reason as Error | undefined;
    throw new Error(`Cannot look up ${name}: no interface could send a query (${why?.message ?? 'unknown error'}).`);
  }

  const found = new Map<string, ResolvedAddress>();
  const timers: NodeJS.Timeout[] = [];
  try {
    return await new Promise<ResolvedAddress[]>((resolve, reject) => {
      let settling = false;
      const finish = (): void => {
        const list = [...found.values()].sort((a, b) => a.family - b.family);
        if (list.length > 0) resolve(list);
        else reject(new LocalNameNotFoundError(name, timeoutMs));
      };
      const take = (rr: MdnsRecord, iface: string): void => {
        if (!types.includes(rr.type) || !sameName(rr.name, name) || (rr.ttl ?? 0) === 0) return;
        const raw = String(rr.data);
        // A link-local IPv6 address is only usable with its interface (fe80::1%eth0).
        const address = rr.type === 'AAAA' && /^fe[89ab]/i.test(raw) && !raw.includes('%') ? `${raw}%${iface}` : raw;
        const key = normalizeAddress(address);
        if (!found.has(key)) found.set(key, { address, family: rr.type === 'A' ? 4 : 6, interface: iface });
        if (!settling) {
          settling = true;
          timers.push(setTimeout(finish, settleMs));
        }
      };
      const ask = (): void => {
        for (const s of sockets) s.mdns.query({ questions: types.map((type) => ({ name, type })) }, null, () => undefined);
      };
      for (const s of sockets) {
        s.mdns.on('response', (p) => [...(p.answers ?? []), ...(p.additionals ?? [])].forEach((rr) => take(rr, s.iface.name)));
        s.mdns.on('warning', () => undefined);
        s.mdns.on('error', () => undefined);
      }
      ask();
      // Retransmit after 1 s, 2 s, 4 s… while time remains (a lost packet, or a responder that is still probing).
      for (let at = 1000, step = 1000; at < timeoutMs - 200; step *= 2, at += step) timers.push(setTimeout(() => { if (!settling) ask(); }, at));
      timers.push(setTimeout(() => { if (!settling) finish(); }, timeoutMs));
    });
  } finally {
    timers.forEach(clearTimeout);
    await Promise.all(sockets.map((s) => new Promise<void>((r) => s.mdns.destroy(() => r()))));
  }
}

/** Addresses for `name`, IPv4 first. */
export async function resolveLocal(name: string, opts: ResolveLocalOptions = {}): Promise<string[]> {
  return (await resolveLocalDetailed(name, opts)).map((a) => a.address);
}

/** Whether some device on the LAN answers for `name` (used to suggest a free name after a conflict). */
export async function isLocalNameTaken(name: string, opts: ResolveLocalOptions = {}): Promise<boolean> {
  try {
    await resolveLocalDetailed(name, { timeoutMs: 800, ...opts });
    return true;
  } catch (err) {
    if (err instanceof LocalNameNotFoundError) return false;
    throw err;
  }
}
