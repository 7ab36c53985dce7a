// The admin operations shared by the GUI, the headless console and the CLI, as plain JSON-safe types: the same
// values come back from AdminService in process and from the admin socket of a running server.
import { UserFacingError } from '../core/user-error.js';

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

/** Every admin operation. Parameters are strings only, so the socket protocol can check them without a schema. */
export interface AdminApi {
  status(): Promise<ServerStatus>;
  listUsers(): Promise<UserInfo[]>;
  addUser(user: string, password: string): Promise<UserChange>;
  setPassword(user: string, password: string): Promise<UserChange>;
  removeUser(user: string): Promise<UserRemoval>;
  certificate(): Promise<CertificateInfo>;
}

export type AdminMethod = keyof AdminApi;

/** The allow-list of methods callable over the admin socket, with the number of (string) parameters of each. */
export const ADMIN_METHODS: Readonly<Record<AdminMethod, number>> = {
  status: 0,
  listUsers: 0,
  addUser: 2,
  setPassword: 2,
  removeUser: 1,
  certificate: 0,
};

export function isAdminMethod(name: unknown): name is AdminMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(ADMIN_METHODS, name);
}

export type AdminParams<M extends AdminMethod> = Parameters<AdminApi[M]>;
export type AdminResult<M extends AdminMethod> = Awaited<ReturnType<AdminApi[M]>>;

/** Call one allow-listed method on an AdminApi with already-checked string parameters. */
export function dispatchAdmin(api: AdminApi, method: AdminMethod, params: string[]): Promise<AdminResult<AdminMethod>> {
  switch (method) {
    case 'status': return api.status();
    case 'listUsers': return api.listUsers();
    case 'addUser': return api.addUser(params[0], params[1]);
    case 'setPassword': return api.setPassword(params[0], params[1]);
    case 'removeUser': return api.removeUser(params[0]);
    case 'certificate': return api.certificate();
  }
}
