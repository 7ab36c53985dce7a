// How console login guessing is slowed (issue 13). The console answers loopback only, so every local process
// shares one address: a lockout keyed by account+address (what XMPP logins use) would let any local process lock
// the administrator out of the console by failing logins on purpose, XMPP or console alike. So the console keeps
// its own lockout, apart from XMPP's, keyed by account and *device* (OWASP's "device cookie" defence against
// guessing): a browser that has logged in as an account gets a device cookie for it, and its failures and lockout
// are its own. Guessing from anywhere else (no valid device cookie) shares one key per account, which locks out
// after a few failures with a doubling wait, so guessing stays slow; it cannot lock out the administrator's own
// browser. XMPP failures never touch this limiter, and console failures never touch XMPP's.
//
// The device cookie is an HMAC of the account name under a key made at start: nothing to store, valid until the
// server restarts (then the browser is just "anywhere" until its next successful login).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { AuthLockout } from '../core/limits.js';

export class ConsoleLoginLimiter {
  private readonly key = randomBytes(32);
  private readonly lockout: AuthLockout;

  constructor(threshold: number, baseSeconds: number, maxSeconds: number, now: () => number = Date.now) {
    this.lockout = new AuthLockout(threshold, baseSeconds, maxSeconds, now);
  }

  /** The device cookie's value for a browser that logged in as `username`. */
  deviceToken(username: string): string {
    return createHmac('sha256', this.key).update(username).digest('base64url');
  }

  /** Seconds `username` is locked out for on this device (or from anywhere without one), or 0. */
  lockedFor(username: string, device: string | null): number {
    return this.lockout.lockedFor(username, this.slot(username, device));
  }

  fail(username: string, device: string | null): void {
    this.lockout.fail(username, this.slot(username, device));
  }

  succeed(username: string, device: string | null): void {
    this.lockout.succeed(username, this.slot(username, device));
  }

  private slot(username: string, device: string | null): string {
    if (device === null) return 'anywhere';
    const given = Buffer.from(device);
    const expected = Buffer.from(this.deviceToken(username));
    return given.length === expected.length && timingSafeEqual(given, expected) ? 'device' : 'anywhere';
  }
}
