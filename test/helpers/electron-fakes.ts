// Stand-ins for the Electron objects that main/ takes injected: they record what was done to them and let a test
// fire the events Electron would. No Electron is needed (nor installed) to run the tests of main/.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import path from 'node:path';
import type {
  App, BrowserWindow, BrowserWindowOptions, ElectronEvent, IpcMain, IpcMainEvent, IpcMainInvokeEvent, LoginItemSettings, Menu,
  MenuItemOptions, MenuModule, NativeImage, NativeImageModule, PermissionCheckHandler, PermissionRequestHandler, Session, Shell, Tray,
  WebContents, WindowOpenDetails,
} from '../../main/electron-api.js';

export class FakeEvent implements ElectronEvent {
  defaultPrevented = false;
  constructor(readonly url?: string) {}
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeSession implements Session {
  requestHandler: PermissionRequestHandler | null = null;
  checkHandler: PermissionCheckHandler | null = null;
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.requestHandler = handler;
  }
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    this.checkHandler = handler;
  }
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter implements WebContents {
  readonly id = nextContentsId++;
  readonly session = new FakeSession();
  openHandler: ((details: WindowOpenDetails) => { action: 'deny' } | { action: 'allow' }) | null = null;
  sent: { channel: string; args: unknown[] }[] = [];
  destroyed = false;

  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'deny' } | { action: 'allow' }): void {
    this.openHandler = handler;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('destroyed');
  }
  /** Fire will-navigate (or another navigation event) as Electron does; returns the event to look at. */
  navigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): FakeEvent {
    const e = new FakeEvent(url);
    this.emit(event, e, url);
    return e;
  }
}

export class FakeShell implements Shell {
  opened: string[] = [];
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
}

export class FakeBrowserWindow extends EventEmitter implements BrowserWindow {
  static created: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: string[] = [];
  shown = 0;
  focused = 0;
  restored = 0;
  minimized = false;
  destroyed = false;

  constructor(readonly options: BrowserWindowOptions) {
    super();
    FakeBrowserWindow.created.push(this);
  }
  async loadURL(url: string): Promise<void> {
    this.loaded.push(url);
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  show(): void {
    this.shown++;
  }
  focus(): void {
    this.focused++;
  }
  restore(): void {
    this.restored++;
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  /** The person closes the window: Electron emits close, then destroys it and emits closed. */
  close(): void {
    const e = new FakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return;
    this.destroyed = true;
    this.webContents.destroy();
    this.emit('closed');
  }
}

type InvokeListener = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;
type EventListener = (event: IpcMainEvent, ...args: unknown[]) => void;

export class FakeIpcMain implements IpcMain {
  handlers = new Map<string, InvokeListener>();
  listeners = new Map<string, Set<EventListener>>();

  handle(channel: string, listener: InvokeListener): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, listener);
  }
  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
  on(channel: string, listener: EventListener): this {
    if (!this.listeners.has(channel)) this.listeners.set(channel, new Set());
    this.listeners.get(channel)!.add(listener);
    return this;
  }
  removeListener(channel: string, listener: EventListener): this {
    this.listeners.get(channel)?.delete(listener);
    return this;
  }
  /** ipcRenderer.invoke as the page would call it. */
  async invoke(sender: FakeWebContents, frameUrl: string | null, channel: string, ...args: unknown[]): Promise<unknown> {
    const h = this.handlers.get(channel);
    if (!h) throw new Error(`No handler registered for '${channel}'`);
    return h({ sender, senderFrame: frameUrl === null ? null : { url: frameUrl } }, ...args);
  }
  /** ipcRenderer.send / sendSync; returns returnValue. */
  send(sender: FakeWebContents, frameUrl: string | null, channel: string, ...args: unknown[]): unknown {
    const event: IpcMainEvent = { sender, senderFrame: frameUrl === null ? null : { url: frameUrl }, returnValue: undefined };
    for (const l of this.listeners.get(channel) ?? []) l(event, ...args);
    return event.returnValue;
  }
  channels(): string[] {
    return [...this.handlers.keys(), ...[...this.listeners].filter(([, s]) => s.size > 0).map(([c]) => c)].sort();
  }
}

export class FakeNativeImage implements NativeImage {
  representations: { scaleFactor: number; dataURL: string }[] = [];
  template = false;
  constructor(readonly dataURL: string) {}
  isEmpty(): boolean {
    return !this.dataURL.startsWith('data:image/png;base64,');
  }
  setTemplateImage(on: boolean): void {
    this.template = on;
  }
  addRepresentation(r: { scaleFactor: number; dataURL: string }): void {
    this.representations.push(r);
  }
}

export const fakeNativeImage: NativeImageModule = {
  createFromDataURL: (dataURL) => new FakeNativeImage(dataURL),
};

export class FakeMenu implements Menu {
  constructor(readonly template: MenuItemOptions[]) {}
}

export class FakeMenuModule implements MenuModule {
  applicationMenu: Menu | null | undefined = undefined;
  buildFromTemplate(template: MenuItemOptions[]): FakeMenu {
    return new FakeMenu(template);
  }
  setApplicationMenu(menu: Menu | null): void {
    this.applicationMenu = menu;
  }
}

export class FakeTray extends EventEmitter implements Tray {
  static created: FakeTray[] = [];
  tooltip = '';
  menu: FakeMenu | null = null;
  destroyed = false;
  constructor(public image: NativeImage) {
    super();
    FakeTray.created.push(this);
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: Menu | null): void {
    this.menu = menu as FakeMenu | null;
  }
  setImage(image: NativeImage): void {
    this.image = image;
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The menu item with this label. */
  item(label: string): MenuItemOptions {
    const found = this.menu?.template.find((i) => i.label === label);
    if (!found) throw new Error(`no menu item "${label}" in ${JSON.stringify(this.menu?.template.map((i) => i.label ?? i.type))}`);
    return found;
  }
}

/** app: events as Electron fires them, quit() going through before-quit as Electron's does. */
export class FakeApp extends EventEmitter implements App {
  isPackaged = false;
  lock = true;
  quitCalls = 0;
  /** Set once a quit went through (no before-quit listener prevented it). */
  quitted = false;
  exitCode: number | null = null;
  loginItem: LoginItemSettings = { openAtLogin: false };
  loginItemArgs: string[] | undefined;
  /** Electron's userData folder (where desktop.json goes). */
  userData = path.join(os.tmpdir(), `parley-fake-userdata-${process.pid}`);
  private readyResolve!: () => void;
  private readonly readyPromise = new Promise<void>((resolve) => (this.readyResolve = resolve));

  whenReady(): Promise<void> {
    return this.readyPromise;
  }
  /** Electron's 'ready'. */
  ready(): void {
    this.readyResolve();
  }
  quit(): void {
    this.quitCalls++;
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) {
      this.quitted = true;
      this.emit('will-quit', new FakeEvent());
    }
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
  requestSingleInstanceLock(): boolean {
    return this.lock;
  }
  getPath(): string {
    return this.userData;
  }
  getAppPath(): string {
    return '/nonexistent/app';
  }
  getLoginItemSettings(): LoginItemSettings {
    return this.loginItem;
  }
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void {
    this.loginItem = { openAtLogin: settings.openAtLogin };
    this.loginItemArgs = settings.args;
  }
}
