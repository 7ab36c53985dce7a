// The one window: the setup wizard and the admin console (dist/renderer) from the app:// scheme, with the
// security checklist's web preferences. Closing it only closes the window; the server keeps running.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserWindow, BrowserWindowConstructor, BrowserWindowOptions, NativeImage, Shell } from './electron-api.js';
import { APP_START_URL, hardenWebContents, webPreferences } from './security.js';

/** dist/main/preload.cjs, next to this file. */
export const PRELOAD_PATH = path.join(path.dirname(fileURLToPath(import.meta.url)), 'preload.cjs');

export function mainWindowOptions(opts: { preload: string; devTools: boolean; icon?: NativeImage }): BrowserWindowOptions {
  const o: BrowserWindowOptions = {
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'Parley',
    backgroundColor: '#f6f7f9',
    autoHideMenuBar: true,
    webPreferences: webPreferences(opts.preload, { devTools: opts.devTools }),
  };
  if (opts.icon) o.icon = opts.icon;
  return o;
}

export interface WindowDeps {
  BrowserWindow: BrowserWindowConstructor;
  shell: Shell;
  preload?: string;
  /** DevTools only in development (an unpackaged app). */
  devTools: boolean;
  icon?: NativeImage;
  startUrl?: string;
  log?: { warn(source: string, message: string): void };
}

/** Creates the window on demand and brings it forward; at most one exists. Emits 'closed' when it is closed. */
export class MainWindow extends EventEmitter<{ closed: [] }> {
  private win: BrowserWindow | null = null;

  constructor(private readonly deps: WindowDeps) {
    super();
  }

  get window(): BrowserWindow | null {
    return this.win && !this.win.isDestroyed() ? this.win : null;
  }

  /** Show the window, making it if it was closed, and give it focus (tray "Open", second instance, dock). */
  show(): BrowserWindow {
    const existing = this.window;
    if (existing) {
      if (existing.isMinimized()) existing.restore();
      existing.show();
      existing.focus();
      return existing;
    }
    const { deps } = this;
    const win = new deps.BrowserWindow(mainWindowOptions({ preload: deps.preload ?? PRELOAD_PATH, devTools: deps.devTools, icon: deps.icon }));
    this.win = win;
    hardenWebContents(win.webContents, deps.shell, (what, url) => deps.log?.warn('desktop', `blocked a ${what}${url ? ` to ${url}` : ''}`));
    win.once('ready-to-show', () => {
      win.show();
      win.focus();
    });
    win.on('closed', () => {
      if (this.win === win) this.win = null;
      this.emit('closed');
    });
    win.loadURL(deps.startUrl ?? APP_START_URL).catch((err: unknown) => {
      deps.log?.warn('desktop', `the window could not load: ${err instanceof Error ? err.message : String(err)}`);
    });
    return win;
  }
}
