// AdminService: every operation the GUI, the headless console and the CLI offer, in one place. It validates its
// inputs itself (it is reached from a socket too) and refuses with AdminError messages meant for people.
import { parseJid, makeJid, JidError, type Jid } from '../core/jid.js';
import { saslPrep, SaslPrepError } from '../core/sasl/index.js';
import type { SessionRegistry } from '../core/session-registry.js';
import { AccountExistsError, NoSuchAccountError, type AccountStore } from '../storage/accounts.js';
import type { CertBundle } from '../certs/index.js';
import { parseCertificate, sanOf, toLf } from '../certs/describe.js';
import {
  AdminError, type AdminApi, type CertificateInfo, type ServerStatus, type UserChange, type UserInfo, type UserRemoval,
} from './admin-api.js';

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
}

const MAX_PASSWORD_LENGTH = 1024;
const DAY_MS = 24 * 60 * 60 * 1000;

export class AdminService implements AdminApi {
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
