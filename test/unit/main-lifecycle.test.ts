// The desktop app's life with stand-ins for Electron and a real Parley server (temp data folder, loopback,
// ephemeral ports): one instance, closing the window keeps the server running, quitting stops it gracefully
// (a connected client gets <system-shutdown/>), the tray's Stop/Start, a start that fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError } from '../../server/core/config.js';
import { Logger } from '../../server/core/log.js';
import { dispatchIpc } from '../../main/ipc.js';
import { CLOSE_NOTICE, lifecycle, type Lifecycle } from '../../main/lifecycle.js';
import { ServerController, type LaunchServer, type RunningServer } from '../../main/server-controller.js';
import { hardenWebContents } from '../../main/security.js';
import { createTray, type ParleyTray } from '../../main/tray.js';
import { MainWindow } from '../../main/window.js';
import { FakeApp, FakeBrowserWindow, FakeEvent, FakeMenuModule, FakeShell, FakeTray, fakeNativeImage } from '../helpers/electron-fakes.js';
import { login, until, withTimeout } from '../helpers/raw-client.js';
import { startServer, type TestServer } from '../helpers/server.js';

const quiet = new Logger('error', null);

interface Desktop {
  app: FakeApp;
  life: Lifecycle;
  controller: ServerController;
  window: MainWindow;
  notes: { title: string; body: string }[];
  launches: number;
  servers: TestServer[];
  tray(): FakeTray;
  /** Resolves when a quit has gone all the way through. */
  quitted(): Promise<void>;
}

function desktop(opts: { lock?: boolean; startHidden?: boolean; launch?: LaunchServer; stopTimeoutMs?: number; noticeShown?: boolean } = {}): Desktop {
  const app = new FakeApp();
  app.lock = opts.lock ?? true;
  const servers: TestServer[] = [];
  const d = { launches: 0 } as Desktop;
  const launch: LaunchServer = opts.launch ?? (async () => {
    const s = await startServer({}, servers.length > 0 ? { dataDir: servers[0].dataDir } : {});
    servers.push(s);
    return s.server;
  });
  const controller = new ServerController(async () => {
    d.launches++;
    return launch();
  }, quiet);
  const shell = new FakeShell();
  const window = new MainWindow({ BrowserWindow: FakeBrowserWindow, shell, devTools: false });
  const notes: { title: string; body: string }[] = [];
  let noticeShown = opts.noticeShown ?? false;
  let tray: ParleyTray | null = null;
  const life: Lifecycle = lifecycle(app, {
    controller,
    window,
    startHidden: opts.startHidden ?? false,
    harden: (contents) => hardenWebContents(contents, shell),
    notify: (title, body) => notes.push({ title, body }),
    closeNotice: { shown: () => noticeShown, markShown: () => { noticeShown = true; } },
    stopTimeoutMs: opts.stopTimeoutMs,
    createTray: () => (tray = createTray({
      Tray: FakeTray, Menu: new FakeMenuModule(), nativeImage: fakeNativeImage, platform: 'linux', loginItem: null,
      snapshot: () => controller.snapshot(),
      actions: {
        open: () => life.show(),
        start: () => void controller.start(),
        stop: () => void controller.stop(),
        restart: () => void controller.restart(),
        quit: () => app.quit(),
      },
    })),
  });
  return Object.assign(d, {
    app, life, controller, window, notes, servers,
    tray: () => tray!.tray as FakeTray,
    quitted: () => withTimeout(new Promise<void>((resolve) => {
      if (app.quitted) resolve();
      else app.once('will-quit', () => resolve());
    }), 20_000, 'the app to quit'),
  });
}

/** A desktop, ready, whose server runs with an account `user` (password `<user>-password`) logged in to it. */
async function runningWithClient(user: string): Promise<{ d: Desktop; s: TestServer; client: Awaited<ReturnType<typeof login>> }> {
  FakeBrowserWindow.created = [];
  const d = desktop();
  d.app.ready();
  await d.life.ready;
  const s = d.servers[0];
  await s.addUser(user, `${user}-password`);
  return { d, s, client: await login(s.c2sPort, s.caPem, user, `${user}-password`) };
}

test('a second instance quits at once and starts nothing; the first brings its window forward when started again', async () => {
  FakeBrowserWindow.created = [];
  const second = desktop({ lock: false });
  assert.equal(second.life.primary, false);
  assert.equal(second.app.quitCalls, 1);
  second.app.ready();
  await second.life.ready;
  await new Promise((r) => setImmediate(r));
  assert.equal(second.launches, 0, 'no server');
  assert.equal(FakeBrowserWindow.created.length, 0, 'no window');

  const first = desktop({ startHidden: true });
  assert.equal(first.life.primary, true);
  first.app.emit('second-instance', new FakeEvent(), ['parley']);
  assert.equal(FakeBrowserWindow.created.length, 0, 'not before the app is ready');
  first.app.ready();
  await first.life.ready;
  assert.equal(FakeBrowserWindow.created.length, 1, 'started hidden, but the second start asked for the window');
  const win = FakeBrowserWindow.created[0];
  win.minimized = true;
  first.app.emit('second-instance', new FakeEvent(), ['parley']);
  assert.equal(FakeBrowserWindow.created.length, 1, 'the same window');
  assert.equal(win.restored, 1);
  assert.ok(win.focused >= 1);
  first.app.quit();
  await first.quitted();
});

test('closing the window keeps the server running (and says so once); the window comes back from the tray', async () => {
  const { d, client } = await runningWithClient('alice');
  const win = FakeBrowserWindow.created[0];
  assert.ok(win, 'the window opened after the server started');

  win.close();
  d.app.emit('window-all-closed');
  assert.equal(d.app.quitCalls, 0, 'no quit');
  assert.equal(d.controller.state, 'running');
  await client.ping();
  assert.deepEqual(d.notes, [CLOSE_NOTICE]);

  d.tray().item('Open Parley').click!();
  assert.equal(FakeBrowserWindow.created.length, 2);
  FakeBrowserWindow.created[1].close();
  d.app.emit('window-all-closed');
  assert.equal(d.notes.length, 1, 'told once');
  await client.ping();

  d.app.quit();
  await client.expectStreamError('system-shutdown');
  await d.quitted();
});

test('quitting stops the server gracefully: clients get system-shutdown, data is on disk, the folder is unlocked', async () => {
  const { d, s, client: bound } = await runningWithClient('bob');
  // Through IPC, as the window would: an account made just before quitting must survive it.
  assert.deepEqual(await dispatchIpc(d.controller, 'addUser', { user: 'carol', password: 'carol-password' }), { ok: true, value: { jid: 'carol@test.local' } });
  const shutdown = bound.expectStreamError('system-shutdown');

  d.tray().item('Quit Parley').click!();
  assert.equal(d.app.quitted, false, 'the first quit waits for the server');
  await shutdown;
  await d.quitted();
  assert.equal(d.app.quitCalls, 2, 'quit again once the server stopped');
  assert.equal(d.controller.state, 'stopped');
  assert.equal(d.tray().destroyed, true);
  assert.equal(d.notes.length, 0, 'no close notice while quitting');

  // The data folder is unlocked and holds both accounts.
  const again = await startServer({}, { dataDir: s.dataDir });
  try {
    const users = (await again.server.admin!.listUsers()).map((u) => u.jid).sort();
    assert.deepEqual(users, ['bob@test.local', 'carol@test.local']);
  } finally {
    await again.stop();
  }
});

test('the tray stops and starts the server; the window’s calls follow the new server', async () => {
  const { d, client } = await runningWithClient('dave');
  assert.match(d.tray().tooltip, /^Parley is running for test\.local/);
  const shutdown = client.expectStreamError('system-shutdown');
  d.tray().item('Stop server').click!();
  await shutdown;
  await until('stopped', () => d.controller.state === 'stopped', 10_000);
  assert.equal(d.tray().tooltip, 'Parley is stopped');
  const stopped = await dispatchIpc(d.controller, 'status', {});
  assert.equal(stopped.ok, false);
  assert.match((stopped as { error: string }).error, /stopped/);

  d.tray().item('Start server').click!();
  await until('running again', () => d.controller.state === 'running', 10_000);
  assert.equal(d.launches, 2);
  const status = await dispatchIpc(d.controller, 'status', {});
  assert.equal(status.ok, true);
  assert.equal((status as { value: { running: boolean } }).value.running, true);
  const again = await login(d.servers[1].c2sPort, d.servers[1].caPem, 'dave', 'dave-password');
  await again.ping();
  d.app.quit();
  await again.expectStreamError('system-shutdown');
  await d.quitted();
});

test('a server that cannot start: the tray and a notification say why, the window opens, calls explain', async () => {
  FakeBrowserWindow.created = [];
  const d = desktop({ launch: async () => { throw new ConfigError('"-x-" cannot be used as the server’s domain.'); } });
  d.app.ready();
  await d.life.ready;
  assert.equal(d.controller.state, 'stopped');
  assert.match(d.tray().tooltip, /could not start: "-x-" cannot be used/);
  assert.deepEqual(d.notes.map((n) => n.title), ['Parley could not start its server']);
  assert.equal(FakeBrowserWindow.created.length, 1);
  const r = await dispatchIpc(d.controller, 'overview', {});
  assert.match((r as { error: string }).error, /could not start \("-x-" cannot be used/);
  assert.equal(d.tray().item('Start server').enabled, true);
  d.app.quit();
  await d.quitted();
});

test('a server that does not stop in time does not keep the app from quitting', async () => {
  const stuck: RunningServer = {
    config: { domain: 'stuck.local' } as RunningServer['config'],
    admin: null,
    ports: {},
    stop: () => new Promise<void>(() => undefined),
  };
  const d = desktop({ launch: async () => stuck, stopTimeoutMs: 50, startHidden: true });
  d.app.ready();
  await d.life.ready;
  d.app.quit();
  await d.quitted();
});

test('started at login: no window until asked for', async () => {
  FakeBrowserWindow.created = [];
  const d = desktop({ startHidden: true, launch: async () => { throw new Error('not needed'); } });
  d.app.ready();
  await d.life.ready;
  assert.equal(FakeBrowserWindow.created.length, 0);
  d.app.emit('activate');
  assert.equal(FakeBrowserWindow.created.length, 1);
  d.app.quit();
  await d.quitted();
});
