// Logged-in console sessions: a random id in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS), and a
// per-session CSRF token that every POST must carry in a header. Kept in memory: a restart logs everyone out.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';

export const CSRF_HEADER = 'x-parley-csrf';
const IDLE_MS = 8 * 60 * 60 * 1000;
const MAX_AGE_MS = 24 * 60 * 60 * 1000;
const MAX_SESSIONS = 1000;

export interface ConsoleSession {
  readonly id: string;
  readonly username: string;
  readonly jid: string;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeen: number;
  /** Open event streams, ended on logout. */
  readonly streams: Set<http.ServerResponse>;
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

export class ConsoleSessions {
  private readonly byId = new Map<string, ConsoleSession>();

  /** `cookieName` carries the port, so that two Parleys on one machine do not log each other out. */
  constructor(readonly cookieName: string, private readonly now: () => number = Date.now) {}

  create(username: string, jid: string): ConsoleSession {
    this.prune();
    if (this.byId.size >= MAX_SESSIONS) {
      const oldest = [...this.byId.values()].sort((a, b) => a.lastSeen - b.lastSeen)[0];
      if (oldest) this.destroy(oldest.id);
    }
    const t = this.now();
    const s: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      username,
      jid,
      csrfToken: randomBytes(32).toString('base64url'),
      createdAt: t,
      lastSeen: t,
      streams: new Set(),
    };
    this.byId.set(s.id, s);
    return s;
  }

  /** The live session named by the request's cookie, or null. */
  fromRequest(req: http.IncomingMessage): ConsoleSession | null {
    const id = parseCookies(req.headers.cookie).get(this.cookieName);
    if (!id) return null;
    const s = this.byId.get(id);
    if (!s) return null;
    const t = this.now();
    if (t - s.lastSeen > IDLE_MS || t - s.createdAt > MAX_AGE_MS) {
      this.destroy(s.id);
      return null;
    }
    s.lastSeen = t;
    return s;
  }

  destroy(id: string): void {
    const s = this.byId.get(id);
    if (!s) return;
    this.byId.delete(id);
    for (const r of s.streams) r.end();
  }

  /** End every session of an account (removed, disabled or no longer an administrator). */
  destroyAccount(username: string): void {
    for (const s of [...this.byId.values()]) if (s.username === username) this.destroy(s.id);
  }

  destroyAll(): void {
    for (const id of [...this.byId.keys()]) this.destroy(id);
  }

  cookie(session: ConsoleSession, secure: boolean): string {
    return `${this.cookieName}=${session.id}; Path=/admin; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
  }

  /** The device cookie (admin/console-login-limiter.ts): kept across logouts, so the browser stays known. */
  get deviceCookieName(): string {
    return `${this.cookieName}_device`;
  }

  deviceCookie(value: string, secure: boolean): string {
    return `${this.deviceCookieName}=${value}; Path=/admin/api/login; HttpOnly; SameSite=Strict; Max-Age=31536000${secure ? '; Secure' : ''}`;
  }

  clearCookie(secure: boolean): string {
    return `${this.cookieName}=; Path=/admin; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
  }

  private prune(): void {
    const t = this.now();
    for (const s of [...this.byId.values()]) {
      if (t - s.lastSeen > IDLE_MS || t - s.createdAt > MAX_AGE_MS) this.destroy(s.id);
    }
  }
}

/**
 * Whether a state-changing request may come from where it says: a browser's Origin (when sent) must be this
 * server's own origin, and Sec-Fetch-Site (when sent) must say same-origin.
 */
export function sameOrigin(req: http.IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  const host = req.headers.host;
  if (!host) return false;
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return origin.toLowerCase() === `${scheme}://${host.toLowerCase()}`;
}
