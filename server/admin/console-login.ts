// Who may use the console: the administrator a name and password log in as (guessing slowed by the console's own
// lockout per account and device, console-login-limiter.ts, never XMPP's), and whether that account still is an
// enabled administrator (asked again on every console request).
import { makeJid } from '../core/jid.js';
import { accountName } from '../accounts/username.js';
import { AdminError } from './admin-api.js';
import type { AdminHost } from './admin-host.js';
import { passwordMatches } from './password-check.js';
import { ConsoleLoginLimiter } from './console-login-limiter.js';
import { DEFAULT_LIMITS } from '../core/config.js';

/** The administrator a console login found. */
export interface AdminLogin {
  username: string;
  jid: string;
  /** The device cookie's value for this browser and account (ConsoleLoginLimiter). */
  device: string;
}

export class ConsoleLogin {
  private limiter: ConsoleLoginLimiter | null = null;

  constructor(private readonly host: AdminHost) {}

  /** Made on first use, with the running server's lockout limits (the defaults offline). */
  private get guard(): ConsoleLoginLimiter {
    const l = this.host.runtime?.config.limits ?? DEFAULT_LIMITS;
    return this.limiter ??= new ConsoleLoginLimiter(l.authFailuresBeforeLockout, l.lockoutBaseSeconds, l.lockoutMaxSeconds);
  }

  /**
   * The administrator account that `user` and `password` log in to the console as. Refuses with one sentence for
   * a wrong name or password (the same for both), a disabled account, an account that is not an administrator,
   * and while the account is locked out on this device (`device`: the browser's device cookie, or null) after
   * failed console attempts. `address` is for the log.
   */
  async verifyAdmin(user: unknown, password: unknown, address: string, device: string | null = null): Promise<AdminLogin> {
    if (typeof user !== 'string' || user.trim() === '' || typeof password !== 'string' || password === '') {
      throw new AdminError('Enter the name and password of an administrator account.');
    }
    let local: string;
    try {
      // Any domain written after the name is ignored here: the login only ever checks accounts of this server.
      const s = user.trim();
      const at = s.lastIndexOf('@');
      local = accountName(at >= 0 ? s.slice(0, at) : s, this.host.domain);
    } catch {
      throw new AdminError('That name or password is not right.');
    }
    const guard = this.guard;
    const wait = guard.lockedFor(local, device);
    if (wait > 0) throw new AdminError(`Too many failed attempts. Try again in ${wait} seconds.`);
    const stored = await this.host.accounts.credentials(local);
    if (!(await passwordMatches(local, stored, password))) {
      guard.fail(local, device);
      this.host.runtime?.log.info('console', `failed console login as ${local} from ${address}`);
      throw new AdminError('That name or password is not right.');
    }
    guard.succeed(local, device);
    const jid = makeJid(local, this.host.domain).bareString();
    if (stored?.disabled === true) throw new AdminError(`The account ${jid} is disabled.`);
    if (!(await this.isActiveAdmin(local))) {
      throw new AdminError(`${jid} is not an administrator. Ask an administrator to make it one under Users.`);
    }
    this.host.runtime?.log.info('console', `${jid} logged in to the console from ${address}`);
    return { username: local, jid, device: guard.deviceToken(local) };
  }

  /** Whether an account exists, is enabled and is an administrator (checked on every console request). */
  async isActiveAdmin(username: string): Promise<boolean> {
    const a = (await this.host.accounts.list()).find((x) => x.username === username);
    return a !== undefined && a.admin && !a.disabled;
  }
}
