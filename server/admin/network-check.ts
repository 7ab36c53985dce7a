// The setup wizard's network check: for each port Parley uses, whether it listens there, whether it is free or
// taken by another program, and what to do about it; plus the addresses devices can reach this machine at.
import net from 'node:net';
import os from 'node:os';
import type { NetworkCheck, PortCheck, PortState } from './console-api.js';
import { DEFAULT_FEDERATION_PORT } from './settings.js';

const LABELS: Record<PortCheck['name'], string> = {
  c2s: 'Devices (XMPP with STARTTLS)',
  tls: 'Devices (XMPP with direct TLS)',
  s2s: 'Federation with other servers',
  http: 'Web console and web clients',
};

const FLAGS: Record<PortCheck['name'], string> = { c2s: 'c2sPort', tls: 'tlsPort', s2s: 's2sPort', http: 'httpPort' };

/** Whether a port can be bound on `host` now: free, taken (EADDRINUSE) or not permitted (EACCES). */
export function probePort(host: string, port: number): Promise<Exclude<PortState, 'listening' | 'off'>> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      resolve(err.code === 'EACCES' ? 'not-permitted' : 'taken');
    });
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/** Addresses of this machine other than loopback and link-local IPv6, IPv4 first. */
export function lanAddresses(): string[] {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv4') v4.push(a.address);
      else if (!a.address.toLowerCase().startsWith('fe80:')) v6.push(a.address);
    }
  }
  return [...v4, ...v6];
}

export function isLoopbackBind(bind: string): boolean {
  return bind === 'localhost' || bind === '::1' || /^127\./.test(bind);
}

export interface NetworkCheckInput {
  bind: string;
  /** Configured ports (null = off). */
  configured: Record<PortCheck['name'], number | null>;
  /** Ports Parley listens on now, by listener name. */
  listening: Record<string, number>;
}

export async function checkNetwork(input: NetworkCheckInput): Promise<NetworkCheck> {
  const { bind } = input;
  const ports: PortCheck[] = [];
  for (const name of ['c2s', 'tls', 'http', 's2s'] as const) {
    const configured = input.configured[name];
    const bound = input.listening[name];
    if (bound !== undefined) {
      ports.push({ name, label: LABELS[name], port: bound, state: 'listening', advice: '' });
      continue;
    }
    if (configured === null && name !== 's2s') {
      ports.push({ name, label: LABELS[name], port: null, state: 'off', advice: '' });
      continue;
    }
    // Federation is checked on its usual port even when off, so that turning it on is known to work.
    const port = configured ?? DEFAULT_FEDERATION_PORT;
    const state = configured === 0 ? 'free' : await probePort(bind, port);
    const off = configured === null;
    let advice = '';
    if (state === 'taken') {
      advice = off
        ? `Federation is off. Another program uses port ${port}, so to turn federation on, stop that program first.`
        : `Another program uses port ${port}. Stop that program, or choose another ${FLAGS[name]} in Settings.`;
    } else if (state === 'not-permitted') {
      advice = `Parley may not use port ${port} on this machine. Choose a port above 1023 in Settings.`;
    } else if (off) {
      advice = `Federation is off; port ${port} is free if you turn it on.`;
    } else {
      advice = `Port ${port} is free; Parley will use it when it starts again.`;
    }
    ports.push({ name, label: LABELS[name], port, state: off && state === 'free' ? 'off' : state, advice });
  }
  const addresses = lanAddresses();
  const notes: string[] = [];
  if (isLoopbackBind(bind)) {
    notes.push(`Parley listens on ${bind} only, so only this computer can connect. To let other devices connect, set the listening address to 0.0.0.0 in Settings and restart Parley.`);
  } else if (addresses.length === 0) {
    notes.push('This computer has no network address other than loopback: connect it to a network so that devices can reach Parley.');
  } else {
    notes.push('If devices cannot connect, allow these ports in this computer’s firewall.');
  }
  return { bind, ports, addresses, notes };
}
