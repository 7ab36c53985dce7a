// "Start Parley at login": Electron's login items on macOS and Windows; on Linux, where Electron has none, an XDG
// autostart entry (~/.config/autostart/parley.desktop). Started at login, Parley opens no window, only the tray.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { App } from './electron-api.js';
import type { LoginItemToggle } from './tray.js';

/** Given to the app when the OS starts it at login (Windows, Linux): start in the tray, without the window. */
export const HIDDEN_FLAG = '--hidden';

export interface LoginItemDeps {
  app: Pick<App, 'getLoginItemSettings' | 'setLoginItemSettings'>;
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** The command that starts this app: [executable, ...arguments] (the app folder too when unpackaged). */
  command: string[];
  log?: { warn(source: string, message: string): void };
}

/** Quote one Exec argument as the Desktop Entry spec wants it. */
export function desktopExecArg(arg: string): string {
  if (/^[A-Za-z0-9_\-./=:@%+,]+$/.test(arg)) return arg;
  return `"${arg.replace(/(["`$\\])/g, '\\$1')}"`;
}

export function autostartFile(env: NodeJS.ProcessEnv): string {
  const config = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(env.HOME ?? os.homedir(), '.config');
  return path.join(config, 'autostart', 'parley.desktop');
}

export function autostartEntry(command: string[]): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Parley',
    'Comment=Parley chat server',
    `Exec=${[...command, HIDDEN_FLAG].map(desktopExecArg).join(' ')}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export function loginItemToggle(deps: LoginItemDeps): LoginItemToggle | null {
  const { app, platform } = deps;
  if (platform === 'darwin') {
    return {
      get: () => app.getLoginItemSettings().openAtLogin,
      set: (on) => app.setLoginItemSettings({ openAtLogin: on }),
    };
  }
  if (platform === 'win32') {
    const args = [HIDDEN_FLAG];
    return {
      get: () => app.getLoginItemSettings({ args }).openAtLogin,
      set: (on) => app.setLoginItemSettings({ openAtLogin: on, args }),
    };
  }
  if (platform === 'linux') {
    const file = autostartFile(deps.env);
    return {
      get: () => fs.existsSync(file),
      set: (on) => {
        try {
          if (on) {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, autostartEntry(deps.command));
          } else {
            fs.rmSync(file, { force: true });
          }
        } catch (err) {
          deps.log?.warn('desktop', `could not change ${file}: ${err instanceof Error ? err.message : String(err)}`);
        }
      },
    };
  }
  return null;
}

/** Whether this start came from the login item (so no window opens). */
export function startedAtLogin(argv: readonly string[], platform: NodeJS.Platform, app: Pick<App, 'getLoginItemSettings'>): boolean {
  if (argv.includes(HIDDEN_FLAG)) return true;
  if (platform !== 'darwin') return false;
  try {
    return app.getLoginItemSettings().wasOpenedAtLogin === true;
  } catch {
    return false;
  }
}
