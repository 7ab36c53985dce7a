// Who may use the console: the administrator a name and password log in as (with the lockout XMPP logins share),
// and whether that account still is an enabled administrator (asked again on every console request).
import { makeJid } from '../core/jid.js';
import { accountName } from '../accounts/username.js';
import { AdminError } from './admin-api.js';
import type { AdminHost } from './admin-host.js';
import { passwordMatches } from './password-check.js';

/** The administrator a console login found. */
export interface AdminLogin {
  username: string;
  jid: string;
}

export class ConsoleLogin {
  constructor(private readonly host: AdminHost) {}

  /**
   * The administrator account that `user` and `password` log in to the console as. Refuses with one sentence for
   * a wrong name or password (the same for both), a disabled account, an account that is not an administrator,
   * and while the account and address are locked out after failed attempts (shared with XMPP logins).
   */
  async verifyAdmin(user: unknown, password: unknown, address: string): Promise<AdminLogin> {
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
    const lockout = this.host.runtime?.lockout;
    const wait = lockout?.lockedFor(local, address) ?? 0;
    if (wait > 0) throw new AdminError(`Too many failed attempts. Try again in ${wait} seconds.`);
    const stored = await this.host.accounts.credentials(local);
    if (!(await passwordMatches(local, stored, password))) {
      lockout?.fail(local, address);
      this.host.runtime?.log.info('console', `failed console login as ${local} from ${address}`);
      throw new AdminError('That name or password is not right.');
    }
    lockout?.succeed(local, address);
    const jid = makeJid(local, this.host.domain).bareString();
    if (stored?.disabled === true) throw new AdminError(`The account ${jid} is disabled.`);
    if (!(await this.isActiveAdmin(local))) {
      throw new AdminError(`${jid} is not an administrator. Ask an administrator to make it one under Users.`);
    }
    this.host.runtime?.log.info('console', `${jid} logged in to the console from ${address}`);
    return { username: local, jid };
  }

  /** Whether an account exists, is enabled and is an administrator (checked on every console request). */
  async isActiveAdmin(username: string): Promise<boolean> {
    const a = (await this.host.accounts.list()).find((x) => x.username === username);
    return a !== undefined && a.admin && !a.disabled;
  }
}
