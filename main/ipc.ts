// IPC → AdminService: the fixed allow-list of calls the desktop window may make, each with its named parameters
// checked here or, for the admin API's, in NAMED_ADMIN_CALLS (server/admin/admin-api.ts, which the console's HTTP API
// uses too); AdminService checks their values. The admin API (ADMIN_METHODS) and the console's own calls are all of
// it; anything else is refused, and so is every message that does not come from the app's own page.
import { NAMED_ADMIN_CALLS } from '../server/admin/admin-api.js';
import type { AdminService } from '../server/admin/admin-service.js';
import type { ConsoleApi, ConsoleEvent, ConsoleSettings, NewInvite, SetupChoices } from '../server/admin/console-api.js';
import { UserFacingError } from '../server/core/user-error.js';
import type { IpcMain, IpcMainEvent, IpcMainInvokeEvent, WebContents } from './electron-api.js';
import { isAppUrl } from './security.js';

/** The channels main/preload.cts uses (it keeps its own copy: a sandboxed preload cannot import this file). */
export const CHANNELS = {
  call: 'parley:call',
  subscribe: 'parley:subscribe',
  unsubscribe: 'parley:unsubscribe',
  event: 'parley:event',
  setupNeeded: 'parley:setup-needed',
} as const;

/** A call's answer over IPC; the preload turns `error` back into a rejected promise with that sentence. */
export type IpcResult = { ok: true; value: unknown } | { ok: false; error: string };

/** Refusals of the IPC layer itself (bad method, bad parameters, server stopped): sentences for people. */
export class IpcRefusal extends UserFacingError {}

/** Named parameters of a call, read with a check of their type. */
export class CallParams {
  private readonly body: Record<string, unknown>;

  constructor(raw: unknown) {
    if (raw !== undefined && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
      throw new IpcRefusal('The parameters of the call must be an object.');
    }
    this.body = (raw ?? {}) as Record<string, unknown>;
  }

  string(name: string, what: string): string {
    const v = this.body[name];
    if (typeof v !== 'string') throw new IpcRefusal(`${what} is missing.`);
    return v;
  }

  boolean(name: string, what: string): boolean {
    const v = this.body[name];
    if (typeof v !== 'boolean') throw new IpcRefusal(`${what} must be true or false.`);
    return v;
  }

  object(name: string, what: string): Record<string, unknown> {
    const v = this.body[name];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new IpcRefusal(`${what} is missing.`);
    return v as Record<string, unknown>;
  }
}

type Call = (api: AdminService, p: CallParams) => Promise<unknown>;

const USER = 'The user';

/**
 * The console's calls beyond AdminApi. `subscribe` has its own channels and `setupNeeded` is answered
 * synchronously when the page loads (window.parley.setupNeeded); everything else is here.
 */
const CONSOLE_CALLS: { readonly [M in Exclude<keyof ConsoleApi, 'subscribe' | 'setupNeeded'>]: Call } = {
  overview: (api) => api.overview(),
  setAdmin: (api, p) => api.setAdmin(p.string('user', USER), p.boolean('admin', 'Administrator')),
  disableUser: (api, p) => api.disableUser(p.string('user', USER)),
  enableUser: (api, p) => api.enableUser(p.string('user', USER)),
  listSessions: (api) => api.listSessions(),
  kickSession: (api, p) => api.kickSession(p.string('id', 'The session')),
  announce: (api, p) => api.announce(p.string('text', 'The announcement'), p.string('subject', 'The subject')),
  getSettings: (api) => api.getSettings(),
  // AdminService checks every key and value of the change set and of the setup choices itself.
  setSettings: (api, p) => api.setSettings(p.object('changes', 'The settings to change') as Partial<ConsoleSettings>),
  recentLogs: (api) => api.recentLogs(),
  networkCheck: (api) => api.networkCheck(),
  setupInfo: (api) => api.setupInfo(),
  completeSetup: (api, p) => api.completeSetup(p.object('choices', 'The setup choices') as unknown as SetupChoices),
  // AdminService checks the invitation's fields itself; the desktop window's owner makes it (no account name).
  createInvite: (api, p) => api.createInvite(p.object('invite', 'The invitation') as unknown as NewInvite),
  listInvites: (api) => api.listInvites(),
  revokeInvite: (api, p) => api.revokeInvite(p.string('token', 'The invitation')),
};

/** Every AdminApi method (NAMED_ADMIN_CALLS, as the console's HTTP API calls them) and the console's calls. */
export const IPC_METHODS: Readonly<Record<string, Call>> = Object.freeze({ ...NAMED_ADMIN_CALLS, ...CONSOLE_CALLS });

/** The allow-list, in a stable order (the preload's copy must equal it). */
export const IPC_METHOD_NAMES: readonly string[] = Object.freeze(Object.keys(IPC_METHODS).sort());

export function isIpcMethod(name: unknown): name is string {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(IPC_METHODS, name);
}

/** What the IPC layer needs of the running server (ServerController provides it). */
export interface IpcBackend {
  /** The running server's admin operations; null while no server runs. */
  admin(): AdminService | null;
  /** A sentence saying why there is no server to ask (stopped, starting, failed to start). */
  unavailable(): string;
  /** Whether the window should show the first-run wizard. */
  setupNeeded(): boolean;
  /** The wizard finished. */
  setupCompleted(): void;
  /** Console events of whichever server runs, across restarts; returns the unsubscribe function. */
  subscribe(listener: (e: ConsoleEvent) => void): () => void;
}

export interface IpcLog {
  warn(source: string, message: string): void;
  error(source: string, message: string): void;
}

/** Only the app's own page (app://parley/…) may talk to the main process. */
export function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  return isAppUrl(event.senderFrame?.url);
}

function message(err: unknown): string {
  if (err instanceof UserFacingError) return err.message;
  const what = err instanceof Error ? err.message : String(err);
  return `Parley could not do that because of something it did not expect (${what}). The log has the details.`;
}

/** Run one call from the window: the method must be on the allow-list and the server must be running. */
export async function dispatchIpc(backend: IpcBackend, method: unknown, params: unknown, log?: IpcLog): Promise<IpcResult> {
  if (!isIpcMethod(method)) {
    return { ok: false, error: `The window asked for "${String(method)}", which is not something Parley offers.` };
  }
  try {
    const p = new CallParams(params);
    const api = backend.admin();
    if (!api) throw new IpcRefusal(backend.unavailable());
    const value = await IPC_METHODS[method](api, p);
    if (method === 'completeSetup') backend.setupCompleted();
    return { ok: true, value };
  } catch (err) {
    if (!(err instanceof UserFacingError)) log?.error('desktop', `${method} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    return { ok: false, error: message(err) };
  }
}

/** Register the handlers; returns the function that removes them (and ends open subscriptions). */
export function registerIpc(ipcMain: IpcMain, backend: IpcBackend, log?: IpcLog): () => void {
  const subscriptions = new Map<number, () => void>();
  const refuse = (event: IpcMainInvokeEvent, what: string): void => {
    log?.warn('desktop', `refused ${what} from ${event.senderFrame?.url ?? 'an unknown page'}`);
  };

  ipcMain.handle(CHANNELS.call, (event, method, params) => {
    if (!isTrustedSender(event)) {
      refuse(event, `a call of ${String(method)}`);
      return { ok: false, error: 'Only Parley’s own window may do that.' } satisfies IpcResult;
    }
    return dispatchIpc(backend, method, params, log);
  });

  const onSetupNeeded = (event: IpcMainEvent): void => {
    if (!isTrustedSender(event)) {
      refuse(event, 'a setup question');
      event.returnValue = false;
      return;
    }
    event.returnValue = backend.setupNeeded();
  };

  const unsubscribe = (contents: WebContents): void => {
    const off = subscriptions.get(contents.id);
    subscriptions.delete(contents.id);
    off?.();
  };
  const onSubscribe = (event: IpcMainEvent): void => {
    if (!isTrustedSender(event)) {
      refuse(event, 'a subscription');
      return;
    }
    const contents = event.sender;
    if (subscriptions.has(contents.id)) return;
    subscriptions.set(contents.id, backend.subscribe((e) => {
      if (!contents.isDestroyed()) contents.send(CHANNELS.event, e);
    }));
    contents.once('destroyed', () => unsubscribe(contents));
  };
  const onUnsubscribe = (event: IpcMainEvent): void => unsubscribe(event.sender);

  ipcMain.on(CHANNELS.setupNeeded, onSetupNeeded);
  ipcMain.on(CHANNELS.subscribe, onSubscribe);
  ipcMain.on(CHANNELS.unsubscribe, onUnsubscribe);

  return () => {
    ipcMain.removeHandler(CHANNELS.call);
    ipcMain.removeListener(CHANNELS.setupNeeded, onSetupNeeded);
    ipcMain.removeListener(CHANNELS.subscribe, onSubscribe);
    ipcMain.removeListener(CHANNELS.unsubscribe, onUnsubscribe);
    for (const off of subscriptions.values()) off();
    subscriptions.clear();
  };
}
