// The tray (Windows, Linux) or menu-bar (macOS) icon: shows whether the server runs, and offers Open, Stop/Start,
// Restart, Start at login and Quit. Its icon is grey (an outline on macOS) while the server is not running.
import type { MenuItemOptions, MenuModule, NativeImage, NativeImageModule, Tray, TrayConstructor } from './electron-api.js';
import type { ServerSnapshot } from './server-controller.js';
import * as images from './tray-icons.js';

export interface TrayActions {
  open(): void;
  start(): void;
  stop(): void;
  restart(): void;
  quit(): void;
}

/** Start at login, where the platform offers it; null hides the menu item. */
export interface LoginItemToggle {
  get(): boolean;
  set(on: boolean): void;
}

export interface TrayDeps {
  Tray: TrayConstructor;
  Menu: MenuModule;
  nativeImage: NativeImageModule;
  platform: NodeJS.Platform;
  snapshot(): ServerSnapshot;
  actions: TrayActions;
  loginItem: LoginItemToggle | null;
}

/** One line for the tooltip and the menu's first (disabled) item. */
export function statusText(s: ServerSnapshot): string {
  switch (s.state) {
    case 'starting': return 'Parley is starting…';
    case 'stopping': return 'Parley is stopping…';
    case 'running': {
      const online = s.onlineSessions === 1 ? '1 connection' : `${s.onlineSessions} connections`;
      return `Parley is running for ${s.domain ?? '?'} (${online})`;
    }
    case 'stopped': return s.error ? `Parley could not start: ${s.error}` : 'Parley is stopped';
  }
}

/** Menu labels are one short line; long errors are cut (the window and the log have them in full). */
function short(text: string, max = 90): string {
  return text.length > max ? text.slice(0, max - 1) + '…' : text;
}

export function trayMenuTemplate(s: ServerSnapshot, actions: TrayActions, loginItem: LoginItemToggle | null): MenuItemOptions[] {
  const busy = s.state === 'starting' || s.state === 'stopping';
  const items: MenuItemOptions[] = [
    { label: short(statusText(s)), enabled: false },
    { type: 'separator' },
    { label: 'Open Parley', click: actions.open },
    s.state === 'running'
      ? { label: 'Stop server', click: actions.stop }
      : { label: 'Start server', enabled: !busy, click: actions.start },
    { label: 'Restart server', enabled: s.state === 'running', click: actions.restart },
  ];
  if (loginItem) {
    items.push({ type: 'separator' });
    items.push({ label: 'Start Parley at login', type: 'checkbox', checked: loginItem.get(), click: () => loginItem.set(!loginItem.get()) });
  }
  items.push({ type: 'separator' }, { label: 'Quit Parley', click: actions.quit });
  return items;
}

export function trayImage(nativeImage: NativeImageModule, platform: NodeJS.Platform, running: boolean): NativeImage {
  const mac = platform === 'darwin';
  const set = mac ? (running ? images.templateRunning : images.templateStopped) : (running ? images.running : images.stopped);
  const image = nativeImage.createFromDataURL(set.x1);
  image.addRepresentation?.({ scaleFactor: 2, dataURL: set.x2 });
  if (mac) image.setTemplateImage?.(true);
  return image;
}

export interface ParleyTray {
  readonly tray: Tray;
  /** Redraw icon, tooltip and menu from the current snapshot. */
  update(): void;
  destroy(): void;
}

export function createTray(deps: TrayDeps): ParleyTray {
  let running = deps.snapshot().state === 'running';
  const tray = new deps.Tray(trayImage(deps.nativeImage, deps.platform, running));
  const update = (): void => {
    const s = deps.snapshot();
    if ((s.state === 'running') !== running) {
      running = s.state === 'running';
      tray.setImage(trayImage(deps.nativeImage, deps.platform, running));
    }
    tray.setToolTip(statusText(s));
    tray.setContextMenu(deps.Menu.buildFromTemplate(trayMenuTemplate(s, deps.actions, deps.loginItem)));
  };
  // A click opens the window on Windows and Linux; on macOS a click shows the menu.
  if (deps.platform !== 'darwin') tray.on('click', () => deps.actions.open());
  update();
  return { tray, update, destroy: () => tray.destroy() };
}
