// AdminService: every operation the GUI, the headless console and the CLI offer, in one place. It validates its
// inputs itself (it is reached from a socket too) and refuses with AdminError messages meant for people.
import { announce } from '../modules/announce.js';
import { parseJid, makeJid, prepLocalpart, JidError, type Jid } from '../core/jid.js';
import { saslPrep, SaslPrepError } from '../core/sasl/index.js';
import type { LocalSession, SessionRegistry } from '../core/session-registry.js';
import { defaultDomain, readStoredSettings, resolveConfig, ConfigError, type ServerConfig } from '../core/config.js';
import type { Logger, LogEntry } from '../core/log.js';
import type { Router } from '../core/router.js';
import type { AuthLockout } from '../core/limits.js';
import { AccountExistsError, NoSuchAccountError, type AccountStore } from '../storage/accounts.js';
import { inviteState, type InviteDoc, type InviteStore } from '../storage/invites.js';
import type { CertBundle } from '../certs/index.js';
import { parseCertificate, sanOf, toLf } from '../certs/describe.js';
import {
  AdminError, type AdminApi, type CertificateInfo, type ServerStatus, type UserChange, type UserInfo, type UserRemoval,
} from './admin-api.js';
import type {
  ConsoleApi, ConsoleEvent, ConsoleSettings, InviteInfo, InviteState, Kick, LogLine, NetworkCheck, NewInvite, Overview, SessionInfo,
  SettingKey, SettingsView, SetupChoices, SetupInfo, SetupResult, Traffic, Warning,
} from './console-api.js';
import { landingUrl, qrSvg, registerUri } from './invite-links.js';
import { weakPasswordReason } from './password-policy.js';
import type { MessageCounter } from './message-counter.js';
import { checkNetwork, isLoopbackBind, lanAddresses } from './network-check.js';
import { passwordMatches } from './password-check.js';
import { checkSettingChanges, DEFAULT_FEDERATION_PORT, LIVE_SETTINGS, pickSettings, RESTART_ONLY, saveSettings, savedConfig } from './settings.js';

export { AdminError } from './admin-api.js';

/** What AdminService needs of a server, running (ParleyServer) or not (the offline CLI). */
export interface AdminHost {
  /** The served domain, normalised (ServerConfig.domain after validation). */
  readonly domain: string;
  readonly dataDir: string;
  readonly accounts: AccountStore;
  /** Live sessions; null when no server is running. */
  readonly sessions: SessionRegistry | null;
  /** ms since the epoch; null when no server is running. */
  readonly startedAt: number | null;
  ports(): Record<string, number>;
  certificate(): Promise<CertBundle | null>;
  /** Invitations (XEP-0401); absent: this host offers none (the offline CLI). */
  readonly invites?: InviteStore;
  /** What only a running server has: its live configuration, log, traffic counters…; absent offline (CLI). */
  readonly runtime?: AdminRuntime;
}

/** The parts of a running server that the console's operations use. */
export interface AdminRuntime {
  /** The running configuration; settings that apply live are changed in it in place. */
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly router: Router;
  readonly stats: { readonly logins: number; readonly failedLogins: number; readonly stanzasIn: number; readonly stanzasOut: number };
  readonly messages: MessageCounter;
  /** Failed logins per account and address, shared with XMPP logins. */
  readonly lockout: AuthLockout;
  setDiscovery(on: boolean): Promise<void>;
}

/** Sessions as the console sees them: BoundSession has these (of its current connection); other kinds may not. */
interface SessionDetails extends LocalSession {
  readonly remoteAddress?: string;
  readonly connectedAt?: number;
  readonly secure?: boolean;
}

/** The administrator a console login found. */
export interface AdminLogin {
  username: string;
  jid: string;
}

const MAX_PASSWORD_LENGTH = 1024;
const DAY_MS = 24 * 60 * 60 * 1000;
/** The first administrator's password must be at least this long. */
export const MIN_ADMIN_PASSWORD_LENGTH = 8;
const TRAFFIC_TICK_MS = 5000;
const TRAFFIC_WINDOW_MS = 60_000;

export class AdminService implements AdminApi, ConsoleApi {
  /** Restart-only settings saved through the console since this server started. */
  private readonly pendingRestart = new Set<SettingKey>();
  private samples: { t: number; messages: number }[] = [];
  private readonly listeners = new Set<(e: ConsoleEvent) => void>();
  private stopFeeds: (() => void) | null = null;

  constructor(private readonly host: AdminHost) {}

  get domain(): string {
    return this.host.domain;
  }

  async status(): Promise<ServerStatus> {
    const { host } = this;
    const cert = await host.certificate();
    return {
      running: host.startedAt !== null,
      domain: host.domain,
      dataDir: host.dataDir,
      startedAt: host.startedAt === null ? null : new Date(host.startedAt).toISOString(),
      uptimeSeconds: host.startedAt === null ? null : Math.floor((Date.now() - host.startedAt) / 1000),
      ports: { ...host.ports() },
      onlineSessions: host.sessions?.size ?? 0,
      users: await host.accounts.count(),
      certificate: cert === null ? null : {
        notAfter: cert.notAfter.toISOString(),
        daysLeft: Math.floor((cert.notAfter.getTime() - Date.now()) / DAY_MS),
      },
    };
  }

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
    try {
      await this.host.accounts.remove(jid.local);
    } catch (err) {
      if (err instanceof NoSuchAccountError) throw noSuchAccount(jid);
      throw err;
    }
    const sessions = this.host.sessions?.ofAccount(jid) ?? [];
    for (const s of sessions) s.closeWithError('not-authorized', 'This account has been removed.');
    return { jid: jid.bareString(), closedSessions: sessions.length };
  }

  async certificate(): Promise<CertificateInfo> {
    const bundle = await this.host.certificate();
    if (bundle === null) {
      throw new AdminError(`There is no certificate in ${this.host.dataDir} yet; Parley makes one when it first starts (parley serve).`);
    }
    const san = sanOf(parseCertificate(bundle.certPem));
    return {
      domain: bundle.domain,
      caPem: toLf(bundle.caCertPem),
      caFingerprintSha256: bundle.caFingerprintSha256,
      fingerprintSha256: bundle.fingerprintSha256,
      subjectAltNames: {
        dnsNames: [...san.dnsNames],
        ipAddresses: [...san.ipAddresses],
        xmppAddrs: [...san.xmppAddrs],
        srvNames: [...san.srvNames],
      },
      notBefore: bundle.notBefore.toISOString(),
      notAfter: bundle.notAfter.toISOString(),
    };
  }

  // ---- console operations (ConsoleApi) ----

  async overview(): Promise<Overview> {
    const status = await this.status();
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    return {
      status,
      serverName: config.serverName,
      addresses: lanAddresses(),
      bind: config.bind,
      traffic: this.host.runtime ? this.sampleTraffic() : null,
      warnings: await this.warnings(status, config),
    };
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

  async listSessions(): Promise<SessionInfo[]> {
    const out: SessionInfo[] = [];
    for (const s of (this.host.sessions?.all() ?? []) as Iterable<SessionDetails>) {
      out.push({
        id: s.id,
        jid: s.jid.toString(),
        account: s.jid.bareString(),
        resource: s.jid.resource,
        address: s.remoteAddress ?? '',
        connectedAt: typeof s.connectedAt === 'number' ? new Date(s.connectedAt).toISOString() : '',
        secure: s.secure === true,
      });
    }
    return out.sort((a, b) => a.jid.localeCompare(b.jid));
  }

  async announce(text: string, subject: string): Promise<{ sessions: number }> {
    const runtime = this.host.runtime;
    const sessions = this.host.sessions;
    if (!runtime || !sessions) throw new AdminError('Parley is not running, so nobody is online to read an announcement. Start it with "parley serve" first.');
    if (typeof text !== 'string' || text.trim() === '') throw new AdminError('Write the announcement text first.');
    if (text.length > 4000) throw new AdminError('An announcement can be at most 4000 characters long.');
    return { sessions: announce({ config: runtime.config, sessions, log: runtime.log }, text, subject.trim() || undefined) };
  }

  /** Close one live session with a policy-violation stream error. */
  async kickSession(id: string): Promise<Kick> {
    if (typeof id !== 'string' || id === '') throw new AdminError('Say which session to end.');
    for (const s of this.host.sessions?.all() ?? []) {
      if (s.id !== id) continue;
      const jid = s.jid.toString();
      s.closeWithError('policy-violation', 'An administrator ended this session.');
      this.host.runtime?.log.info('admin', `ended the session ${id} of ${jid}`);
      return { jid };
    }
    throw new AdminError('That session has already ended.');
  }

  async getSettings(): Promise<SettingsView> {
    const saved = pickSettings(await savedConfig(this.host.dataDir));
    const runtime = this.host.runtime;
    let running: ConsoleSettings | null = null;
    if (runtime) {
      // Ports as bound (a configured 0 is an ephemeral port).
      const bound = this.host.ports();
      const r = pickSettings(runtime.config);
      running = { ...r, c2sPort: bound.c2s ?? r.c2sPort, tlsPort: bound.tls ?? r.tlsPort, s2sPort: bound.s2s ?? r.s2sPort, httpPort: bound.http ?? r.httpPort };
    }
    return {
      saved,
      running,
      restartOnly: [...RESTART_ONLY],
      pendingRestart: RESTART_ONLY.filter((k) => this.pendingRestart.has(k)),
    };
  }

  /** Save settings in config.json; the live ones apply at once, the others when Parley starts again. */
  async setSettings(changes: Partial<ConsoleSettings>): Promise<SettingsView> {
    const checked = checkSettingChanges(changes);
    const resolved = await saveSettings(this.host.dataDir, checked);
    await this.applySaved(resolved, Object.keys(checked) as SettingKey[]);
    this.host.runtime?.log.info('admin', `settings changed: ${Object.keys(checked).join(', ') || 'none'}`);
    return this.getSettings();
  }

  async recentLogs(): Promise<LogLine[]> {
    return (this.host.runtime?.log.recent() ?? []).map(logLine);
  }

  async networkCheck(): Promise<NetworkCheck> {
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    return checkNetwork({
      bind: config.bind,
      configured: { c2s: config.c2sPort, tls: config.tlsPort, s2s: config.s2sPort, http: config.httpPort },
      listening: this.host.ports(),
    });
  }

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
      certificate = await this.certificate();
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
      network: await this.networkCheck(),
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
    await this.applySaved(resolved, Object.keys(settings) as SettingKey[]);
    runtime?.log.info('setup', `setup completed; ${jid.bareString()} is the first administrator`);
    const bundle = await this.host.certificate();
    const ports = this.host.ports();
    return {
      jid: jid.bareString(),
      restartRequired: RESTART_ONLY.filter((k) => this.pendingRestart.has(k)),
      domain: resolved.domain,
      port: ports.c2s ?? ports.tls ?? resolved.c2sPort,
      fingerprintSha256: bundle?.fingerprintSha256 ?? null,
    };
  }

  // ---- invitations (XEP-0401) ----

  /** A new invitation link: single or multi use, with an expiry, optionally reserving the invited person's name. */
  async createInvite(invite: NewInvite, createdBy?: string): Promise<InviteInfo> {
    const store = this.inviteStore();
    if (typeof invite !== 'object' || invite === null) throw new AdminError('Say how many people the invitation is for and how long it works.');
    if (await this.registrationPolicy() === 'closed') {
      throw new AdminError('Sign-up is switched off (Who may join: “Only accounts I create”), so nobody could use an invitation. ' +
        'Choose “People I invite” under Settings first, or add the person under Users.');
    }
    const uses = invite.uses;
    if (typeof uses !== 'number' || !Number.isInteger(uses) || uses < 1 || uses > MAX_INVITE_USES) {
      throw new AdminError(`An invitation is for 1 to ${MAX_INVITE_USES} people.`);
    }
    const hours = invite.expiresInHours;
    if (typeof hours !== 'number' || !Number.isInteger(hours) || hours < 1 || hours > MAX_INVITE_HOURS) {
      throw new AdminError(`An invitation works for 1 hour to ${MAX_INVITE_HOURS / 24} days; give the time in whole hours.`);
    }
    let username: string | null = null;
    if (invite.username !== undefined && invite.username !== null && (typeof invite.username !== 'string' || invite.username.trim() !== '')) {
      username = this.newAccountName(invite.username).local;
      if (uses !== 1) throw new AdminError('An invitation that reserves a name creates that one account, so it is for 1 person.');
      const jid = makeJid(username, this.host.domain).bareString();
      if (await this.host.accounts.exists(username)) throw new AdminError(`The account ${jid} already exists; choose another name.`);
      if (await store.reservation(username)) throw new AdminError(`${jid} is already reserved by another invitation. Revoke that one first, or choose another name.`);
    }
    const now = Date.now();
    const doc = await store.create({ maxUses: uses, expiresAt: now + hours * HOUR_MS, createdBy: createdBy ?? '', username, now });
    const who = createdBy ? makeJid(createdBy, this.host.domain).bareString() : 'the desktop window';
    this.host.runtime?.log.info('invites', `${who} created an invitation for ${uses === 1 ? '1 person' : `${uses} people`}` +
      `${username ? ` (reserving ${username})` : ''}, valid for ${hours} hours`);
    return this.inviteInfo(doc);
  }

  async listInvites(): Promise<InviteInfo[]> {
    const docs = await this.inviteStore().list();
    return Promise.all(docs.map((d) => this.inviteInfo(d)));
  }

  async revokeInvite(token: string): Promise<InviteInfo> {
    const store = this.inviteStore();
    if (typeof token !== 'string' || token === '') throw new AdminError('Say which invitation to revoke.');
    if (!(await store.revoke(token))) throw new AdminError('There is no such invitation; it may have been removed.');
    this.host.runtime?.log.info('invites', `an invitation was revoked (${token.slice(0, 4)}…)`);
    return this.inviteInfo((await store.get(token))!);
  }

  /** What the landing page of an invitation shows; null when there is no such invitation. */
  async inviteLanding(token: string): Promise<InviteLanding | null> {
    const store = this.host.invites;
    if (!store) return null;
    const doc = await store.get(token);
    if (!doc) return null;
    const config = this.host.runtime?.config ?? await savedConfig(this.host.dataDir);
    const bundle = await this.host.certificate();
    return {
      invite: await this.inviteInfo(doc),
      serverName: config.serverName,
      domain: this.host.domain,
      signupOpen: config.registration !== 'closed',
      fingerprintSha256: bundle?.fingerprintSha256 ?? null,
      caAvailable: (bundle?.caCertPem ?? '') !== '',
    };
  }

  /**
   * The web sign-up of an invitation: create the account `username` (ignored when the invitation reserves a name)
   * with `password`, taking one use of the invitation. Refusals are SignupErrors that say which field is wrong.
   */
  async redeemInvite(token: string, username: unknown, password: unknown): Promise<UserChange> {
    const store = this.host.invites;
    const doc = store ? await store.get(token) : null;
    if (!store || !doc) throw new SignupError('invite', 'This invitation link is not valid. Check that you copied all of it, or ask for a new one.');
    if (await this.registrationPolicy() === 'closed') {
      throw new SignupError('invite', 'Sign-up is switched off on this server right now. Ask the person who invited you.');
    }
    const state = inviteState(doc);
    if (state !== 'valid') throw new SignupError('invite', INVITE_STATE_TEXT[state]);
    let local: string;
    if (doc.username) {
      local = doc.username;
    } else {
      if (typeof username !== 'string' || username.trim() === '') throw new SignupError('username', 'Choose a user name.');
      local = signupName(username.trim(), this.host.domain);
    }
    const jid = makeJid(local, this.host.domain).bareString();
    const taken = new SignupError('username', `The name ${local} is already taken on ${this.host.domain}. Choose another.`, true);
    if (await this.host.accounts.exists(local) || await store.reservation(local, token)) throw taken;
    let pw: string;
    try {
      pw = checkPassword(password);
    } catch (err) {
      if (err instanceof AdminError) throw new SignupError('password', err.message.replace(/^The password/, 'Your password'));
      throw err;
    }
    const weak = weakPasswordReason(pw, local);
    if (weak) throw new SignupError('password', weak);
    const claim = await store.claim(token);
    if ('reason' in claim) {
      throw new SignupError('invite', claim.reason === 'unknown' ? 'This invitation link is not valid.' : INVITE_STATE_TEXT[claim.reason]);
    }
    try {
      await this.host.accounts.create(local, pw);
    } catch (err) {
      await store.release(token);
      if (err instanceof AccountExistsError) throw taken;
      throw err;
    }
    await store.noteAccount(token, local);
    this.host.runtime?.log.info('invites', `${jid} signed up on the web with an invitation`);
    return { jid };
  }

  private inviteStore(): InviteStore {
    if (!this.host.invites) throw new AdminError('Invitations are only available while Parley runs. Start it with "parley serve" first.');
    return this.host.invites;
  }

  private async registrationPolicy(): Promise<ServerConfig['registration']> {
    return (this.host.runtime?.config ?? await savedConfig(this.host.dataDir)).registration;
  }

  private async inviteInfo(doc: InviteDoc): Promise<InviteInfo> {
    const { domain } = this.host;
    const ports = this.host.ports();
    const http = ports.http ? landingUrl('http', domain, ports.http, doc._id) : null;
    const https = ports.https ? landingUrl('https', domain, ports.https, doc._id) : null;
    const xmppUri = registerUri(domain, doc._id, doc.username);
    const state = inviteState(doc);
    return {
      token: doc._id,
      createdAt: new Date(doc.createdAt).toISOString(),
      expiresAt: new Date(doc.expiresAt).toISOString(),
      maxUses: doc.maxUses,
      uses: doc.uses,
      createdBy: doc.createdBy ? makeJid(doc.createdBy, domain).bareString() : null,
      reservedJid: doc.username ? makeJid(doc.username, domain).bareString() : null,
      revoked: doc.revoked,
      state,
      accounts: doc.accounts.map((a) => makeJid(a, domain).bareString()),
      xmppUri,
      landingUrl: http,
      secureLandingUrl: https,
      qrSvg: state === 'valid' ? qrSvg(http ?? https ?? xmppUri) : '',
    };
  }

  /** A name for an account to be created (invitations), as a name or an address at this server's domain. */
  private newAccountName(user: unknown): Jid {
    if (typeof user !== 'string' || user.trim() === '') throw new AdminError('Give the name to reserve, or leave it empty.');
    const s = user.trim();
    const at = s.lastIndexOf('@');
    if (at >= 0 && s.slice(at + 1).toLowerCase() !== this.host.domain) {
      throw new AdminError(`The address must be at ${this.host.domain}; write just the name, e.g. ${s.slice(0, at)}.`);
    }
    try {
      return makeJid(prepLocalpart(at >= 0 ? s.slice(0, at) : s), this.host.domain);
    } catch (err) {
      if (err instanceof JidError) throw new AdminError(`"${s}" cannot be an account name: ${err.message.replace(/\.$/, '')}.`);
      throw err;
    }
  }

  subscribe(listener: (e: ConsoleEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.stopFeeds = this.startFeeds();
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.stopFeeds?.();
      this.stopFeeds = null;
    };
  }

  /**
   * The administrator account that `user` and `password` log in to the console as. Refuses with one sentence for
   * a wrong name or password (the same for both), a disabled account, an account that is not an administrator,
   * and while the account and address are locked out after failed attempts (shared with XMPP logins).
   */
  async verifyAdmin(user: unknown, password: unknown, address: string): Promise<AdminLogin> {
    if (typeof user !== 'string' || user.trim() === '' || typeof password !== 'string' || password === '') {
      throw new AdminError('Enter the name and password of an administrator account.');
    }
    const s = user.trim();
    const at = s.lastIndexOf('@');
    let local: string;
    try {
      local = makeJid(at >= 0 ? s.slice(0, at) : s, this.host.domain).local;
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

  /** Apply saved values of live settings to the running server, and note which saved ones wait for a restart. */
  private async applySaved(resolved: ServerConfig, keys: SettingKey[]): Promise<void> {
    const runtime = this.host.runtime;
    for (const key of keys) {
      if (!LIVE_SETTINGS.has(key)) {
        if (runtime && resolved[key] !== runtime.config[key]) this.pendingRestart.add(key);
        else this.pendingRestart.delete(key);
        continue;
      }
      if (!runtime) continue;
      const c = runtime.config;
      switch (key) {
        case 'registration': c.registration = resolved.registration; break;
        case 'logLevel': c.logLevel = resolved.logLevel; runtime.log.level = resolved.logLevel; break;
        case 'consoleRemote': c.consoleRemote = resolved.consoleRemote; break;
        case 'offlineQuota': c.offlineQuota = resolved.offlineQuota; break;
        case 'resourceConflict': c.resourceConflict = resolved.resourceConflict; break;
        case 'discovery':
          if (c.discovery !== resolved.discovery) {
            c.discovery = resolved.discovery;
            await runtime.setDiscovery(resolved.discovery);
          }
          break;
        default: break;
      }
    }
  }

  private async warnings(status: ServerStatus, config: ServerConfig): Promise<Warning[]> {
    const w: Warning[] = [];
    const cert = status.certificate;
    if (cert === null) {
      w.push({ id: 'certificate-missing', text: 'There is no certificate yet; Parley makes one when it starts.' });
    } else if (cert.daysLeft < 0) {
      w.push({ id: 'certificate-expired', text: `The server certificate expired on ${cert.notAfter.slice(0, 10)}. Restart Parley to renew it.` });
    } else if (cert.daysLeft < 30) {
      w.push({ id: 'certificate-expiring', text: `The server certificate expires in ${cert.daysLeft} days (${cert.notAfter.slice(0, 10)}). Restart Parley to renew it.` });
    }
    if (isLoopbackBind(config.bind)) {
      w.push({ id: 'loopback-only', text: `Parley listens on ${config.bind} only, so no other device can connect. Change the listening address in Settings.` });
    }
    if (config.registration === 'open') {
      w.push({ id: 'open-registration', text: 'Anyone who can reach this server can create an account (open sign-up).' });
    }
    if (config.consoleRemote === true) {
      w.push({ id: 'console-remote', text: 'The console accepts other computers. Its connection is not encrypted, so use it only on a network you trust.' });
    }
    const pending = RESTART_ONLY.filter((k) => this.pendingRestart.has(k));
    if (pending.length > 0) {
      w.push({ id: 'restart-pending', text: `Restart Parley to apply the changed settings (${pending.join(', ')}).` });
    }
    if (!(await this.host.accounts.list()).some((a) => a.admin && !a.disabled)) {
      w.push({ id: 'no-admin', text: 'No enabled account is an administrator.' });
    }
    return w;
  }

  /** One traffic sample now; the rate is over the samples of the last minute. */
  private sampleTraffic(): Traffic {
    const runtime = this.host.runtime!;
    const now = Date.now();
    const messages = runtime.messages.total;
    const last = this.samples[this.samples.length - 1];
    if (!last || now - last.t >= 1000) this.samples.push({ t: now, messages });
    // Keep one sample at least a minute old as the base, and nothing older than that.
    while (this.samples.length > 2 && now - this.samples[1].t >= TRAFFIC_WINDOW_MS) this.samples.shift();
    const base = this.samples[0];
    const span = now - base.t;
    return {
      at: new Date(now).toISOString(),
      messages,
      messagesPerMinute: this.samples.length < 2 || span < 1000 ? null : Math.round(((messages - base.messages) * 60_000) / span),
      stanzasIn: runtime.stats.stanzasIn,
      stanzasOut: runtime.stats.stanzasOut,
      logins: runtime.stats.logins,
      failedLogins: runtime.stats.failedLogins,
      onlineSessions: this.host.sessions?.size ?? 0,
    };
  }

  private emit(e: ConsoleEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch {
        // A listener's failure (a closed connection) is its own business.
      }
    }
  }

  /** Feed listeners: log lines as they come, traffic every few seconds, session counts on change. */
  private startFeeds(): () => void {
    const runtime = this.host.runtime;
    if (!runtime) return () => undefined;
    const offLog = runtime.log.subscribe((entry) => this.emit({ type: 'log', line: logLine(entry) }));
    const onSessions = (): void => this.emit({ type: 'sessions', onlineSessions: this.host.sessions?.size ?? 0 });
    runtime.router.events.on('session-bound', onSessions);
    runtime.router.events.on('session-ended', onSessions);
    const tick = (): void => this.emit({ type: 'traffic', traffic: this.sampleTraffic() });
    const timer = setInterval(tick, TRAFFIC_TICK_MS);
    timer.unref();
    queueMicrotask(tick);
    return () => {
      offLog();
      runtime.router.events.off('session-bound', onSessions);
      runtime.router.events.off('session-ended', onSessions);
      clearInterval(timer);
    };
  }

  /** A user given as a name ("bob") or as a bare JID of this server's domain ("bob@office.local"). */
  private account(user: unknown): Jid {
    const domain = this.host.domain;
    if (typeof user !== 'string' || user.trim() === '') {
      throw new AdminError(`Give the user as a name (bob) or as an address (bob@${domain}).`);
    }
    const s = user.trim();
    let jid: Jid;
    try {
      jid = s.includes('@') ? parseJid(s) : makeJid(s, domain);
    } catch (err) {
      if (err instanceof JidError) throw new AdminError(`"${s}" is not a valid user address: ${err.message.replace(/\.$/, '')}.`);
      throw err;
    }
    if (jid.local === '') throw new AdminError(`"${s}" has no user name; write it as name@${domain}.`);
    if (jid.resource !== '') throw new AdminError(`Give the address without "/${jid.resource}": ${jid.bareString()}.`);
    if (jid.domain !== domain) {
      throw new AdminError(`${jid.bareString()} is not an address of this server, which serves ${domain}. Use ${jid.local}@${domain}, or just ${jid.local}.`);
    }
    return jid;
  }
}

/** What the landing page of an invitation needs (server/http/invite-pages.ts). */
export interface InviteLanding {
  invite: InviteInfo;
  serverName: string;
  domain: string;
  /** False when the registration setting is "closed": the invitation cannot be used now. */
  signupOpen: boolean;
  /** The server certificate's SHA-256 fingerprint, to compare when an app asks whether to trust it. */
  fingerprintSha256: string | null;
  /** Whether there is a CA certificate to install (/invite/ca.pem). */
  caAvailable: boolean;
}

/** A refused web sign-up; `field` says where the form shows the sentence. */
export class SignupError extends AdminError {
  /** `conflict`: the name is taken (HTTP 409), not merely unacceptable. */
  constructor(readonly field: 'invite' | 'username' | 'password', message: string, readonly conflict = false) {
    super(message);
  }
}

/** Why an invitation that is not valid cannot be used, for people. */
export const INVITE_STATE_TEXT: Record<Exclude<InviteState, 'valid'>, string> = {
  expired: 'This invitation has expired. Ask the person who invited you for a new one.',
  used: 'This invitation has already been used. Ask the person who invited you for a new one.',
  revoked: 'This invitation was cancelled by the person who sent it. Ask them for a new one if you still need it.',
};

const MAX_INVITE_USES = 100;
const MAX_INVITE_HOURS = 365 * 24;
const HOUR_MS = 3600 * 1000;

/** The user name someone chose on the sign-up page, PRECIS-prepared (UsernameCaseMapped), with errors as sentences. */
function signupName(raw: string, domain: string): string {
  let s = raw;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    if (s.slice(at + 1).toLowerCase() !== domain) throw new SignupError('username', `Write just your user name, without “@” — your address will end in @${domain}.`);
    s = s.slice(0, at);
  }
  if (/[\s"&'/:<>@]/u.test(s)) {
    throw new SignupError('username', 'A user name cannot contain spaces or any of these characters: " & \' / : < > @');
  }
  try {
    return prepLocalpart(s);
  } catch {
    throw new SignupError('username', `“${s}” cannot be used as a user name. Use letters, digits, dots, dashes or underscores.`);
  }
}

function noSuchAccount(jid: Jid): AdminError {
  return new AdminError(`There is no account ${jid.bareString()}.`);
}

function checkPassword(password: unknown): string {
  if (typeof password !== 'string' || password === '') throw new AdminError('The password is empty; choose one.');
  if (password.length > MAX_PASSWORD_LENGTH) throw new AdminError(`The password is longer than ${MAX_PASSWORD_LENGTH} characters; choose a shorter one.`);
  let prepped: string;
  try {
    prepped = saslPrep(password);
  } catch (err) {
    if (err instanceof SaslPrepError) {
      const what = err.codePoint === undefined ? '' : ` (U+${err.codePoint.toString(16).toUpperCase().padStart(4, '0')})`;
      throw new AdminError(err.reason === 'bidi'
        ? 'The password mixes left-to-right and right-to-left letters in a way XMPP logins do not allow; choose another.'
        : `The password contains a character${what} that XMPP logins do not allow (a control or unassigned character); choose another.`);
    }
    throw err;
  }
  if (prepped === '') throw new AdminError('The password consists only of characters that XMPP logins ignore; choose another.');
  return password;
}

/** A new account's address at `domain` (which may not be the running server's yet, during setup). */
function accountAt(user: unknown, domain: string): Jid {
  if (typeof user !== 'string' || user.trim() === '') throw new AdminError('Choose a name for the administrator account, such as admin or your first name.');
  const s = user.trim();
  const at = s.lastIndexOf('@');
  if (at >= 0 && s.slice(at + 1).toLowerCase() !== domain) {
    throw new AdminError(`The administrator's address must be at ${domain}; write just the name, e.g. ${s.slice(0, at)}.`);
  }
  let jid: Jid;
  try {
    jid = makeJid(at >= 0 ? s.slice(0, at) : s, domain);
  } catch (err) {
    if (err instanceof JidError) throw new AdminError(`"${s}" cannot be an account name: ${err.message.replace(/\.$/, '')}.`);
    throw err;
  }
  if (jid.local === '') throw new AdminError('Choose a name for the administrator account.');
  return jid;
}

function logLine(e: LogEntry): LogLine {
  return { time: new Date(e.time).toISOString(), level: e.level, source: e.source, message: e.message };
}
