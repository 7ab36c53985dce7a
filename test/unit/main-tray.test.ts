// The tray icon and menu for each server state, and "Start at login" on each platform (XDG autostart on Linux).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { appMenuTemplate } from '../../main/app-menu.js';
import { DesktopStateFile } from '../../main/desktop-state.js';
import { autostartEntry, autostartFile, desktopExecArg, HIDDEN_FLAG, loginItemToggle, startedAtLogin } from '../../main/login-item.js';
import type { ServerSnapshot } from '../../main/server-controller.js';
import { createTray, statusText, trayMenuTemplate, type TrayActions } from '../../main/tray.js';
import * as images from '../../main/tray-icons.js';
import { FakeApp, FakeMenuModule, FakeNativeImage, FakeTray, fakeNativeImage } from '../helpers/electron-fakes.js';

const running: ServerSnapshot = { state: 'running', domain: 'office.local', ports: { c2s: 5222 }, onlineSessions: 3, error: null };
const stopped: ServerSnapshot = { state: 'stopped', domain: null, ports: {}, onlineSessions: 0, error: null };

function recordingActions(): { actions: TrayActions; done: string[] } {
  const done: string[] = [];
  const a = (name: string) => () => void done.push(name);
  return { done, actions: { open: a('open'), start: a('start'), stop: a('stop'), restart: a('restart'), quit: a('quit') } };
}

test('status line for each state', () => {
  assert.equal(statusText(running), 'Parley is running for office.local (3 connections)');
  assert.equal(statusText({ ...running, onlineSessions: 1 }), 'Parley is running for office.local (1 connection)');
  assert.equal(statusText(stopped), 'Parley is stopped');
  assert.equal(statusText({ ...stopped, error: 'Port 5222 is in use.' }), 'Parley could not start: Port 5222 is in use.');
  assert.equal(statusText({ ...stopped, state: 'starting' }), 'Parley is starting…');
  assert.equal(statusText({ ...stopped, state: 'stopping' }), 'Parley is stopping…');
});

test('the menu offers Open, Stop or Start, Restart, Start at login and Quit, each doing what it says', () => {
  const { actions, done } = recordingActions();
  let atLogin = false;
  const login = { get: () => atLogin, set: (on: boolean) => { atLogin = on; } };
  const menu = trayMenuTemplate(running, actions, login);
  assert.deepEqual(menu.map((i) => i.label ?? i.type), [
    'Parley is running for office.local (3 connections)', 'separator', 'Open Parley', 'Stop server', 'Restart server', 'separator',
    'Start Parley at login', 'separator', 'Quit Parley',
  ]);
  assert.equal(menu[0].enabled, false);
  for (const label of ['Open Parley', 'Stop server', 'Restart server', 'Quit Parley']) menu.find((i) => i.label === label)!.click!();
  assert.deepEqual(done, ['open', 'stop', 'restart', 'quit']);
  const toggle = menu.find((i) => i.label === 'Start Parley at login')!;
  assert.equal(toggle.type, 'checkbox');
  assert.equal(toggle.checked, false);
  toggle.click!();
  assert.equal(atLogin, true);

  const off = trayMenuTemplate(stopped, actions, null);
  assert.ok(off.some((i) => i.label === 'Start server' && i.enabled !== false));
  assert.ok(off.some((i) => i.label === 'Restart server' && i.enabled === false));
  assert.ok(!off.some((i) => i.label === 'Start Parley at login'), 'no login item where the platform has none');
  const busy = trayMenuTemplate({ ...stopped, state: 'starting' }, actions, null);
  assert.equal(busy.find((i) => i.label === 'Start server')!.enabled, false);
  const longError = trayMenuTemplate({ ...stopped, error: 'x'.repeat(300) }, actions, null);
  assert.ok(longError[0].label!.length <= 90);
});

test('the tray icon is coloured while running and grey while not; a template image on macOS', () => {
  let snap = stopped;
  FakeTray.created = [];
  const { actions, done } = recordingActions();
  const t = createTray({ Tray: FakeTray, Menu: new FakeMenuModule(), nativeImage: fakeNativeImage, platform: 'linux', snapshot: () => snap, actions, loginItem: null });
  const tray = t.tray as FakeTray;
  assert.equal((tray.image as FakeNativeImage).dataURL, images.stopped.x1);
  assert.deepEqual((tray.image as FakeNativeImage).representations, [{ scaleFactor: 2, dataURL: images.stopped.x2 }]);
  snap = running;
  t.update();
  assert.equal((tray.image as FakeNativeImage).dataURL, images.running.x1);
  assert.equal(tray.tooltip, statusText(running));
  assert.equal(tray.item('Stop server').label, 'Stop server');
  tray.emit('click');
  assert.deepEqual(done, ['open'], 'a click opens the window on Linux and Windows');

  const mac = createTray({ Tray: FakeTray, Menu: new FakeMenuModule(), nativeImage: fakeNativeImage, platform: 'darwin', snapshot: () => running, actions, loginItem: null });
  const macImage = (mac.tray as FakeTray).image as FakeNativeImage;
  assert.equal(macImage.dataURL, images.templateRunning.x1);
  assert.equal(macImage.template, true);
  (mac.tray as FakeTray).emit('click');
  assert.deepEqual(done, ['open'], 'on macOS a click shows the menu');
  for (const set of [images.running, images.stopped, images.templateRunning, images.templateStopped]) {
    for (const uri of [set.x1, set.x2]) assert.ok(!new FakeNativeImage(uri).isEmpty());
  }
  assert.match(images.windowIcon, /^data:image\/png;base64,/);
});

test('start at login: Electron login items on macOS and Windows (with --hidden there)', () => {
  const app = new FakeApp();
  const mac = loginItemToggle({ app, platform: 'darwin', env: {}, command: ['/Applications/Parley.app/Contents/MacOS/Parley'] })!;
  assert.equal(mac.get(), false);
  mac.set(true);
  assert.equal(app.loginItem.openAtLogin, true);
  assert.equal(mac.get(), true);
  const win = loginItemToggle({ app, platform: 'win32', env: {}, command: ['C:\\Parley\\Parley.exe'] })!;
  win.set(true);
  assert.deepEqual(app.loginItemArgs, [HIDDEN_FLAG]);
  assert.equal(loginItemToggle({ app, platform: 'freebsd', env: {}, command: [] }), null);
});

test('start at login on Linux: an XDG autostart entry that starts Parley hidden', async () => {
  const home = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-home-'));
  const env = { HOME: home };
  const toggle = loginItemToggle({ app: new FakeApp(), platform: 'linux', env, command: ['/opt/Parley/parley-desktop'] })!;
  const file = path.join(home, '.config', 'autostart', 'parley.desktop');
  assert.equal(autostartFile(env), file);
  assert.equal(autostartFile({ HOME: home, XDG_CONFIG_HOME: '/xdg' }), '/xdg/autostart/parley.desktop');
  assert.equal(toggle.get(), false);
  toggle.set(true);
  assert.equal(toggle.get(), true);
  const text = await fs.readFile(file, 'utf8');
  assert.match(text, /^\[Desktop Entry\]\n/);
  assert.match(text, /^Exec=\/opt\/Parley\/parley-desktop --hidden$/m);
  assert.match(text, /^Type=Application$/m);
  toggle.set(false);
  assert.equal(toggle.get(), false);
  assert.equal(desktopExecArg('/home/me/My Apps/Parley.AppImage'), '"/home/me/My Apps/Parley.AppImage"');
  assert.equal(desktopExecArg('a"b$c'), '"a\\"b\\$c"');
  assert.match(autostartEntry(['/usr/bin/electron', '/home/me/parley']), /^Exec=\/usr\/bin\/electron \/home\/me\/parley --hidden$/m);
});

test('started at login is told by --hidden, or on macOS by the login item', () => {
  const app = new FakeApp();
  assert.equal(startedAtLogin(['parley', HIDDEN_FLAG], 'linux', app), true);
  assert.equal(startedAtLogin(['parley'], 'linux', app), false);
  app.loginItem = { openAtLogin: true, wasOpenedAtLogin: true };
  assert.equal(startedAtLogin(['parley'], 'darwin', app), true);
  assert.equal(startedAtLogin(['parley'], 'win32', app), false);
});

test('the application menu: the standard roles on macOS, none elsewhere', () => {
  assert.deepEqual(appMenuTemplate('darwin')!.map((i) => i.role), ['appMenu', 'editMenu', 'windowMenu']);
  assert.equal(appMenuTemplate('linux'), null);
  assert.equal(appMenuTemplate('win32'), null);
});

test('the close notice is remembered across runs', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-userdata-'));
  const a = DesktopStateFile.inDir(dir);
  assert.equal(a.get('closeNoticeShown'), false);
  a.set('closeNoticeShown', true);
  assert.equal(DesktopStateFile.inDir(dir).get('closeNoticeShown'), true);
  await fs.writeFile(path.join(dir, 'desktop.json'), 'not json');
  assert.equal(DesktopStateFile.inDir(dir).get('closeNoticeShown'), false);
});
