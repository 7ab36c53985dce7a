// The window's preload: exposes window.parley, a fixed allow-list of console calls over ipcRenderer.invoke, and
// nothing else (no ipcRenderer, no Node). It is a CommonJS script because Electron runs sandboxed preloads as
// plain scripts, whose require() knows only 'electron' and a few built-ins: so it imports no file of its own, and
// keeps its own copy of the allow-list and the channel names (test/unit/main-preload.test.ts checks that they
// equal main/ipc.ts's).
import type { ConsoleEvent } from '../server/admin/console-api.js' with { 'resolution-mode': 'import' };

interface IpcRendererEvent { readonly senderId?: number }
interface PreloadElectron {
  contextBridge: { exposeInMainWorld(key: string, api: unknown): void };
  ipcRenderer: {
    invoke(channel: string, ...args: unknown[]): Promise<unknown>;
    sendSync(channel: string, ...args: unknown[]): unknown;
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): unknown;
  };
}

const { contextBridge, ipcRenderer } = require('electron') as PreloadElectron;

const CALL = 'parley:call';
const SUBSCRIBE = 'parley:subscribe';
const UNSUBSCRIBE = 'parley:unsubscribe';
const EVENT = 'parley:event';
const SETUP_NEEDED = 'parley:setup-needed';

/** The calls the console may make: AdminApi's (ADMIN_METHODS) and the console's own, sorted. */
const METHODS: readonly string[] = Object.freeze([
  'addUser',
  'announce',
  'certificate',
  'completeSetup',
  'configureRoom',
  'createInvite',
  'createRoom',
  'destroyRoom',
  'disableUser',
  'enableUser',
  'getRoom',
  'getSettings',
  'kickOccupant',
  'kickSession',
  'listInvites',
  'listRooms',
  'listSessions',
  'listUsers',
  'networkCheck',
  'overview',
  'recentLogs',
  'removeUser',
  'revokeInvite',
  'setAdmin',
  'setPassword',
  'setRoomAffiliation',
  'setSettings',
  'setupInfo',
  'status',
]);

async function call(method: unknown, params?: unknown): Promise<unknown> {
  if (typeof method !== 'string' || !METHODS.includes(method)) {
    throw new Error(`The window asked for "${String(method)}", which is not something Parley offers.`);
  }
  const result = await ipcRenderer.invoke(CALL, method, params ?? {}) as { ok: boolean; value?: unknown; error?: string } | undefined;
  if (!result || result.ok !== true) throw new Error(result?.error ?? 'Parley did not answer.');
  return result.value;
}

const listeners = new Set<(e: ConsoleEvent) => void>();
const forward = (_event: IpcRendererEvent, e: unknown): void => {
  for (const l of listeners) {
    try {
      l(e as ConsoleEvent);
    } catch {
      // One page's failing listener does not stop the others.
    }
  }
};

/** Live console events; the main process is subscribed while at least one listener is. */
function onEvent(listener: unknown): () => void {
  if (typeof listener !== 'function') throw new Error('onEvent needs a function.');
  const l = listener as (e: ConsoleEvent) => void;
  listeners.add(l);
  if (listeners.size === 1) {
    ipcRenderer.on(EVENT, forward);
    ipcRenderer.send(SUBSCRIBE);
  }
  let active = true;
  return () => {
    if (!active) return;
    active = false;
    listeners.delete(l);
    if (listeners.size === 0) {
      ipcRenderer.removeListener(EVENT, forward);
      ipcRenderer.send(UNSUBSCRIBE);
    }
  };
}

contextBridge.exposeInMainWorld('parley', {
  methods: METHODS,
  call,
  onEvent,
  // Asked once per page load, answered from the main process's cached state (no server round trip).
  setupNeeded: ipcRenderer.sendSync(SETUP_NEEDED) === true,
});
