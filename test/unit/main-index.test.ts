// main/index.js itself, unchanged, with 'electron' resolved to stand-ins (a module resolution hook): the app
// scheme is privileged before ready; once ready, the server starts on a temp data folder, the window loads the
// app's page, IPC answers it (the first-run wizard included), the tray shows the server, and quitting stops it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { register } from 'node:module';
import { promises as fs } from 'node:fs';
import { CHANNELS, type IpcResult } from '../../main/ipc.js';
import { APP_START_URL, DESKTOP_CSP } from '../../main/security.js';
import { FakeBrowserWindow, FakeTray, FakeWebContents } from '../helpers/electron-fakes.js';
import { login, until } from '../helpers/raw-client.js';

test('main/index.js wires the app: scheme before ready, then server, window, IPC, tray; quit stops the server', { timeout: 120_000 }, async () => {
  register(new URL('../helpers/electron-loader-hooks.js', import.meta.url));
  const fake = await import(new URL('../helpers/fake-electron-module.js', import.meta.url).href) as typeof import('../helpers/fake-electron-module.js');
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-desktop-'));
  await fs.cp(path.join(os.tmpdir(), `parley-test-certs-${process.getuid?.() ?? 0}`), path.join(dataDir, 'certs'), { recursive: true }).catch(() => undefined);
  fake.app.userData = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-userdata-'));
  FakeBrowserWindow.created = [];
  FakeTray.created = [];
  process.argv = [process.execPath, '/app', '--data', dataDir, '--domain', 'test.local', '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', '0',
    '--http-port', 'off', '--no-discovery', '--log-level', 'error', '--no-sandbox'];

  await import('../../main/index.js');
  assert.deepEqual(fake.protocol.calls, ['registerSchemesAsPrivileged'], 'only the privileged scheme before ready');
  assert.equal(fake.protocol.privileged[0].scheme, 'app');
  assert.deepEqual(fake.ipcMain.channels(), [], 'no IPC before ready');
  assert.equal(fake.dialog.errors.length, 0, 'the command line was understood (Chromium’s --no-sandbox ignored)');

  fake.app.ready();
  await until('the window', () => FakeBrowserWindow.created.length === 1, 30_000);
  const win = FakeBrowserWindow.created[0];
  assert.deepEqual(win.loaded, [APP_START_URL]);
  assert.equal(win.options.webPreferences.sandbox, true);
  assert.equal(win.options.webPreferences.contextIsolation, true);
  assert.equal(win.options.webPreferences.nodeIntegration, false);
  assert.ok(win.options.icon, 'a window icon');
  assert.deepEqual(fake.protocol.calls, ['registerSchemesAsPrivileged', 'handle:app']);
  assert.deepEqual(fake.ipcMain.channels(), [CHANNELS.call, CHANNELS.setupNeeded, CHANNELS.subscribe, CHANNELS.unsubscribe].sort());
  assert.ok(fake.session.defaultSession.requestHandler && fake.session.defaultSession.checkHandler, 'permission handlers');
  assert.equal(fake.Menu.applicationMenu, process.platform === 'darwin' ? fake.Menu.applicationMenu : null);
  const tray = FakeTray.created[0];
  assert.match(tray.tooltip, /^Parley is running for test\.local/);

  // The page, as the window would load it.
  const page = await fake.protocol.handlers.get('app')!(new Request(APP_START_URL));
  assert.equal(page.status, 200, 'dist/renderer/index.html is built');
  assert.equal(page.headers.get('content-security-policy'), DESKTOP_CSP);

  // A fresh data folder: the wizard is due; finishing it through IPC makes the first administrator.
  const contents = win.webContents;
  assert.equal(fake.ipcMain.send(contents, APP_START_URL, CHANNELS.setupNeeded), true);
  const setup = await fake.ipcMain.invoke(contents, APP_START_URL, CHANNELS.call, 'completeSetup', {
    choices: { domain: 'test.local', serverName: 'Test office', adminUser: 'admin', adminPassword: 'correct horse battery', registration: 'invite', discovery: false, federation: false },
  }) as IpcResult;
  assert.equal(setup.ok, true, JSON.stringify(setup));
  assert.equal(fake.ipcMain.send(contents, APP_START_URL, CHANNELS.setupNeeded), false);
  const status = await fake.ipcMain.invoke(contents, APP_START_URL, CHANNELS.call, 'status', {}) as { ok: true; value: { running: boolean; domain: string; ports: Record<string, number>; users: number } };
  assert.equal(status.ok, true);
  assert.equal(status.value.running, true);
  assert.equal(status.value.domain, 'test.local');
  assert.equal(status.value.users, 1);
  const refused = await fake.ipcMain.invoke(contents, 'https://example.org/', CHANNELS.call, 'status', {}) as IpcResult;
  assert.equal(refused.ok, false);

  // Every other web contents is hardened too.
  const other = new FakeWebContents();
  fake.app.emit('web-contents-created', {}, other);
  assert.equal(other.navigate('https://example.org/').defaultPrevented, true);
  assert.deepEqual(fake.shell.opened, ['https://example.org/']);

  // The administrator logs in with a real client; closing the window keeps it connected; quitting ends it.
  const cert = await fake.ipcMain.invoke(contents, APP_START_URL, CHANNELS.call, 'certificate', {}) as { ok: true; value: { caPem: string } };
  const client = await login(status.value.ports.c2s, cert.value.caPem, 'admin', 'correct horse battery');
  win.close();
  fake.app.emit('window-all-closed');
  assert.equal(fake.app.quitCalls, 0);
  assert.deepEqual(fake.Notification.shown.map((n) => n.title), ['Parley is still running']);
  await client.ping();
  const shutdown = client.expectStreamError('system-shutdown');
  tray.item('Quit Parley').click!();
  await shutdown;
  await until('the quit', () => fake.app.quitted, 30_000);
  assert.equal(fake.dialog.errors.length, 0);
});
