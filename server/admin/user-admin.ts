// Accounts as the CLI and the console manage them: list, add, change the password, remove, make administrator,
// disable and enable. At least one enabled administrator always remains.
import { makeJid, type Jid } from '../core/jid.js';
import { accountName, AccountAddressError } from '../accounts/username.js';
import { AccountExistsError, NoSuchAccountError } from '../storage/accounts.js';
import { AdminError, type UserChange, type UserInfo, type UserRemoval } from './admin-api.js';
import type { AdminHost } from './admin-host.js';
import { checkPassword } from './account-password.js';

export class UserAdmin {
  constructor(private readonly host: AdminHost) {}

  async listUsers(): Promise<UserInfo[]> {
    const accounts = await this.host.accounts.list();
    return accounts.map((a) => {
      const jid = makeJid(a.username, this.host.domain);
      return {
        jid: jid.bareString(),
        username: a.username,
        createdAt: new Date(a.createdAt).toISOString(),
        admin: a.admin,
        disabled: a.disabled,
        onlineSessions: this.host.sessions?.countOf(jid) ?? 0,
      };
    });
  }

  async addUser(user: string, password: string): Promise<UserChange> {
    const jid = this.account(user);
    const pw = checkPassword(password);
    try {
      await this.host.accounts.create(jid.local, pw);
    } catch (err) {
      if (err instanceof AccountExistsError) throw new AdminError(`The account ${jid.bareString()} already exists.`);
      throw err;
    }
    return { jid: jid.bareString() };
  }

  async setPassword(user: string, password: string): Promise<UserChange> {
    const jid = this.account(user);
    const pw = checkPassword(password);
    try {
      await this.host.accounts.setPassword(jid.local, pw);
    } catch (err) {
      if (err instanceof NoSuchAccountError) throw noSuchAccount(jid);
      throw err;
    }
    return { jid: jid.bareString() };
  }

  /** Remove an account; its live sessions are closed with a not-authorized stream error. */
  async removeUser(user: string): Promise<UserRemoval> {
    const jid = this.account(user);
    await this.refuseLastAdmin(jid, 'remove');
    // Through the account lifecycle: subscriptions cancelled (contacts told, when a server runs), every store's data
    // dropped (roster, vCard, private XML, offline messages, last activity…), live sessions closed (not-authorized).
    try {
      const { closedSessions } = await this.host.accounts.remove(jid.local, { reason: 'This account has been removed.' });
      return { jid: jid.bareString(), closedSessions };
    } catch (err) {
      if (err instanceof NoSuchAccountError) throw noSuchAccount(jid);
      throw err;
    }
  }

  async setAdmin(user: string, admin: boolean): Promise<UserChange> {
    const jid = this.account(user);
    if (typeof admin !== 'boolean') throw new AdminError('Say whether the account should be an administrator (true or false).');
    if (!admin) await this.refuseLastAdmin(jid, 'demote');
    await this.setFlags(jid, { admin });
    this.host.runtime?.log.info('admin', `${jid.bareString()} is ${admin ? 'now' : 'no longer'} an administrator`);
    return { jid: jid.bareString() };
  }

  /** Disable an account: it can no longer log in, and its live sessions are closed. */
  async disableUser(user: string): Promise<UserChange> {
    const jid = this.account(user);
    await this.refuseLastAdmin(jid, 'disable');
    await this.setFlags(jid, { disabled: true });
    for (const s of this.host.sessions?.ofAccount(jid) ?? []) s.closeWithError('not-authorized', 'This account has been disabled.');
    this.host.runtime?.log.info('admin', `${jid.bareString()} was disabled`);
    return { jid: jid.bareString() };
  }

  async enableUser(user: string): Promise<UserChange> {
    const jid = this.account(user);
    await this.setFlags(jid, { disabled: false });
    this.host.runtime?.log.info('admin', `${jid.bareString()} was enabled`);
    return { jid: jid.bareString() };
  }

  private async setFlags(jid: Jid, flags: { disabled?: boolean; admin?: boolean }): Promise<void> {
    try {
      await this.host.accounts.setFlags(jid.local, flags);
    } catch (err) {
      if (err instanceof NoSuchAccountError) throw noSuchAccount(jid);
      throw err;
    }
  }

  /** Keep at least one enabled administrator, so that someone can still use the console. */
  private async refuseLastAdmin(jid: Jid, what: 'remove' | 'disable' | 'demote'): Promise<void> {
    const admins = (await this.host.accounts.list()).filter((a) => a.admin && !a.disabled);
    if (admins.length !== 1 || admins[0].username !== jid.local) return;
    const verb = what === 'remove' ? 'removed' : what === 'disable' ? 'disabled' : 'made an ordinary user';
    throw new AdminError(`${jid.bareString()} is the only administrator, so it cannot be ${verb}. Make another account an administrator first.`);
  }

  /** A user given as a name ("bob") or as a bare JID of this server's domain ("bob@office.local"). */
  private account(user: unknown): Jid {
    const domain = this.host.domain;
    try {
      return makeJid(accountName(user, domain), domain);
    } catch (err) {
      if (!(err instanceof AccountAddressError)) throw err;
      if (err.reason === 'empty' && err.input === '') throw new AdminError(`Give the user as a name (bob) or as an address (bob@${domain}).`);
      if (err.reason === 'empty') throw new AdminError(`"${err.input}" has no user name; write it as name@${domain}.`);
      if (err.reason === 'resource') throw new AdminError(`Give the address without "/${err.resource}": ${err.localAsWritten}@${domain}.`);
      if (err.reason === 'other-domain') {
        throw new AdminError(`${err.input} is not an address of this server, which serves ${domain}. Use ${err.localAsWritten}@${domain}, or just ${err.localAsWritten}.`);
      }
      throw new AdminError(`"${err.input}" is not a valid user address: ${err.message.replace(/\.$/, '')}.`);
    }
  }
}

function noSuchAccount(jid: Jid): AdminError {
  return new AdminError(`There is no account ${jid.bareString()}.`);
}
