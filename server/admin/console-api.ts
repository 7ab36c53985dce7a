// The admin operations only the console (the GUI, over HTTP now and Electron IPC later) offers, beyond AdminApi:
// settings, live sessions, logs, the setup wizard and the events the pages tail. Plain JSON-safe types, shared by
// the server and the renderer (which imports this file for its types only).
import type { PmPolicy, WhoisPolicy } from '../core/room-policies.js';
import type { AdminApi, CertificateInfo, ServerStatus, UserChange } from './admin-api.js';

export type RegistrationChoice = 'closed' | 'invite' | 'open';
export type LogLevelName = 'error' | 'warn' | 'info' | 'debug';
export type ResourceConflictChoice = 'new-resource' | 'kick-old' | 'refuse';

/** The settings the console shows and changes; all of them are kept in the data folder's config.json. */
export interface ConsoleSettings {
  domain: string;
  serverName: string;
  bind: string;
  c2sPort: number | null;
  tlsPort: number | null;
  /** Federation: null = off. */
  s2sPort: number | null;
  httpPort: number | null;
  registration: RegistrationChoice;
  discovery: boolean;
  logLevel: LogLevelName;
  consoleRemote: boolean;
  offlineQuota: number;
  /** Bytes one account may keep on the server in all (vCard, private data, offline messages, lists, roster); 0 = no quota. */
  userStorageQuotaBytes: number;
  resourceConflict: ResourceConflictChoice;
  // Group chat (config.json's "muc"): the service, who may create rooms, its limits and new rooms' defaults.
  /** The service runs at <mucSubdomain>.<domain> (applies at the next start). */
  mucEnabled: boolean;
  mucSubdomain: string;
  mucCreateRooms: 'everyone' | 'admins';
  /** Rooms on the service in all; 0: nobody can create one. */
  mucMaxRooms: number;
  /** Rooms one person may own. */
  mucMaxRoomsPerUser: number;
  /** People in one room at most. */
  mucMaxOccupants: number;
  /** Messages of history a room keeps for people who enter. */
  mucHistoryLength: number;
  mucDefaultPublic: boolean;
  mucDefaultPersistent: boolean;
  mucDefaultMembersOnly: boolean;
  mucDefaultModerated: boolean;
  mucDefaultWhois: WhoisPolicy;
  mucDefaultAllowPm: PmPolicy;
}

export type SettingKey = keyof ConsoleSettings;

export interface SettingsView {
  /** What is saved (or the default): what Parley uses from its next start, and now for the live settings. */
  saved: ConsoleSettings;
  /** What the running server uses now; null when no server runs. */
  running: ConsoleSettings | null;
  /** Settings that take effect only when Parley starts again. */
  restartOnly: SettingKey[];
  /** Saved changes of restart-only settings that wait for a restart. */
  pendingRestart: SettingKey[];
}

export interface SessionInfo {
  /** Server-wide id, as in the log ("c2s12"). */
  id: string;
  /** Full JID. */
  jid: string;
  /** Bare JID of the account. */
  account: string;
  resource: string;
  /** The client's IP address ('' when unknown). */
  address: string;
  /** ISO 8601 ('' when unknown). */
  connectedAt: string;
  secure: boolean;
}

export interface Kick {
  jid: string;
}

export interface LogLine {
  /** ISO 8601 */
  time: string;
  level: LogLevelName;
  source: string;
  message: string;
}

export interface Traffic {
  /** ISO 8601 of the sample. */
  at: string;
  /** Chat messages (with a body) sent by local clients since the server started. */
  messages: number;
  /** Messages per minute over the last minute; null until there are two samples. */
  messagesPerMinute: number | null;
  stanzasIn: number;
  stanzasOut: number;
  logins: number;
  failedLogins: number;
  onlineSessions: number;
}

export interface Warning {
  /** Stable id, e.g. 'certificate-expiring'. */
  id: string;
  /** A sentence for people. */
  text: string;
}

export interface Overview {
  status: ServerStatus;
  serverName: string;
  /** Addresses of this machine that devices on the network can use (IPv4 and IPv6, no loopback). */
  addresses: string[];
  /** The address the listeners are bound to (0.0.0.0 = all). */
  bind: string;
  traffic: Traffic | null;
  warnings: Warning[];
}

export type PortState = 'listening' | 'free' | 'taken' | 'not-permitted' | 'off';

export interface PortCheck {
  name: 'c2s' | 'tls' | 's2s' | 'http';
  /** What the port is for, for people. */
  label: string;
  /** The configured port (null = off). */
  port: number | null;
  state: PortState;
  /** What to do about it, a sentence ('' when all is well). */
  advice: string;
}

export interface NetworkCheck {
  bind: string;
  ports: PortCheck[];
  addresses: string[];
  /** Sentences about the network as a whole (e.g. "Parley listens on 127.0.0.1 only"). */
  notes: string[];
}

export interface SetupInfo {
  /** The domain in use now. */
  domain: string;
  /** The suggested domain: <hostname>.local. */
  suggestedDomain: string;
  serverName: string;
  registration: RegistrationChoice;
  discovery: boolean;
  federation: boolean;
  certificate: CertificateInfo | null;
  network: NetworkCheck;
}

export interface SetupChoices {
  domain: string;
  serverName: string;
  /** The first administrator: a name ("alice") or an address at `domain`. */
  adminUser: string;
  adminPassword: string;
  registration: RegistrationChoice;
  discovery: boolean;
  federation: boolean;
}

export interface SetupResult extends UserChange {
  /** Settings that need a restart of Parley before they apply (e.g. a changed domain). */
  restartRequired: SettingKey[];
  /** How devices connect: the domain, the client port and the certificate fingerprint. */
  domain: string;
  port: number | null;
  fingerprintSha256: string | null;
}

/** What an invitation can do now: be used, or why not. */
export type InviteState = 'valid' | 'expired' | 'used' | 'revoked';

/** A new invitation: how many accounts it may create, for how long, and optionally the one name it reserves. */
export interface NewInvite {
  /** Accounts it may create: 1 (single use) or more (multi use). */
  uses: number;
  /** Hours until it expires (at most a year). */
  expiresInHours: number;
  /** A name reserved for the person invited (then single use); '' or absent lets them choose. */
  username?: string;
}

/** An invitation (XEP-0401 account invitation) as the console shows it. */
export interface InviteInfo {
  /** The preauth token: 128 random bits, base64url. */
  token: string;
  /** ISO 8601. */
  createdAt: string;
  expiresAt: string;
  maxUses: number;
  uses: number;
  /** Who made it (bare JID); null when made from the desktop window. */
  createdBy: string | null;
  /** The reserved address (bare JID), or null when the invited person chooses their name. */
  reservedJid: string | null;
  revoked: boolean;
  state: InviteState;
  /** Accounts created with it (bare JIDs). */
  accounts: string[];
  /** The XEP-0401 / XEP-0445 URI chat apps open: xmpp:DOMAIN?register;preauth=TOKEN (or xmpp:NAME@DOMAIN?…). */
  xmppUri: string;
  /** The page over plain HTTP: it only points to secureLandingUrl (no sign-up there); null when the web port is off. */
  landingUrl: string | null;
  /** The landing page over HTTPS with the server's certificate; null when the HTTPS port is off. */
  secureLandingUrl: string | null;
  /** The link to send: secureLandingUrl, or xmppUri without HTTPS (never the plain HTTP page). */
  shareLink: string;
  /** The fingerprint the invited person compares: the CA's SHA-256 (uppercase hex with colons); null without a certificate. */
  fingerprintSha256: string | null;
  /** A QR code (SVG markup) of shareLink; '' once the invitation is not valid. */
  qrSvg: string;
}

export type ConsoleEvent =
  | { type: 'log'; line: LogLine }
  | { type: 'traffic'; traffic: Traffic }
  | { type: 'sessions'; onlineSessions: number }
  /** Something on the Rooms page changed (occupants, rooms); coalesced, at most a few per second. */
  | { type: 'rooms' };

/** What the console pages call, besides AdminApi. */
export interface ConsoleApi {
  overview(): Promise<Overview>;
  setAdmin(user: string, admin: boolean): Promise<UserChange>;
  disableUser(user: string): Promise<UserChange>;
  enableUser(user: string): Promise<UserChange>;
  listSessions(): Promise<SessionInfo[]>;
  kickSession(id: string): Promise<Kick>;
  /** A headline from the server to everyone online now (SVC-18); an empty subject means none. */
  announce(text: string, subject: string): Promise<{ sessions: number }>;
  getSettings(): Promise<SettingsView>;
  setSettings(changes: Partial<ConsoleSettings>): Promise<SettingsView>;
  recentLogs(): Promise<LogLine[]>;
  networkCheck(): Promise<NetworkCheck>;
  setupNeeded(): Promise<boolean>;
  setupInfo(): Promise<SetupInfo>;
  completeSetup(choices: SetupChoices): Promise<SetupResult>;
  /** A new invitation link; `createdBy` is the administrator's account name (absent: the desktop window). */
  createInvite(invite: NewInvite, createdBy?: string): Promise<InviteInfo>;
  /** All invitations, newest first, with their state. */
  listInvites(): Promise<InviteInfo[]>;
  /** Make an invitation link stop working at once. */
  revokeInvite(token: string): Promise<InviteInfo>;
  /** Live events (log lines, traffic ticks, session changes); returns the unsubscribe function. */
  subscribe(listener: (e: ConsoleEvent) => void): () => void;
}

export type FullAdminApi = AdminApi & ConsoleApi;
