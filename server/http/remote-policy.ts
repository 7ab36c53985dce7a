// Who may use the headless admin console: by default only this machine (a loopback peer address), reached by a
// loopback name, so that a web page elsewhere cannot reach it through DNS rebinding either. With the setting
// consoleRemote, other addresses and names are accepted too (login, session cookie and CSRF token still apply).
import net from 'node:net';

export type ConsoleAccess =
  | { allowed: true }
  | { allowed: false; reason: 'remote-address' | 'host-name'; message: string };

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x addresses. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase();
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  return net.isIPv4(v4) && v4.startsWith('127.');
}

/** The host part of a Host header: "127.0.0.1:5280" → "127.0.0.1", "[::1]:5280" → "::1". */
export function hostOfHeader(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(1, end) : h;
  }
  const colon = h.indexOf(':');
  return colon >= 0 && h.indexOf(':', colon + 1) < 0 ? h.slice(0, colon) : h;
}

/** Names that can only mean this machine. */
export function isLoopbackHostName(host: string): boolean {
  const h = host.replace(/\.$/, '');
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h);
}

/**
 * The decision for one request: the peer's address (socket.remoteAddress), the Host header, and the consoleRemote
 * setting. `port` only makes the message more useful.
 */
export function consoleAccess(remoteAddress: string | undefined, hostHeader: string | undefined, consoleRemote: boolean, port?: number): ConsoleAccess {
  if (consoleRemote) return { allowed: true };
  const where = port === undefined ? 'http://127.0.0.1/admin/' : `http://127.0.0.1:${port}/admin/`;
  if (!isLoopbackAddress(remoteAddress)) {
    return {
      allowed: false,
      reason: 'remote-address',
      message: `The Parley console can only be used on the computer Parley runs on. Open ${where} there.\n\n` +
        'To use it from another computer, connect through an SSH tunnel (ssh -L PORT:127.0.0.1:PORT that-computer), ' +
        'or set "consoleRemote": true in Parley’s config.json and restart Parley — only on a network you trust, ' +
        'because the console is not encrypted.',
    };
  }
  if (!isLoopbackHostName(hostOfHeader(hostHeader))) {
    return {
      allowed: false,
      reason: 'host-name',
      message: `Open the console at ${where}. It does not answer under other names, so that web pages cannot reach it by renaming this computer.`,
    };
  }
  return { allowed: true };
}
