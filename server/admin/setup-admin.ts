// The first-run wizard: whether it is due, what it suggests, and its last step (the first administrator and the
// choices saved, setup marked done).
import { makeJid, type Jid } from '../core/jid.js';
import { accountName, AccountAddressError } from '../accounts/username.js';
import { defaultDomain, readStoredSettings, resolveConfig, ConfigError } from '../core/config.js';
import { AccountExistsError } from '../storage/accounts.js';
import { AdminError, type CertificateInfo } from './admin-api.js';
import type { SettingKey, SetupChoices, SetupInfo, SetupResult } from './console-api.js';
import type { AdminHost } from './admin-host.js';
import { checkPassword } from './account-password.js';
import { certificateInfo } from './certificate-info.js';
import { checkSettingChanges, DEFAULT_FEDERATION_PORT, saveSettings, savedConfig } from './settings.js';
import type { SettingsAdmin } from './settings-admin.js';
import type { StatusAdmin } from './status-admin.js';

/** The first administrator's password must be at least this long. */
export const MIN_ADMIN_PASSWORD_LENGTH = 8;

export class SetupAdmin {
  constructor(private readonly host: AdminHost, private readonly settings: SettingsAdmin, private readonly monitor: StatusAdmin) {}

  /** A fresh data folder: setup was never completed and no account is an administrator. */
  async setupNeeded(): Promise<boolean> {
    const stored = await readStoredSettings(this.host.dataDir);
    if (stored.setupDone === true) return false;
    return !(await this.host.accounts.list()).some((a) => a.admin);
  }

  async setupInfo(): Promise<SetupInfo> {
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    let certificate: CertificateInfo | null = null;
    try {
      certificate = await certificateInfo(this.host);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
    }
    return {
      domain: config.domain,
      suggestedDomain: defaultDomain(),
      serverName: config.serverName,
      registration: config.registration,
      discovery: config.discovery,
      federation: config.s2sPort !== null,
      certificate,
      network: await this.monitor.networkCheck(),
    };
  }

  /** The wizard's last step: create the first administrator and save the choices, marking setup as done. */
  async completeSetup(choices: SetupChoices): Promise<SetupResult> {
    if (!(await this.setupNeeded())) throw new AdminError('Parley is already set up. Log in to the console to change its settings.');
    if (typeof choices !== 'object' || choices === null) throw new AdminError('The setup choices are missing.');
    const settings = checkSettingChanges({
      domain: choices.domain,
      serverName: choices.serverName,
      registration: choices.registration,
      discovery: choices.discovery,
    });
    if (typeof choices.federation !== 'boolean') throw new AdminError('Federation must be on or off.');
    const saved = await savedConfig(this.host.dataDir);
    settings.s2sPort = choices.federation ? (saved.s2sPort ?? DEFAULT_FEDERATION_PORT) : null;
    // Check everything before anything is written: the domain as a start would check it, then the account.
    let domain: string;
    try {
      domain = resolveConfig(this.host.dataDir, { ...(await readStoredSettings(this.host.dataDir)), ...settings }, {}).domain;
    } catch (err) {
      if (err instanceof ConfigError) throw new AdminError(err.message);
      throw err;
    }
    const jid = accountAt(choices.adminUser, domain);
    const password = checkPassword(choices.adminPassword);
    if ([...password].length < MIN_ADMIN_PASSWORD_LENGTH) {
      throw new AdminError(`The administrator's password must have at least ${MIN_ADMIN_PASSWORD_LENGTH} characters.`);
    }
    try {
      await this.host.accounts.create(jid.local, password, { admin: true });
    } catch (err) {
      if (err instanceof AccountExistsError) throw new AdminError(`The account ${jid.bareString()} already exists; choose another name.`);
      throw err;
    }
    const resolved = await saveSettings(this.host.dataDir, { ...settings, setupDone: true });
    const runtime = this.host.runtime;
    if (runtime) runtime.config.setupDone = true;
    await this.settings.applySaved(resolved, Object.keys(settings) as SettingKey[]);
    runtime?.log.info('setup', `setup completed; ${jid.bareString()} is the first administrator`);
    const bundle = await this.host.certificate();
    const ports = this.host.ports();
    return {
      jid: jid.bareString(),
      restartRequired: this.settings.pending(),
      domain: resolved.domain,
      port: ports.c2s ?? ports.tls ?? resolved.c2sPort,
      fingerprintSha256: bundle?.fingerprintSha256 ?? null,
    };
  }
}

/** A new account's address at `domain` (which may not be the running server's yet, during setup). */
function accountAt(user: unknown, domain: string): Jid {
  try {
    return makeJid(accountName(user, domain), domain);
  } catch (err) {
    if (!(err instanceof AccountAddressError)) throw err;
    if (err.reason === 'empty') {
      throw new AdminError(err.input === '' ? 'Choose a name for the administrator account, such as admin or your first name.' : 'Choose a name for the administrator account.');
    }
    if (err.reason === 'other-domain') throw new AdminError(`The administrator's address must be at ${domain}; write just the name, e.g. ${err.localAsWritten}.`);
    throw new AdminError(`"${err.input}" cannot be an account name: ${err.message.replace(/\.$/, '')}.`);
  }
}
