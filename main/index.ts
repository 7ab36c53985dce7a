// The Electron main process: loads Electron and wires the pieces of main/ together. Everything with behaviour is
// in those pieces (each takes its Electron objects injected, so it is tested without Electron); this file only
// connects them. Started by `npm start` (main/launch.ts) or by the packaged app.
import { Logger } from '../server/core/log.js';
import { guardUnhandledRejections } from '../server/core/process-guard.js';
import { UserFacingError } from '../server/core/user-error.js';
import { registerAppScheme, serveApp } from './app-protocol.js';
import { appMenuTemplate } from './app-menu.js';
import { desktopOptions, userArgs, type DesktopOptions } from './desktop-options.js';
import { DesktopStateFile } from './desktop-state.js';
import type { ElectronMain } from './electron-api.js';
import { registerIpc } from './ipc.js';
import { lifecycle, type Lifecycle } from './lifecycle.js';
import { loginItemToggle, startedAtLogin } from './login-item.js';
import { denyPermissions, hardenWebContents } from './security.js';
import { launchFromDataDir, ServerController } from './server-controller.js';
import { createTray } from './tray.js';
import { windowIcon } from './tray-icons.js';
import { MainWindow } from './window.js';

/** 'electron' through a variable: its typings are not always installed (it is an optional dependency). */
async function loadElectron(): Promise<ElectronMain> {
  const name = 'electron';
  const mod = (await import(name)) as Partial<ElectronMain> & { default?: ElectronMain };
  return mod.app ? (mod as ElectronMain) : mod.default!;
}

const electron = await loadElectron();
const { app, BrowserWindow, Menu, Notification, Tray, dialog, ipcMain, nativeImage, protocol, session, shell } = electron;
const platform = process.platform;

// Before 'ready': app:// must be privileged before any page loads.
registerAppScheme(protocol);

let options: DesktopOptions | null = null;
try {
  options = desktopOptions(userArgs(process.argv, app.isPackaged));
} catch (err) {
  dialog.showErrorBox('Parley cannot start', err instanceof UserFacingError ? err.message : String(err));
  app.exit(2);
}

if (options) {
  const opts = options;
  const logger = new Logger('info');
  guardUnhandledRejections((m) => logger.error('process', m));
  const controller = new ServerController(launchFromDataDir(opts.dataDir, opts.overrides, logger), logger);
  const state = DesktopStateFile.inDir(app.getPath('userData'));
  const window = new MainWindow({ BrowserWindow, shell, devTools: !app.isPackaged, icon: nativeImage.createFromDataURL(windowIcon), log: logger });
  const command = app.isPackaged ? [process.env.APPIMAGE || process.execPath] : [process.execPath, app.getAppPath()];
  const loginItem = loginItemToggle({ app, platform, env: process.env, command, log: logger });
  const blocked = (what: string, url: string): void => logger.warn('desktop', `blocked a ${what}${url ? ` to ${url}` : ''}`);
  let life: Lifecycle | null = null;

  life = lifecycle(app, {
    controller,
    window,
    startHidden: opts.hidden || startedAtLogin(process.argv, platform, app),
    log: logger,
    harden: (contents) => hardenWebContents(contents, shell, blocked),
    notify: (title, body) => {
      if (Notification.isSupported()) new Notification({ title, body }).show();
    },
    closeNotice: { shown: () => state.get('closeNoticeShown'), markShown: () => state.set('closeNoticeShown', true) },
    onReady: () => {
      app.setAppUserModelId?.('org.parley.app');
      serveApp(protocol);
      denyPermissions(session.defaultSession);
      registerIpc(ipcMain, controller, logger);
      const menu = appMenuTemplate(platform);
      Menu.setApplicationMenu(menu ? Menu.buildFromTemplate(menu) : null);
    },
    createTray: () => createTray({
      Tray, Menu, nativeImage, platform, loginItem,
      snapshot: () => controller.snapshot(),
      actions: {
        open: () => life?.show(),
        start: () => void controller.start(),
        stop: () => void controller.stop(),
        restart: () => void controller.restart(),
        quit: () => app.quit(),
      },
    }),
  });

  if (life.primary) {
    // Ctrl+C in the terminal of `npm start`, or the session ending: quit the same way as from the tray.
    process.once('SIGINT', () => app.quit());
    process.once('SIGTERM', () => app.quit());
    life.ready.catch((err: unknown) => {
      logger.error('desktop', `startup failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      dialog.showErrorBox('Parley cannot start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
  }
}
