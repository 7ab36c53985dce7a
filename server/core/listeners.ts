// TCP listeners for client streams: 5222 (STARTTLS) and 5223 (direct TLS, XEP-0368, ALPN xmpp-client).
import net from 'node:net';
import tls from 'node:tls';
import type { ServerContext } from './context.js';
import { C2sConnection } from './c2s-connection.js';
import { SocketTransport } from './socket-transport.js';
import { ConnectionCounter } from './limits.js';

export class ListenError extends Error {}

export interface C2sListeners {
  /** Open client connections (bound or still negotiating). */
  connections: Set<C2sConnection>;
  servers: net.Server[];
  /** Bound addresses by listener name, e.g. { c2s: 5222, tls: 5223 } with port 0 resolved. */
  ports: Record<string, number>;
}

export async function listen(server: net.Server, host: string, port: number, what: string, flag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.removeListener('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new ListenError(`Port ${port} (${what}) on ${host} is already in use by another program, perhaps another XMPP server. Stop that program, or choose another port with ${flag}.`));
      else if (err.code === 'EACCES') reject(new ListenError(`Parley may not use port ${port} (${what}) on ${host}. Choose a port above 1023 with ${flag}.`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new ListenError(`${host} is not an address of this machine. Choose one with --bind, or use 0.0.0.0 for all.`));
      else reject(new ListenError(`Cannot listen on ${host}:${port} (${what}): ${err.message}.`));
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      resolve((server.address() as net.AddressInfo).port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port });
  });
}

export async function startC2sListeners(ctx: ServerContext): Promise<C2sListeners> {
  const { config, log } = ctx;
  const limits = config.limits;
  const counter = new ConnectionCounter(limits.maxConnectionsPerIp, limits.maxConnections);
  const result: C2sListeners = { connections: new Set(), servers: [], ports: {} };

  const accept = (socket: net.Socket): void => {
    const ip = socket.remoteAddress ?? 'unknown';
    const refused = counter.acquire(ip);
    const connection = new C2sConnection(ctx, new SocketTransport(socket), (c) => {
      result.connections.delete(c);
      if (!refused) counter.release(ip);
    });
    result.connections.add(connection);
    if (refused) {
      log.warn('limits', `refused a connection from ${ip}: ${refused === 'per-ip' ? `more than ${limits.maxConnectionsPerIp} connections from that address` : 'the server is at its connection limit'}`);
      connection.closeWithError(refused === 'per-ip' ? 'policy-violation' : 'resource-constraint', 'too many connections');
    }
  };

  const servers: [string, number | null, boolean, string][] = [
    ['c2s', config.c2sPort, false, '--c2s-port'],
    ['tls', config.tlsPort, true, '--tls-port'],
  ];
  try {
    for (const [name, port, direct, flag] of servers) {
      if (port === null) continue;
      let server: net.Server;
      if (direct) {
        const context = ctx.secureContext();
        if (!context) continue;
        // Accept TCP and wrap it ourselves, exactly as STARTTLS does: tls.createServer with only an SNICallback has
        // no certificate for clients that send no SNI (every client connecting by IP address, common on a LAN).
        server = net.createServer((raw) => {
          const current = ctx.secureContext() ?? context;
          const secure = new tls.TLSSocket(raw, {
            isServer: true,
            secureContext: current,
            SNICallback: (_name, cb) => cb(null, ctx.secureContext() ?? current),
            ALPNProtocols: ['xmpp-client'],
          });
          // A failed handshake just closes the connection (CORE-18); nothing to answer.
          secure.once('error', (err) => log.debug('tls', `handshake failed: ${err.message}`));
          accept(secure);
        });
      } else {
        server = net.createServer((s) => accept(s));
      }
      result.servers.push(server);
      result.ports[name] = await listen(server, config.bind, port, name === 'c2s' ? 'client connections' : 'direct-TLS client connections', flag);
      log.info('server', `listening for ${name === 'c2s' ? 'clients (STARTTLS)' : 'clients (direct TLS)'} on ${config.bind}:${result.ports[name]}`);
    }
  } catch (err) {
    for (const s of result.servers) s.close();
    throw err;
  }
  // One sweeper for all connections rather than a timer each: idle checks need only coarse timing (CORE-12).
  const sweepMs = Math.max(1000, Math.min(config.idlePingSeconds, config.pingTimeoutSeconds) * 500);
  const sweeper = setInterval(() => {
    const now = Date.now();
    for (const c of result.connections) c.checkIdle(now);
  }, sweepMs);
  sweeper.unref();
  for (const s of result.servers) s.once('close', () => clearInterval(sweeper));
  return result;
}
