// The admin operations shared by the GUI, the headless console and the CLI, as plain JSON-safe types: the same
// values come back from AdminService in process and from the admin socket of a running server.
import { UserFacingError } from '../core/user-error.js';
import type { AffiliationChange, NewRoom, OccupantKick, RoomChange, RoomInfo, RoomSettingsChange, RoomView } from './room-api.js';

/** A refused admin operation; the message is meant for people ("There is no account bob@office.local."). */
export class AdminError extends UserFacingError {}

export interface CertificateExpiry {
  /** ISO 8601. */
  notAfter: string;
  /** Whole days until notAfter (negative once expired). */
  daysLeft: number;
}

export interface ServerStatus {
  /** False when the answer comes from the data folder of a stopped server (offline CLI). */
  running: boolean;
  domain: string;
  dataDir: string;
  /** ISO 8601; null when not running. */
  startedAt: string | null;
  uptimeSeconds: number | null;
  /** Bound ports by listener name, e.g. { c2s: 5222, tls: 5223 }. */
  ports: Record<string, number>;
  onlineSessions: number;
  users: number;
  /** The server certificate's expiry; null when there is no certificate yet. */
  certificate: CertificateExpiry | null;
}

export interface UserInfo {
  /** bare JID, e.g. bob@office.local */
  jid: string;
  /** normalised localpart */
  username: string;
  /** ISO 8601 */
  createdAt: string;
  admin: boolean;
  disabled: boolean;
  /** Sessions of this account that are online now (0 when the server is not running). */
  onlineSessions: number;
}

export interface UserChange {
  jid: string;
}

export interface UserRemoval {
  jid: string;
  /** Live sessions that were closed with a not-authorized stream error. */
  closedSessions: number;
}

export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
  xmppAddrs: string[];
  srvNames: string[];
}

export interface CertificateInfo {
  /** The XMPP domain the certificate serves. */
  domain: string;
  /** The CA (or imported chain) that devices should trust, PEM; '' for an imported certificate without a chain. */
  caPem: string;
  caFingerprintSha256: string;
  /** The server (leaf) certificate: uppercase hex with colons, as Node's getPeerCertificate().fingerprint256. */
  fingerprintSha256: string;
  subjectAltNames: SubjectAltNames;
  /** ISO 8601 */
  notBefore: string;
  notAfter: string;
}

/**
 * Every admin operation. Parameters are strings, and a room's settings an object of named values, so the socket
 * protocol can check their kinds without a schema (AdminService checks the values).
 */
export interface AdminApi {
  status(): Promise<ServerStatus>;
  listUsers(): Promise<UserInfo[]>;
  addUser(user: string, password: string): Promise<UserChange>;
  setPassword(user: string, password: string): Promise<UserChange>;
  removeUser(user: string): Promise<UserRemoval>;
  certificate(): Promise<CertificateInfo>;
  /** Group chat rooms (with occupant counts), sorted by address. */
  listRooms(): Promise<RoomInfo[]>;
  /** One room by name or address: settings, occupants (real JIDs, roles, affiliations) and affiliations. */
  getRoom(room: string): Promise<RoomView>;
  createRoom(room: string, options: NewRoom): Promise<RoomView>;
  configureRoom(room: string, changes: RoomSettingsChange): Promise<RoomView>;
  /** Occupants are told, with the reason ('' for none). */
  destroyRoom(room: string, reason: string): Promise<RoomChange>;
  /** Status 307 to the occupant, with the reason ('' for none). */
  kickOccupant(room: string, nick: string, reason: string): Promise<OccupantKick>;
  /** owner, admin, member, outcast (ban) or none, for a bare JID or a name of this server. */
  setRoomAffiliation(room: string, user: string, affiliation: string, reason: string): Promise<AffiliationChange>;
}

export type AdminMethod = keyof AdminApi;
/** What one parameter on the admin socket is: a string, or an object of named values (a room's settings). */
export type AdminParamKind = 'string' | 'object';
export type AdminParam = string | Record<string, unknown>;

/** The allow-list of methods callable over the admin socket, with the kinds of the parameters of each. */
export const ADMIN_METHODS: Readonly<Record<AdminMethod, readonly AdminParamKind[]>> = {
  status: [],
  listUsers: [],
  addUser: ['string', 'string'],
  setPassword: ['string', 'string'],
  removeUser: ['string'],
  certificate: [],
  listRooms: [],
  getRoom: ['string'],
  createRoom: ['string', 'object'],
  configureRoom: ['string', 'object'],
  destroyRoom: ['string', 'string'],
  kickOccupant: ['string', 'string', 'string'],
  setRoomAffiliation: ['string', 'string', 'string', 'string'],
};

export function isAdminMethod(name: unknown): name is AdminMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ADMIN_METHODS, name);
}

/** Whether a value is of a parameter kind (an object: a plain one, not an array or null). */
export function isParamOfKind(v: unknown, kind: AdminParamKind): v is AdminParam {
  return kind === 'string' ? typeof v === 'string' : typeof v === 'object' && v !== null && !Array.isArray(v);
}

export type AdminParams<M extends AdminMethod> = Parameters<AdminApi[M]>;
export type AdminResult<M extends AdminMethod> = Awaited<ReturnType<AdminApi[M]>>;

/** Call one allow-listed method on an AdminApi with parameters already checked against ADMIN_METHODS. */
export function dispatchAdmin(api: AdminApi, method: AdminMethod, params: readonly AdminParam[]): Promise<AdminResult<AdminMethod>> {
  const s = (i: number): string => params[i] as string;
  // Objects go on as they are: AdminService checks every key and value of a room's settings itself.
  const o = (i: number): Record<string, unknown> => params[i] as Record<string, unknown>;
  switch (method) {
    case 'status': return api.status();
    case 'listUsers': return api.listUsers();
    case 'addUser': return api.addUser(s(0), s(1));
    case 'setPassword': return api.setPassword(s(0), s(1));
    case 'removeUser': return api.removeUser(s(0));
    case 'certificate': return api.certificate();
    case 'listRooms': return api.listRooms();
    case 'getRoom': return api.getRoom(s(0));
    case 'createRoom': return api.createRoom(s(0), o(1) as NewRoom);
    case 'configureRoom': return api.configureRoom(s(0), o(1) as RoomSettingsChange);
    case 'destroyRoom': return api.destroyRoom(s(0), s(1));
    case 'kickOccupant': return api.kickOccupant(s(0), s(1), s(2));
    case 'setRoomAffiliation': return api.setRoomAffiliation(s(0), s(1), s(2), s(3));
  }
}

/**
 * A call's named parameters, as the console's HTTP API (http/json-body.ts) and the desktop window's IPC (main/ipc.ts)
 * read them: each refuses a missing or mistyped one in its own way, with `what` as the sentence's subject.
 */
export interface NamedParams {
  string(name: string, what: string): string;
  object(name: string, what: string): Record<string, unknown>;
}

const USER = 'The user';
const PASSWORD = 'The password';
const ROOM = 'The room';
const ROOM_SETTINGS = 'The room configuration';
const REASON = 'The reason';

/**
 * Every AdminApi method called with named parameters, for the console's HTTP API and the desktop window's IPC (the
 * admin socket's are positional: dispatchAdmin). A new method in ADMIN_METHODS does not compile until it is here.
 */
export const NAMED_ADMIN_CALLS: { readonly [M in AdminMethod]: (api: AdminApi, p: NamedParams) => Promise<AdminResult<M>> } = {
  status: (api) => api.status(),
  listUsers: (api) => api.listUsers(),
  addUser: (api, p) => api.addUser(p.string('user', USER), p.string('password', PASSWORD)),
  setPassword: (api, p) => api.setPassword(p.string('user', USER), p.string('password', PASSWORD)),
  removeUser: (api, p) => api.removeUser(p.string('user', USER)),
  certificate: (api) => api.certificate(),
  listRooms: (api) => api.listRooms(),
  getRoom: (api, p) => api.getRoom(p.string('room', ROOM)),
  // AdminService checks every key and value of a room's settings itself.
  createRoom: (api, p) => api.createRoom(p.string('room', ROOM), p.object('options', ROOM_SETTINGS) as NewRoom),
  configureRoom: (api, p) => api.configureRoom(p.string('room', ROOM), p.object('changes', ROOM_SETTINGS) as RoomSettingsChange),
  destroyRoom: (api, p) => api.destroyRoom(p.string('room', ROOM), p.string('reason', REASON)),
  kickOccupant: (api, p) => api.kickOccupant(p.string('room', ROOM), p.string('nick', 'The nick'), p.string('reason', REASON)),
  setRoomAffiliation: (api, p) => api.setRoomAffiliation(p.string('room', ROOM), p.string('user', USER), p.string('affiliation', 'The affiliation'), p.string('reason', REASON)),
};
