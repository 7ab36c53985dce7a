// The desktop app's life: one instance per user (a second start brings the window forward), the server started
// once Electron is ready, the window closed without stopping the server (said once, in a notification), and a
// quit that waits for the server to stop gracefully (<system-shutdown/> to every stream, stores flushed).
import type { App, WebContents } from './electron-api.js';
import type { ServerController } from './server-controller.js';
import type { ParleyTray } from './tray.js';

/** How long a quit waits for the server to stop before it gives up waiting. */
export const STOP_TIMEOUT_MS = 15_000;

export const CLOSE_NOTICE = {
  title: 'Parley is still running',
  body: 'Closing the window leaves the chat server running for your devices. Open Parley again, stop the server or quit from the Parley icon in the tray or menu bar.',
};

export interface WindowLike {
  show(): unknown;
  on(event: 'closed', listener: () => void): unknown;
}

export interface LifecycleDeps {
  controller: Pick<ServerController, 'start' | 'stop' | 'snapshot' | 'on'>;
  window: WindowLike;
  /** Made once the app is ready. */
  createTray(): ParleyTray;
  /** Everything that must wait for 'ready': the app:// handler, permission handlers, IPC, the app menu. */
  onReady?(): void;
  /** Applied to every web contents the app creates (navigation, new windows, webviews). */
  harden(contents: WebContents): void;
  /** A desktop notification (when the platform has them). */
  notify(title: string, body: string): void;
  closeNotice: { shown(): boolean; markShown(): void };
  /** Started at login: stay in the tray until asked for the window. */
  startHidden: boolean;
  log?: { info(source: string, message: string): void; warn(source: string, message: string): void };
  stopTimeoutMs?: number;
}

export interface Lifecycle {
  /** False when another instance already runs: this one has asked to quit and does nothing else. */
  readonly primary: boolean;
  /** Resolves once the app is ready, the tray made and the first server start attempted. */
  readonly ready: Promise<void>;
  quitting(): boolean;
  /** Show the window, or as soon as the first server start has been attempted (tray "Open", second instance). */
  show(): void;
}

export function lifecycle(app: App, deps: LifecycleDeps): Lifecycle {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, ready: Promise.resolve(), quitting: () => true, show: () => undefined };
  }
  let isReady = false;
  let showWhenReady = !deps.startHidden;
  let quit: 'no' | 'stopping' | 'done' = 'no';
  let tray: ParleyTray | null = null;

  const show = (): void => {
    if (isReady) deps.window.show();
    else showWhenReady = true;
  };

  // A second start (from the menu, a launcher, a desktop file) only brings this instance's window forward.
  app.on('second-instance', () => show());
  // macOS: clicking the Dock icon.
  app.on('activate', () => show());
  app.on('web-contents-created', (_event, contents) => deps.harden(contents));
  // Without a listener Electron quits when the last window closes; Parley stays in the tray instead.
  app.on('window-all-closed', () => undefined);

  deps.window.on('closed', () => {
    if (quit !== 'no' || deps.closeNotice.shown()) return;
    deps.closeNotice.markShown();
    deps.notify(CLOSE_NOTICE.title, CLOSE_NOTICE.body);
  });

  app.on('before-quit', (event) => {
    if (quit === 'done') return;
    event.preventDefault();
    if (quit === 'stopping') return;
    quit = 'stopping';
    deps.log?.info('desktop', 'quitting: stopping the server');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        deps.log?.warn('desktop', 'the server did not stop in time; quitting anyway');
        resolve();
      }, deps.stopTimeoutMs ?? STOP_TIMEOUT_MS);
    });
    void Promise.race([deps.controller.stop(), timeout]).finally(() => {
      clearTimeout(timer);
      quit = 'done';
      tray?.destroy();
      tray = null;
      app.quit();
    });
  });

  const ready = app.whenReady().then(async () => {
    deps.onReady?.();
    tray = deps.createTray();
    deps.controller.on('change', () => tray?.update());
    await deps.controller.start();
    if (quit !== 'no') return;
    isReady = true;
    const s = deps.controller.snapshot();
    if (s.state !== 'running' && s.error) deps.notify('Parley could not start its server', s.error);
    if (showWhenReady) deps.window.show();
  });

  return { primary: true, ready, quitting: () => quit !== 'no', show };
}
