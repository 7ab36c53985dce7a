// The console's JSON API methods (POST /admin/api/<name>): the allow-list of AdminService calls a logged-in
// administrator may make over HTTP, each with its typed parameters. Anything not listed here does not exist.
import { makeJid } from '../core/jid.js';
import { NAMED_ADMIN_CALLS } from '../admin/admin-api.js';
import type { AdminService } from '../admin/admin-service.js';
import type { ConsoleSettings, NewInvite } from '../admin/console-api.js';
import { HttpError, type Params } from './json-body.js';

export interface CallContext {
  /** The logged-in administrator's normalised account name. */
  username: string;
  domain: string;
}

export type ConsoleMethod = (api: AdminService, p: Params, ctx: CallContext) => Promise<unknown>;

const USER = 'The user';

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
  // Every AdminApi method, as IPC calls them too; removeUser is below, refusing the account one is logged in with.
  ...NAMED_ADMIN_CALLS,
  overview: (api) => api.overview(),
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
  getSettings: (api) => api.getSettings(),
  // AdminService checks every key and value of the change set itself.
  setSettings: (api, p) => api.setSettings(p.object('changes', 'The settings to change') as Partial<ConsoleSettings>),
  recentLogs: (api) => api.recentLogs(),
  networkCheck: (api) => api.networkCheck(),
  // AdminService checks the invitation's fields itself.
  createInvite: (api, p, ctx) => api.createInvite(p.object('invite', 'The invitation') as unknown as NewInvite, ctx.username),
  listInvites: (api) => api.listInvites(),
  revokeInvite: (api, p) => api.revokeInvite(p.string('token', 'The invitation')),
};

export function isConsoleMethod(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(CONSOLE_METHODS, name);
}
