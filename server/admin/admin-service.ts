// AdminService: every operation the GUI, the headless console and the CLI offer, in one place. It validates its
// inputs itself (it is reached from a socket too) and refuses with AdminError messages meant for people.
//
// A facade: each operation is one line that hands the call to the part for its concern (users, invitations,
// settings, setup, status, sessions, group chat rooms, the console's login and live feed, the certificate). The transports' allow-lists
// (admin socket, HTTP console, Electron IPC) name these methods, so they stay together here, typed against AdminApi
// and ConsoleApi; the parts hold the code and the state (pending restarts, traffic samples, feed listeners).
import type { AdminApi, CertificateInfo, ServerStatus, UserChange, UserInfo, UserRemoval } from './admin-api.js';
import type {
  ConsoleApi, ConsoleEvent, ConsoleSettings, InviteInfo, Kick, LogLine, NetworkCheck, NewInvite, Overview, SessionInfo,
  SettingsView, SetupChoices, SetupInfo, SetupResult,
} from './console-api.js';
import type { AdminHost } from './admin-host.js';
import type { AffiliationChange, NewRoom, OccupantKick, RoomChange, RoomInfo, RoomSettingsChange, RoomView } from './room-api.js';
import { certificateInfo } from './certificate-info.js';
import { ConsoleFeed } from './console-feed.js';
import { ConsoleLogin, type AdminLogin } from './console-login.js';
import { InviteAdmin, type InviteLanding } from './invite-admin.js';
import { RoomAdmin } from './room-admin.js';
import { SessionAdmin } from './session-admin.js';
import { SettingsAdmin } from './settings-admin.js';
import { SetupAdmin } from './setup-admin.js';
import { StatusAdmin } from './status-admin.js';
import { TrafficSampler } from './traffic-sampler.js';
import { UserAdmin } from './user-admin.js';

export { AdminError } from './admin-api.js';
export type { AdminHost, AdminRuntime } from './admin-host.js';
export type { AdminLogin } from './console-login.js';
export { INVITE_STATE_TEXT, SignupError, type InviteLanding } from './invite-admin.js';
export { MIN_ADMIN_PASSWORD_LENGTH } from './setup-admin.js';

export class AdminService implements AdminApi, ConsoleApi {
  private readonly users: UserAdmin;
  private readonly invites: InviteAdmin;
  private readonly settings: SettingsAdmin;
  private readonly setup: SetupAdmin;
  private readonly monitor: StatusAdmin;
  private readonly sessions: SessionAdmin;
  private readonly feed: ConsoleFeed;
  private readonly logins: ConsoleLogin;
  private readonly rooms: RoomAdmin;

  constructor(private readonly host: AdminHost) {
    const traffic = new TrafficSampler(host);
    this.users = new UserAdmin(host);
    this.invites = new InviteAdmin(host);
    this.settings = new SettingsAdmin(host);
    this.monitor = new StatusAdmin(host, this.settings, traffic);
    this.setup = new SetupAdmin(host, this.settings, this.monitor);
    this.sessions = new SessionAdmin(host);
    this.feed = new ConsoleFeed(host, traffic);
    this.logins = new ConsoleLogin(host);
    this.rooms = new RoomAdmin(host);
  }

  get domain(): string {
    return this.host.domain;
  }

  // ---- AdminApi: the CLI's operations (also the console's) ----

  status(): Promise<ServerStatus> { return this.monitor.status(); }
  listUsers(): Promise<UserInfo[]> { return this.users.listUsers(); }
  addUser(user: string, password: string): Promise<UserChange> { return this.users.addUser(user, password); }
  setPassword(user: string, password: string): Promise<UserChange> { return this.users.setPassword(user, password); }
  /** Remove an account; its live sessions are closed with a not-authorized stream error. */
  removeUser(user: string): Promise<UserRemoval> { return this.users.removeUser(user); }
  certificate(): Promise<CertificateInfo> { return certificateInfo(this.host); }

  // ---- group chat rooms (AdminApi too: the CLI's `parley room …`) ----

  listRooms(): Promise<RoomInfo[]> { return this.rooms.listRooms(); }
  getRoom(room: string): Promise<RoomView> { return this.rooms.getRoom(room); }
  createRoom(room: string, options: NewRoom): Promise<RoomView> { return this.rooms.createRoom(room, options); }
  configureRoom(room: string, changes: RoomSettingsChange): Promise<RoomView> { return this.rooms.configureRoom(room, changes); }
  /** Destroy a room; its occupants are told, with the reason. */
  destroyRoom(room: string, reason: string): Promise<RoomChange> { return this.rooms.destroyRoom(room, reason); }
  kickOccupant(room: string, nick: string, reason: string): Promise<OccupantKick> { return this.rooms.kickOccupant(room, nick, reason); }
  setRoomAffiliation(room: string, user: string, affiliation: string, reason: string): Promise<AffiliationChange> { return this.rooms.setRoomAffiliation(room, user, affiliation, reason); }

  // ---- ConsoleApi: the console's (GUI, headless HTTP) operations ----

  overview(): Promise<Overview> { return this.monitor.overview(); }
  setAdmin(user: string, admin: boolean): Promise<UserChange> { return this.users.setAdmin(user, admin); }
  /** Disable an account: it can no longer log in, and its live sessions are closed. */
  disableUser(user: string): Promise<UserChange> { return this.users.disableUser(user); }
  enableUser(user: string): Promise<UserChange> { return this.users.enableUser(user); }
  listSessions(): Promise<SessionInfo[]> { return this.sessions.listSessions(); }
  announce(text: string, subject: string): Promise<{ sessions: number }> { return this.sessions.announce(text, subject); }
  /** Close one live session with a policy-violation stream error. */
  kickSession(id: string): Promise<Kick> { return this.sessions.kickSession(id); }
  getSettings(): Promise<SettingsView> { return this.settings.getSettings(); }
  /** Save settings in config.json; the live ones apply at once, the others when Parley starts again. */
  setSettings(changes: Partial<ConsoleSettings>): Promise<SettingsView> { return this.settings.setSettings(changes); }
  recentLogs(): Promise<LogLine[]> { return this.feed.recentLogs(); }
  networkCheck(): Promise<NetworkCheck> { return this.monitor.networkCheck(); }
  /** A fresh data folder: setup was never completed and no account is an administrator. */
  setupNeeded(): Promise<boolean> { return this.setup.setupNeeded(); }
  setupInfo(): Promise<SetupInfo> { return this.setup.setupInfo(); }
  /** The wizard's last step: create the first administrator and save the choices, marking setup as done. */
  completeSetup(choices: SetupChoices): Promise<SetupResult> { return this.setup.completeSetup(choices); }
  /** A new invitation link: single or multi use, with an expiry, optionally reserving the invited person's name. */
  createInvite(invite: NewInvite, createdBy?: string): Promise<InviteInfo> { return this.invites.createInvite(invite, createdBy); }
  listInvites(): Promise<InviteInfo[]> { return this.invites.listInvites(); }
  revokeInvite(token: string): Promise<InviteInfo> { return this.invites.revokeInvite(token); }
  subscribe(listener: (e: ConsoleEvent) => void): () => void { return this.feed.subscribe(listener); }

  // ---- the web side of invitations (server/http/invite-routes.ts) ----

  /** What the landing page of an invitation shows; null when there is no such invitation. */
  inviteLanding(token: string): Promise<InviteLanding | null> { return this.invites.inviteLanding(token); }
  /**
   * The web sign-up of an invitation: create the account `username` (ignored when the invitation reserves a name)
   * with `password`, taking one use of the invitation. Refusals are SignupErrors that say which field is wrong.
   */
  redeemInvite(token: string, username: unknown, password: unknown): Promise<UserChange> { return this.invites.redeemInvite(token, username, password); }

  // ---- the console's login (server/http/admin-console.ts) ----

  /** The administrator account that `user` and `password` log in to the console as (see ConsoleLogin.verifyAdmin). */
  verifyAdmin(user: unknown, password: unknown, address: string, device: string | null = null): Promise<AdminLogin> { return this.logins.verifyAdmin(user, password, address, device); }
  /** Whether an account exists, is enabled and is an administrator (checked on every console request). */
  isActiveAdmin(username: string): Promise<boolean> { return this.logins.isActiveAdmin(username); }
}
