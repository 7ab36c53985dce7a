// Server configuration: defaults, the config file in the data dir (written by the setup wizard), and command-line
// overrides, merged in that order. Validation errors are sentences for people, never stack traces.
import type { PmPolicy, WhoisPolicy } from './room-policies.js';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { prepDomainpart, JidError } from './jid.js';
import { DURABILITIES, type Durability } from '../storage/backend.js';

export type RegistrationPolicy = 'closed' | 'invite' | 'open';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** What happens when a client binds a resource that is already in use (RFC 6120 §7.7.2.2, CORE-43). */
export type ResourceConflictPolicy = 'new-resource' | 'kick-old' | 'refuse';
/** Roles of the XEP-0157 contact addresses, as in the serverinfo form's `<role>-addresses` fields. */
export const CONTACT_ROLES = ['abuse', 'admin', 'feedback', 'sales', 'security', 'status', 'support'] as const;
export type ContactRole = typeof CONTACT_ROLES[number];
/** Contact addresses published in the server's disco#info (XEP-0157): URIs such as mailto:, xmpp:, https:. */
export type ContactAddresses = Partial<Record<ContactRole, string[]>>;

export interface Limits {
  enabled: boolean;
  maxStanzaBytes: number;
  maxHeaderBytes: number;
  maxDepth: number;
  maxConnectionsPerIp: number;
  maxConnections: number;
  /** Sustained inbound bytes per second per connection; bursts up to `burstBytes` are allowed. */
  bytesPerSecond: number;
  burstBytes: number;
  /** Failed SASL attempts on one stream before it is closed with policy-violation (CORE-33). */
  authAttemptsPerStream: number;
  /** Failed logins per account+address before a lockout; the lockout doubles on each further failure. */
  authFailuresBeforeLockout: number;
  lockoutBaseSeconds: number;
  lockoutMaxSeconds: number;
  maxResourcesPerAccount: number;
  bindAttempts: number;
  /** Seconds an unauthenticated connection may take to log in (BAD-12). */
  preAuthTimeoutSeconds: number;
  /** Largest vCard (XEP-0054) an account may store, in bytes; larger ones are refused with not-acceptable (VCARD-02). */
  maxVcardBytes: number;
  /** Everything one account may keep in private XML storage (XEP-0049), in bytes. */
  maxPrivateBytes: number;
  /** Accounts that in-band registration (XEP-0077) creates per remote address per hour (SVC-13). */
  registrationsPerIpPerHour: number;
  /**
   * Bytes waiting to be sent on one connection (client or server stream) before it is closed with
   * policy-violation: a peer that stops reading cannot make the server buffer without end (BAD-23). Never less
   * than twice maxStanzaBytes (see outputBound), so the largest stanzas can always be sent.
   */
  maxOutputBytes: number;
  /** Items one roster may hold, pending inbound requests included (RFC 6121 §2.3.3; roster.ts, subscription.ts). */
  maxRosterItems: number;
  /**
   * Stanzas per second one session may send, counted apart per kind, and the burst allowed above the rate
   * (core/stanza-rate.ts): over it a stanza gets a policy-violation error; a burst refused in a row closes the stream.
   */
  messagesPerSecond: number;
  messageBurst: number;
  presencePerSecond: number;
  presenceBurst: number;
  iqPerSecond: number;
  iqBurst: number;
}

/** Who may create rooms on the group chat service (a room's owner configures it after). */
export type RoomCreationPolicy = 'everyone' | 'admins';
/** A new room's settings until its owner changes them (muc#roomconfig; server/muc/room-config.ts). */
export interface RoomDefaults {
  /** Listed in the service's disco#items (muc_public) rather than hidden. */
  public: boolean;
  /** Kept when the last occupant leaves and across restarts. */
  persistent: boolean;
  membersOnly: boolean;
  moderated: boolean;
  /** Who may see occupants' real JIDs: 'moderators' (semi-anonymous) or 'anyone' (non-anonymous). */
  whois: WhoisPolicy;
  /** Who may send private messages to occupants. */
  allowPm: PmPolicy;
}

/** The group chat service (XEP-0045) at <subdomain>.<domain>: server/muc/. */
export interface MucSettings {
  /** The service runs; off: no conference host at all. */
  enabled: boolean;
  /** The service's address is <subdomain>.<domain>; conference.<domain> by default. */
  subdomain: string;
  createRooms: RoomCreationPolicy;
  /** Rooms on the service in all; past it, creating one is refused with resource-constraint. */
  maxRooms: number;
  /** Rooms one user may own; past it, creating one is refused with not-allowed (MUC bad input). */
  maxRoomsPerUser: number;
  /** Occupants per room at most; a room's own maxusers can only be lower. */
  maxOccupants: number;
  /** Messages of history each room keeps for people who join (and the most a room may be configured to keep). */
  historyLength: number;
  defaults: RoomDefaults;
}

export const DEFAULT_MUC: MucSettings = {
  enabled: true,
  subdomain: 'conference',
  createRooms: 'everyone',
  maxRooms: 1000,
  maxRoomsPerUser: 50,
  maxOccupants: 500,
  historyLength: 50,
  defaults: { public: true, persistent: true, membersOnly: false, moderated: false, whois: 'moderators', allowPm: 'anyone' },
};

export interface ServerConfig {
  dataDir: string;
  domain: string;
  bind: string;
  c2sPort: number | null;
  tlsPort: number | null;
  /** Federation (RFC 6120 server-to-server, server/s2s/): the port peers connect to; null = federation off. */
  s2sPort: number | null;
  /**
   * Static routes for federation, used before any DNS lookup (as ejabberd's and Prosody's static routes):
   * remote domain → "host:port" (or "host" for port 5269), e.g. { "lab.example": "10.0.0.7:5270" }.
   */
  s2sHosts?: Record<string, string>;
  /** Peers must use TLS on s2s streams, both ways (default true). */
  s2sRequireTls?: boolean;
  /** PEM CA certificates trusted, besides the system's, to authenticate peers by certificate (SASL EXTERNAL). */
  s2sTrustedCas?: string[];
  /** Seconds to resolve, connect and authenticate to a peer before stanzas bounce with remote-server-timeout (default 30). */
  s2sTimeoutSeconds?: number;
  /** Seconds without traffic after which an s2s stream is closed (default 600). */
  s2sIdleSeconds?: number;
  httpPort: number | null;
  /** HTTPS with the server's certificate for the invitation pages (started with the HTTP listener); null = off. */
  httpsPort: number | null;
  discovery: boolean;
  /** Interfaces for mDNS discovery by name (e.g. ["eth0"]); unset: every LAN interface, no loopback-only or VPN. */
  discoveryInterfaces?: string[];
  registration: RegistrationPolicy;
  logLevel: LogLevel;
  /** STARTTLS required before authentication (appliance default; CORE-16). */
  requireTls: boolean;
  resourceConflict: ResourceConflictPolicy;
  /** Seconds to wait for a peer's closing tag before dropping the connection (CORE-10). */
  closeTimeoutSeconds: number;
  /** A bound client silent this long is pinged (XEP-0199); no answer within pingTimeoutSeconds → connection-timeout (CORE-12). */
  idlePingSeconds: number;
  pingTimeoutSeconds: number;
  scramIterations: number;
  serverName: string;
  /** Messages kept in offline storage per user (XEP-0160); when full, senders get service-unavailable. 0 = none. */
  offlineQuota: number;
  /** Bytes of offline messages kept per user, besides the count; when full, senders get service-unavailable (IM-39). 0 = no byte bound. */
  offlineQuotaBytes: number;
  /**
   * Bytes one account may keep in all (vCard, private XML, offline messages, privacy lists, roster…); over it, its
   * own changes are refused with resource-constraint and messages to it are not stored. 0 = no quota.
   */
  userStorageQuotaBytes: number;
  /** Published in the server's disco#info as the XEP-0157 serverinfo form; empty = no form. */
  contactAddresses: ContactAddresses;
  /** The headless admin console (/admin on httpPort) answers other addresses than loopback (default false). */
  consoleRemote: boolean;
  /**
   * When a confirmed write counts as stored: 'flush' (default) on the disk, surviving a power cut; 'os' handed to
   * the OS only, surviving a crash of Parley but not of the machine (faster on slow disks). See storage/backend.ts.
   */
  durability: Durability;
  /** The setup wizard has been completed; until then a fresh data folder offers it behind a one-time link. */
  setupDone: boolean;
  /** The group chat service: who may create rooms, room defaults, its limits. */
  muc: MucSettings;
  limits: Limits;
}

export const DEFAULT_LIMITS: Limits = {
  enabled: true,
  maxStanzaBytes: 256 * 1024,
  maxHeaderBytes: 8 * 1024,
  maxDepth: 64,
  maxConnectionsPerIp: 50,
  maxConnections: 20000,
  bytesPerSecond: 256 * 1024,
  burstBytes: 1024 * 1024,
  authAttemptsPerStream: 5,
  authFailuresBeforeLockout: 5,
  lockoutBaseSeconds: 30,
  lockoutMaxSeconds: 3600,
  maxResourcesPerAccount: 20,
  bindAttempts: 8,
  preAuthTimeoutSeconds: 60,
  maxVcardBytes: 64 * 1024,
  maxPrivateBytes: 1024 * 1024,
  registrationsPerIpPerHour: 5,
  maxOutputBytes: 1024 * 1024,
  // Generous for people and their clients: a login sends dozens of iqs (roster, disco, MAM, avatars) and joins
  // every bookmarked room with one presence each; a person types far below 10 messages a second.
  maxRosterItems: 2000,
  messagesPerSecond: 20,
  messageBurst: 300,
  presencePerSecond: 5,
  presenceBurst: 200,
  iqPerSecond: 20,
  iqBurst: 300,
};

/** Limits when switched off with --limits off (for benchmarks): the protocol floors stay, the throttles go. */
export const NO_LIMITS: Limits = {
  ...DEFAULT_LIMITS,
  enabled: false,
  maxStanzaBytes: 16 * 1024 * 1024,
  maxConnectionsPerIp: Number.MAX_SAFE_INTEGER,
  maxConnections: Number.MAX_SAFE_INTEGER,
  bytesPerSecond: Number.MAX_SAFE_INTEGER,
  burstBytes: Number.MAX_SAFE_INTEGER,
  authFailuresBeforeLockout: Number.MAX_SAFE_INTEGER,
  maxResourcesPerAccount: 1000,
  preAuthTimeoutSeconds: 300,
  registrationsPerIpPerHour: Number.MAX_SAFE_INTEGER,
  maxRosterItems: 100_000,
  // Still bounded: memory is not a throttle. Room for a few of the largest stanzas allowed here.
  maxOutputBytes: 64 * 1024 * 1024,
};

/** The bytes that may wait on one connection: maxOutputBytes, raised to fit two of the largest stanzas allowed. */
export function outputBound(l: Limits): number {
  return Math.max(l.maxOutputBytes, 2 * l.maxStanzaBytes);
}

export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Parley');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Parley');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'parley');
}

export function defaultDomain(): string {
  const host = os.hostname().split('.')[0].toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'parley';
  return `${host}.local`;
}

export function defaultConfig(dataDir: string = defaultDataDir()): ServerConfig {
  return {
    dataDir,
    domain: defaultDomain(),
    bind: '0.0.0.0',
    c2sPort: 5222,
    tlsPort: 5223,
    s2sPort: null,
    httpPort: 5280,
    httpsPort: 5281,
    discovery: true,
    registration: 'invite',
    logLevel: 'info',
    requireTls: true,
    resourceConflict: 'new-resource',
    closeTimeoutSeconds: 10,
    idlePingSeconds: 300,
    pingTimeoutSeconds: 60,
    scramIterations: 4096,
    serverName: 'Parley',
    offlineQuota: 500,
    offlineQuotaBytes: 2 * 1024 * 1024,
    userStorageQuotaBytes: 16 * 1024 * 1024,
    contactAddresses: {},
    consoleRemote: false,
    durability: 'flush',
    setupDone: false,
    muc: { ...DEFAULT_MUC, defaults: { ...DEFAULT_MUC.defaults } },
    limits: { ...DEFAULT_LIMITS },
  };
}

export class ConfigError extends Error {}

export const CONFIG_FILE = 'config.json';

/** Settings the wizard saves; anything not present keeps its default. */
export type StoredSettings = Partial<Omit<ServerConfig, 'dataDir' | 'limits' | 'muc'>> & {
  limits?: Partial<Limits>;
  muc?: Partial<Omit<MucSettings, 'defaults'>> & { defaults?: Partial<RoomDefaults> };
};

export async function readStoredSettings(dataDir: string): Promise<StoredSettings> {
  const file = path.join(dataDir, CONFIG_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}.`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as StoredSettings;
  } catch {
    throw new ConfigError(`${file} is not valid JSON. Fix it by hand, or delete it to go back to the defaults.`);
  }
}

export async function writeStoredSettings(dataDir: string, settings: StoredSettings): Promise<void> {
  const file = path.join(dataDir, CONFIG_FILE);
  const tmp = file + '.tmp';
  await fs.writeFile(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
}

/** Merge defaults ← stored settings ← overrides, then validate. */
export function resolveConfig(dataDir: string, stored: StoredSettings, overrides: StoredSettings): ServerConfig {
  const base = defaultConfig(dataDir);
  const merged: ServerConfig = {
    ...base, ...stored, ...overrides, dataDir,
    limits: { ...base.limits, ...stored.limits, ...overrides.limits },
    muc: {
      ...base.muc, ...stored.muc, ...overrides.muc,
      defaults: { ...base.muc.defaults, ...stored.muc?.defaults, ...overrides.muc?.defaults },
    },
  };
  if (merged.limits.enabled === false && overrides.limits?.enabled === false) {
    merged.limits = { ...NO_LIMITS, ...overrides.limits };
  }
  validateConfig(merged);
  return merged;
}

export function validateConfig(c: ServerConfig): void {
  try {
    c.domain = prepDomainpart(c.domain);
  } catch (err) {
    const why = err instanceof JidError ? err.message : String(err);
    throw new ConfigError(`"${c.domain}" cannot be used as the server's domain: ${why}. Use a name like office.local or chat.example.org.`);
  }
  for (const key of ['c2sPort', 'tlsPort', 's2sPort', 'httpPort', 'httpsPort'] as const) {
    const v = c[key];
    if (v !== null && (!Number.isInteger(v) || v < 0 || v > 65535)) {
      throw new ConfigError(`Port ${v} for ${key} is not a port number; use a number from 1 to 65535, or "off".`);
    }
  }
  if (!['closed', 'invite', 'open'].includes(c.registration)) {
    throw new ConfigError(`Registration policy "${c.registration}" is unknown; use closed, invite or open.`);
  }
  if (!['error', 'warn', 'info', 'debug'].includes(c.logLevel)) {
    throw new ConfigError(`Log level "${c.logLevel}" is unknown; use error, warn, info or debug.`);
  }
  for (const [key, what] of [['offlineQuotaBytes', 'The bytes of offline messages kept per user'], ['userStorageQuotaBytes', 'The storage quota per user']] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 0) throw new ConfigError(`${what} must be a whole number of bytes (0 or more), not ${String(c[key])}.`);
  }
  if (!Number.isInteger(c.offlineQuota) || c.offlineQuota < 0) {
    throw new ConfigError(`The offline message quota must be a whole number of messages (0 or more), not ${c.offlineQuota}.`);
  }
  if (!DURABILITIES.includes(c.durability)) {
    throw new ConfigError(`Durability "${String(c.durability)}" is unknown; use flush (every confirmed write is on the disk) or os (faster, but a power cut can lose the last seconds).`);
  }
  if (c.limits.maxStanzaBytes < 10000) {
    throw new ConfigError('The stanza size limit must be at least 10000 bytes (RFC 6120 §13.12).');
  }
  for (const key of ['messagesPerSecond', 'messageBurst', 'presencePerSecond', 'presenceBurst', 'iqPerSecond', 'iqBurst'] as const) {
    const v = c.limits[key];
    if (typeof v !== 'number' || !(v > 0)) throw new ConfigError(`The stanza rate limit ${key} must be a number above 0, not ${String(v)}.`);
  }
  if (!(c.limits.maxOutputBytes > 0)) {
    throw new ConfigError(`The output limit per connection must be a number of bytes above 0, not ${String(c.limits.maxOutputBytes)}.`);
  }
  c.contactAddresses ??= {};
  validateContactAddresses(c.contactAddresses);
  validateMuc(c.muc);
}

function validateMuc(m: MucSettings): void {
  if (typeof m.subdomain !== 'string' || !/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(m.subdomain)) {
    throw new ConfigError(`"${String(m.subdomain)}" cannot name the group chat service; use letters, digits and dashes, like conference.`);
  }
  if (m.createRooms !== 'everyone' && m.createRooms !== 'admins') {
    throw new ConfigError(`Who may create rooms must be everyone or admins, not "${String(m.createRooms)}".`);
  }
  for (const [key, what, min] of [['maxRooms', 'The number of rooms', 0], ['maxRoomsPerUser', 'The rooms one user may own', 0],
    ['maxOccupants', 'The occupants of one room', 1], ['historyLength', 'The messages of history a room keeps', 0]] as const) {
    const v = m[key];
    if (!Number.isInteger(v) || v < min) throw new ConfigError(`${what} must be a whole number (${min} or more), not ${String(v)}.`);
  }
  const d = m.defaults;
  if (d.whois !== 'moderators' && d.whois !== 'anyone') throw new ConfigError('Who may see real addresses in new rooms must be moderators or anyone.');
  if (!['anyone', 'participants', 'moderators', 'none'].includes(d.allowPm)) {
    throw new ConfigError('Who may send private messages in new rooms must be anyone, participants, moderators or none.');
  }
}

/** XEP-0157 addresses must be URIs (mailto:, xmpp:, https:…) under a known role. */
function validateContactAddresses(a: unknown): void {
  if (typeof a !== 'object' || a === null || Array.isArray(a)) {
    throw new ConfigError('Contact addresses must be given per role, e.g. { "admin": ["mailto:admin@example.org"] }.');
  }
  for (const [role, list] of Object.entries(a)) {
    if (!(CONTACT_ROLES as readonly string[]).includes(role)) {
      throw new ConfigError(`"${role}" is not a kind of contact address; use ${CONTACT_ROLES.join(', ')}.`);
    }
    if (!Array.isArray(list)) throw new ConfigError(`The ${role} contact addresses must be a list.`);
    for (const uri of list) {
      if (typeof uri !== 'string' || !/^[a-z][a-z0-9+.-]*:\S+$/i.test(uri)) {
        const hint = typeof uri === 'string' && /^[^\s:]+@[^\s:]+$/.test(uri) ? ` Write it as mailto:${uri} or xmpp:${uri}.` : '';
        throw new ConfigError(`The ${role} contact address "${String(uri)}" is not an address with a scheme such as mailto:, xmpp: or https:.${hint}`);
      }
    }
  }
}
