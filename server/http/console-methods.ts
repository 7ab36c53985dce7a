// The console's JSON API methods (POST /admin/api/<name>): the allow-list of AdminService calls a logged-in
// administrator may make over HTTP, each with its typed parameters. Anything not listed here does not exist.
import { makeJid } from '../core/jid.js';
import type { AdminService } from '../admin/admin-service.js';
import type { ConsoleSettings, NewInvite } from '../admin/console-api.js';
import type { NewRoom, RoomSettingsChange } from '../admin/room-api.js';
import { HttpError, type Params } from './json-body.js';

export interface CallContext {
  /** The logged-in administrator's normalised account name. */
  username: string;
  domain: string;
}

export type ConsoleMethod = (api: AdminService, p: Params, ctx: CallContext) => Promise<unknown>;

const USER = 'The user';
const PASSWORD = 'The password';
const ROOM = 'The room';
const ROOM_SETTINGS = 'The room configuration';
const REASON = 'The reason';

/** Refuse changes to the account one is logged in with that would lock one out of the console at once. */
function notSelf(user: string, ctx: CallContext, what: string): void {
  const s = user.trim();
  const at = s.lastIndexOf('@');
  let local: string;
  try {
    local = makeJid(at >= 0 ? s.slice(0, at) : s, ctx.domain).local;
  } catch {
    return; // AdminService explains what is wrong with the name
  }
  if (local === ctx.username) throw new HttpError(400, `You cannot ${what} the account you are logged in with.`);
}

export const CONSOLE_METHODS: Readonly<Record<string, ConsoleMethod>> = {
  status: (api) => api.status(),
  overview: (api) => api.overview(),
  listUsers: (api) => api.listUsers(),
  addUser: (api, p) => api.addUser(p.string('user', USER), p.string('password', PASSWORD)),
  setPassword: (api, p) => api.setPassword(p.string('user', USER), p.string('password', PASSWORD)),
  removeUser: (api, p, ctx) => {
    const user = p.string('user', USER);
    notSelf(user, ctx, 'delete');
    return api.removeUser(user);
  },
  setAdmin: (api, p, ctx) => {
    const user = p.string('user', USER);
    const admin = p.boolean('admin', 'Administrator');
    if (!admin) notSelf(user, ctx, 'remove the administrator role from');
    return api.setAdmin(user, admin);
  },
  disableUser: (api, p, ctx) => {
    const user = p.string('user', USER);
    notSelf(user, ctx, 'disable');
    return api.disableUser(user);
  },
  enableUser: (api, p) => api.enableUser(p.string('user', USER)),
  listSessions: (api) => api.listSessions(),
  kickSession: (api, p) => api.kickSession(p.string('id', 'The session')),
  announce: (api, p) => api.announce(p.string('text', 'The announcement'), p.string('subject', 'The subject')),
  certificate: (api) => api.certificate(),
  getSettings: (api) => api.getSettings(),
  // AdminService checks every key and value of the change set itself.
  setSettings: (api, p) => api.setSettings(p.object('changes', 'The settings to change') as Partial<ConsoleSettings>),
  recentLogs: (api) => api.recentLogs(),
  networkCheck: (api) => api.networkCheck(),
  // AdminService checks the invitation's fields itself.
  createInvite: (api, p, ctx) => api.createInvite(p.object('invite', 'The invitation') as unknown as NewInvite, ctx.username),
  listInvites: (api) => api.listInvites(),
  revokeInvite: (api, p) => api.revokeInvite(p.string('token', 'The invitation')),
  listRooms: (api) => api.listRooms(),
  getRoom: (api, p) => api.getRoom(p.string('room', ROOM)),
  // AdminService checks every key and value of a room's settings itself.
  createRoom: (api, p) => api.createRoom(p.string('room', ROOM), p.object('options', ROOM_SETTINGS) as NewRoom),
  configureRoom: (api, p) => api.configureRoom(p.string('room', ROOM), p.object('changes', ROOM_SETTINGS) as RoomSettingsChange),
  destroyRoom: (api, p) => api.destroyRoom(p.string('room', ROOM), p.string('reason', REASON)),
  kickOccupant: (api, p) => api.kickOccupant(p.string('room', ROOM), p.string('nick', 'The nick'), p.string('reason', REASON)),
  setRoomAffiliation: (api, p) => api.setRoomAffiliation(p.string('room', ROOM), p.string('user', USER), p.string('affiliation', 'The affiliation'), p.string('reason', REASON)),
};

export function isConsoleMethod(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONSOLE_METHODS, name);
}
