// The one seam between the console's pages and the server: an AdminTransport. The headless console talks HTTP
// (http.ts); the desktop app will talk IPC through a preload's window.parley allow-list (ipc.ts). Pages never
// know which.
import type { CertificateInfo, ServerStatus, UserChange, UserInfo, UserRemoval } from '../../../server/admin/admin-api.js';
import type {
  ConsoleEvent, ConsoleSettings, InviteInfo, Kick, LogLine, NetworkCheck, NewInvite, Overview, SessionInfo, SettingsView,
  SetupChoices, SetupInfo, SetupResult,
} from '../../../server/admin/console-api.js';
import type {
  Affiliation, AffiliationChange, NewRoom, OccupantKick, RoomChange, RoomInfo, RoomSettingsChange, RoomView,
} from '../../../server/admin/room-api.js';

export type * from '../../../server/admin/admin-api.js';
export type * from '../../../server/admin/console-api.js';
export type * from '../../../server/admin/room-api.js';

/** Every console call: its named parameters and its result. The HTTP API and the IPC allow-list use these names. */
export interface ConsoleMethods {
  status: { params: Record<string, never>; result: ServerStatus };
  overview: { params: Record<string, never>; result: Overview };
  listUsers: { params: Record<string, never>; result: UserInfo[] };
  addUser: { params: { user: string; password: string }; result: UserChange };
  setPassword: { params: { user: string; password: string }; result: UserChange };
  removeUser: { params: { user: string }; result: UserRemoval };
  setAdmin: { params: { user: string; admin: boolean }; result: UserChange };
  disableUser: { params: { user: string }; result: UserChange };
  enableUser: { params: { user: string }; result: UserChange };
  listSessions: { params: Record<string, never>; result: SessionInfo[] };
  kickSession: { params: { id: string }; result: Kick };
  announce: { params: { text: string; subject: string }; result: { sessions: number } };
  certificate: { params: Record<string, never>; result: CertificateInfo };
  getSettings: { params: Record<string, never>; result: SettingsView };
  setSettings: { params: { changes: Partial<ConsoleSettings> }; result: SettingsView };
  recentLogs: { params: Record<string, never>; result: LogLine[] };
  networkCheck: { params: Record<string, never>; result: NetworkCheck };
  createInvite: { params: { invite: NewInvite }; result: InviteInfo };
  listInvites: { params: Record<string, never>; result: InviteInfo[] };
  revokeInvite: { params: { token: string }; result: InviteInfo };
  listRooms: { params: Record<string, never>; result: RoomInfo[] };
  getRoom: { params: { room: string }; result: RoomView };
  createRoom: { params: { room: string; options: NewRoom }; result: RoomView };
  configureRoom: { params: { room: string; changes: RoomSettingsChange }; result: RoomView };
  destroyRoom: { params: { room: string; reason: string }; result: RoomChange };
  kickOccupant: { params: { room: string; nick: string; reason: string }; result: OccupantKick };
  setRoomAffiliation: { params: { room: string; user: string; affiliation: Affiliation; reason: string }; result: AffiliationChange };
}

export type MethodName = keyof ConsoleMethods;
export type ParamsOf<M extends MethodName> = ConsoleMethods[M]['params'];
export type ResultOf<M extends MethodName> = ConsoleMethods[M]['result'];

export interface ConsoleUser {
  username: string;
  jid: string;
}

export interface SessionState {
  /** null: nobody is logged in. */
  user: ConsoleUser | null;
}

/** A refused or failed call; `message` is a sentence for people. */
export class ConsoleError extends Error {
  constructor(message: string, readonly status = 0) {
    super(message);
    this.name = 'ConsoleError';
  }

  /** The login has ended (or never was): the app shows the login page. */
  get loggedOut(): boolean {
    return this.status === 401;
  }
}

export interface AdminTransport {
  /** 'http' (headless console) or 'ipc' (desktop app). */
  readonly kind: 'http' | 'ipc';
  /** Whether this transport needs a login (HTTP does; the desktop app's window does not). */
  readonly needsLogin: boolean;
  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  session(): Promise<SessionState>;
  login(user: string, password: string): Promise<SessionState>;
  logout(): Promise<void>;
  /** Whether the first-run wizard is what to show (HTTP: the page is /admin/setup with a token). */
  setupMode(): boolean;
  setupInfo(): Promise<SetupInfo>;
  completeSetup(choices: SetupChoices): Promise<SetupResult>;
  /**
   * Live events; `onConnection` tells whether the feed is connected (it reconnects by itself). Returns the
   * function that stops it.
   */
  subscribe(onEvent: (e: ConsoleEvent) => void, onConnection?: (connected: boolean) => void): () => void;
  /** A URL that downloads the CA certificate, or null when the page must build the download itself. */
  caDownloadUrl(): string | null;
  /** Called with every logged-out error, so the app can show the login page. */
  onLoggedOut(listener: () => void): void;
}
