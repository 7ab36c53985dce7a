// What `import('electron')` gives main/index.js in test/unit/main-index.test.ts (through electron-loader-hooks.ts):
// the stand-ins of electron-fakes.ts as the module's exports, one instance each, for the test to drive.
import type { CustomScheme } from '../../main/electron-api.js';
import { FakeApp, FakeBrowserWindow, FakeIpcMain, FakeMenuModule, FakeSession, FakeShell, FakeTray, fakeNativeImage } from './electron-fakes.js';

export const app = new FakeApp();
export const BrowserWindow = FakeBrowserWindow;
export const Tray = FakeTray;
export const Menu = new FakeMenuModule();
export const nativeImage = fakeNativeImage;
export const ipcMain = new FakeIpcMain();
export const shell = new FakeShell();
export const session = { defaultSession: new FakeSession() };

export class Notification {
  static shown: { title: string; body: string }[] = [];
  constructor(private readonly options: { title: string; body: string }) {}
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    Notification.shown.push({ title: this.options.title, body: this.options.body });
  }
}

export const dialog = {
  errors: [] as { title: string; content: string }[],
  showErrorBox(title: string, content: string): void {
    this.errors.push({ title, content });
  },
};

export const protocol = {
  privileged: [] as CustomScheme[],
  handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
  /** Whether app.ready() had been called when each call came. */
  calls: [] as string[],
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    this.calls.push('registerSchemesAsPrivileged');
    this.privileged.push(...schemes);
  },
  handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void {
    this.calls.push(`handle:${scheme}`);
    this.handlers.set(scheme, handler);
  },
};
