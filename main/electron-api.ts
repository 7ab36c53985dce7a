// The parts of Electron's main-process API that Parley uses, as structural types. Every piece of main/ takes these
// objects injected, so tests run with stand-ins and without Electron; only main/index.ts imports 'electron'. (The
// electron package is an optional dependency that may be missing, so its own typings cannot be relied on here.)

/** An Electron event: preventDefault() cancels what it announces (a navigation, a quit, a window close). */
export interface ElectronEvent {
  preventDefault(): void;
  readonly defaultPrevented?: boolean;
}

/** will-navigate / will-redirect / will-frame-navigate: Electron passes the URL on the event and as 2nd argument. */
export interface NavigationEvent extends ElectronEvent {
  readonly url?: string;
}

export interface WebFrameMain {
  readonly url: string;
}

export interface IpcMainInvokeEvent {
  readonly sender: WebContents;
  readonly senderFrame: WebFrameMain | null;
}

export interface IpcMainEvent extends IpcMainInvokeEvent {
  /** The answer to ipcRenderer.sendSync. */
  returnValue: unknown;
}

export interface IpcMain {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
  on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): unknown;
}

export interface WindowOpenDetails {
  readonly url: string;
}

export type PermissionRequestHandler = (webContents: WebContents | null, permission: string, callback: (granted: boolean) => void, details?: { requestingUrl?: string }) => void;
export type PermissionCheckHandler = (webContents: WebContents | null, permission: string, requestingOrigin: string) => boolean;

export interface Session {
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void;
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void;
}

export interface WebContents {
  readonly id: number;
  readonly session: Session;
  on(event: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', listener: (event: NavigationEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: ElectronEvent) => void): unknown;
  on(event: 'destroyed', listener: () => void): unknown;
  once(event: 'destroyed', listener: () => void): unknown;
  setWindowOpenHandler(handler: (details: WindowOpenDetails) => { action: 'deny' } | { action: 'allow' }): void;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface WebPreferences {
  preload: string;
  contextIsolation: boolean;
  sandbox: boolean;
  nodeIntegration: boolean;
  nodeIntegrationInWorker: boolean;
  nodeIntegrationInSubFrames: boolean;
  webSecurity: boolean;
  allowRunningInsecureContent: boolean;
  webviewTag: boolean;
  experimentalFeatures: boolean;
  navigateOnDragDrop: boolean;
  safeDialogs: boolean;
  spellcheck: boolean;
  devTools: boolean;
}

export interface BrowserWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  show: boolean;
  title: string;
  backgroundColor: string;
  autoHideMenuBar: boolean;
  icon?: NativeImage;
  webPreferences: WebPreferences;
}

export interface BrowserWindow {
  readonly webContents: WebContents;
  loadURL(url: string): Promise<void>;
  show(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isDestroyed(): boolean;
  once(event: 'ready-to-show', listener: () => void): unknown;
  on(event: 'close', listener: (event: ElectronEvent) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export type BrowserWindowConstructor = new (options: BrowserWindowOptions) => BrowserWindow;

export interface NativeImage {
  isEmpty(): boolean;
  setTemplateImage?(option: boolean): void;
  addRepresentation?(options: { scaleFactor: number; dataURL: string }): void;
}

export interface NativeImageModule {
  createFromDataURL(dataURL: string): NativeImage;
}

export interface MenuItemOptions {
  label?: string;
  type?: 'normal' | 'separator' | 'checkbox';
  role?: 'appMenu' | 'editMenu' | 'windowMenu';
  enabled?: boolean;
  checked?: boolean;
  submenu?: MenuItemOptions[];
  click?: () => void;
}

/** A built menu; main/ only hands it back to Electron. */
export type Menu = object;

export interface MenuModule {
  buildFromTemplate(template: MenuItemOptions[]): Menu;
  setApplicationMenu(menu: Menu | null): void;
}

export interface Tray {
  setToolTip(text: string): void;
  setContextMenu(menu: Menu | null): void;
  setImage(image: NativeImage): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export type TrayConstructor = new (image: NativeImage) => Tray;

export interface Notification {
  show(): void;
}

export interface NotificationConstructor {
  new (options: { title: string; body: string; silent?: boolean }): Notification;
  isSupported(): boolean;
}

export interface Shell {
  openExternal(url: string): Promise<void>;
}

export interface Dialog {
  showErrorBox(title: string, content: string): void;
}

export interface CustomScheme {
  scheme: string;
  privileges: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; corsEnabled?: boolean; codeCache?: boolean };
}

export interface Protocol {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
}

export interface LoginItemSettings {
  openAtLogin: boolean;
  wasOpenedAtLogin?: boolean;
}

export interface App {
  readonly isPackaged: boolean;
  on(event: 'before-quit' | 'will-quit', listener: (event: ElectronEvent) => void): unknown;
  on(event: 'window-all-closed' | 'activate', listener: () => void): unknown;
  on(event: 'second-instance', listener: (event: ElectronEvent, argv: string[]) => void): unknown;
  on(event: 'web-contents-created', listener: (event: ElectronEvent, contents: WebContents) => void): unknown;
  whenReady(): Promise<void>;
  quit(): void;
  exit(code?: number): void;
  requestSingleInstanceLock(): boolean;
  getPath(name: 'userData'): string;
  getAppPath(): string;
  getLoginItemSettings(options?: { args?: string[] }): LoginItemSettings;
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  setAppUserModelId?(id: string): void;
}

/** What main/index.ts takes from the 'electron' module. */
export interface ElectronMain {
  app: App;
  BrowserWindow: BrowserWindowConstructor;
  Tray: TrayConstructor;
  Menu: MenuModule;
  Notification: NotificationConstructor;
  nativeImage: NativeImageModule;
  ipcMain: IpcMain;
  protocol: Protocol;
  shell: Shell;
  dialog: Dialog;
  session: { defaultSession: Session };
}
