// The desktop window against Electron's security checklist: web preferences, the app:// origin and its
// Content-Security-Policy, no navigation away, no new windows, no permissions. With stand-ins for Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { EventEmitter } from 'node:events';
import { appRequestHandler, registerAppScheme, resolveAppPath } from '../../main/app-protocol.js';
import type { CustomScheme } from '../../main/electron-api.js';
import { APP_START_URL, DESKTOP_CSP, denyPermissions, hardenWebContents, isAppUrl, isExternalWebUrl } from '../../main/security.js';
import { MainWindow, mainWindowOptions, PRELOAD_PATH } from '../../main/window.js';
import { FakeBrowserWindow, FakeSession, FakeShell, FakeWebContents } from '../helpers/electron-fakes.js';

function newWindow(shell = new FakeShell()): { mw: MainWindow; shell: FakeShell; blocked: string[] } {
  const blocked: string[] = [];
  const mw = new MainWindow({ BrowserWindow: FakeBrowserWindow, shell, devTools: false, log: { warn: (_s, m) => blocked.push(m) } });
  return { mw, shell, blocked };
}

test('the window satisfies the security checklist: isolation, sandbox, no Node, web security, a preload', () => {
  const { mw } = newWindow();
  const win = mw.show() as FakeBrowserWindow;
  const wp = win.options.webPreferences;
  assert.equal(wp.contextIsolation, true);
  assert.equal(wp.sandbox, true);
  assert.equal(wp.nodeIntegration, false);
  assert.equal(wp.nodeIntegrationInWorker, false);
  assert.equal(wp.nodeIntegrationInSubFrames, false);
  assert.equal(wp.webSecurity, true);
  assert.equal(wp.allowRunningInsecureContent, false);
  assert.equal(wp.webviewTag, false);
  assert.equal(wp.experimentalFeatures, false);
  assert.equal(wp.devTools, false);
  assert.equal(wp.preload, PRELOAD_PATH);
  assert.match(PRELOAD_PATH, /[\\/]dist[\\/]main[\\/]preload\.cjs$/);
  // No remote content: the window loads the app's own page.
  assert.deepEqual(win.loaded, [APP_START_URL]);
  assert.ok(isAppUrl(win.loaded[0]));
  assert.equal(win.options.show, false, 'shown on ready-to-show, not blank before');
});

test('window options: every web preference is set explicitly, none left to a default', () => {
  const o = mainWindowOptions({ preload: '/x/preload.cjs', devTools: true });
  assert.deepEqual(Object.keys(o.webPreferences).sort(), [
    'allowRunningInsecureContent', 'contextIsolation', 'devTools', 'experimentalFeatures', 'navigateOnDragDrop', 'nodeIntegration',
    'nodeIntegrationInSubFrames', 'nodeIntegrationInWorker', 'preload', 'safeDialogs', 'sandbox', 'spellcheck', 'webSecurity', 'webviewTag',
  ]);
  assert.equal(o.webPreferences.devTools, true);
});

test('the preload is built as CommonJS (Electron runs sandboxed preloads as plain scripts)', async () => {
  const text = await fs.readFile(PRELOAD_PATH, 'utf8');
  assert.doesNotMatch(text, /^\s*(import|export)\s/m, 'no ESM syntax');
  const requires = [...text.matchAll(/require\((['"])([^'"]+)\1\)/g)].map((m) => m[2]);
  assert.deepEqual([...new Set(requires)], ['electron'], 'a sandboxed preload can require only electron');
});

test('navigation away from the app is blocked; http(s) links open in the OS browser, others nowhere', () => {
  const { mw, shell, blocked } = newWindow();
  const contents = (mw.show() as FakeBrowserWindow).webContents;
  assert.equal(contents.navigate('app://parley/index.html#/users').defaultPrevented, false, 'the app itself may navigate');
  const web = contents.navigate('https://example.org/help');
  assert.equal(web.defaultPrevented, true);
  assert.deepEqual(shell.opened, ['https://example.org/help']);
  for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://evil/index.html', 'data:text/html,hi', 'https://user:pw@example.org/', 'smb://server/share']) {
    assert.equal(contents.navigate(url).defaultPrevented, true, url);
  }
  assert.equal(contents.navigate('http://example.com/', 'will-redirect').defaultPrevented, true);
  assert.deepEqual(shell.opened, ['https://example.org/help', 'http://example.com/'], 'only http(s) without credentials reach the browser');
  assert.ok(blocked.length >= 6);
});

test('new windows are never opened by the app; http(s) targets go to the OS browser', () => {
  const { mw, shell } = newWindow();
  const contents = (mw.show() as FakeBrowserWindow).webContents;
  assert.ok(contents.openHandler);
  assert.deepEqual(contents.openHandler({ url: 'https://xmpp.org/software/' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler({ url: 'app://parley/index.html' }), { action: 'deny' });
  assert.deepEqual(contents.openHandler({ url: 'file:///etc/hosts' }), { action: 'deny' });
  assert.deepEqual(shell.opened, ['https://xmpp.org/software/']);
});

test('webviews cannot be attached', () => {
  const { mw } = newWindow();
  const contents = (mw.show() as FakeBrowserWindow).webContents;
  const e = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
  contents.emit('will-attach-webview', e);
  assert.equal(e.defaultPrevented, true);
});

test('hardening twice (window and web-contents-created) opens a link once', () => {
  const contents = new FakeWebContents();
  const shell = new FakeShell();
  hardenWebContents(contents, shell);
  hardenWebContents(contents, shell);
  contents.navigate('https://example.org/');
  assert.deepEqual(shell.opened, ['https://example.org/']);
  assert.equal(contents.listenerCount('will-navigate'), 1);
});

test('permission requests and checks are denied (but plain-text clipboard writes from the app itself)', () => {
  const session = new FakeSession();
  denyPermissions(session);
  const answers: boolean[] = [];
  for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'clipboard-read', 'fullscreen', 'display-capture', 'unknown']) {
    session.requestHandler!(null, p, (granted) => answers.push(granted), { requestingUrl: 'app://parley/index.html' });
    assert.equal(session.checkHandler!(null, p, 'app://parley'), false, p);
  }
  assert.ok(answers.every((a) => a === false));
  assert.equal(session.checkHandler!(null, 'clipboard-sanitized-write', 'app://parley'), true);
  assert.equal(session.checkHandler!(null, 'clipboard-sanitized-write', 'https://example.org'), false);
  session.requestHandler!(null, 'clipboard-sanitized-write', (g) => answers.push(g), { requestingUrl: 'https://example.org/' });
  assert.equal(answers.at(-1), false);
});

test('URL classes: the app origin and external web links', () => {
  assert.ok(isAppUrl('app://parley/index.html'));
  assert.ok(isAppUrl('app://parley/assets/x.js?v=1#y'));
  assert.ok(!isAppUrl('app://parley.evil/index.html'));
  assert.ok(!isAppUrl('https://parley/index.html'));
  assert.ok(!isAppUrl(undefined));
  assert.ok(!isAppUrl('not a url'));
  assert.ok(isExternalWebUrl('https://example.org/a'));
  assert.ok(!isExternalWebUrl('mailto:a@example.org'));
  assert.ok(!isExternalWebUrl('https://a:b@example.org/'));
});

test('the Content-Security-Policy allows only the app itself: no inline script, eval, network, plugins or frames', () => {
  const d = new Map(DESKTOP_CSP.split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name, values] as const;
  }));
  assert.deepEqual(d.get('default-src'), ["'self'"]);
  assert.deepEqual(d.get('script-src'), ["'self'"]);
  assert.deepEqual(d.get('style-src'), ["'self'"]);
  assert.deepEqual(d.get('connect-src'), ["'none'"]);
  assert.deepEqual(d.get('object-src'), ["'none'"]);
  assert.deepEqual(d.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(d.get('base-uri'), ["'none'"]);
  assert.ok(!DESKTOP_CSP.includes('unsafe-'), 'no unsafe-inline or unsafe-eval');
  assert.ok(!/https?:|\*/.test(DESKTOP_CSP), 'no remote sources');
});

test('app:// serves only files of the renderer folder, each with the CSP', async () => {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-renderer-'));
  await fs.mkdir(path.join(root, 'assets'));
  await fs.writeFile(path.join(root, 'index.html'), '<!doctype html><title>Parley</title>');
  await fs.writeFile(path.join(root, 'assets', 'app.js'), 'console.log(1)');
  await fs.writeFile(path.join(root, '.secret.js'), 'no');
  await fs.writeFile(path.join(path.dirname(root), 'outside.js'), 'no');
  const handle = appRequestHandler(root);

  const index = await handle(new Request('app://parley/index.html'));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.equal(index.headers.get('content-security-policy'), DESKTOP_CSP);
  assert.equal(index.headers.get('x-content-type-options'), 'nosniff');
  assert.match(await index.text(), /<title>Parley/);
  assert.equal((await handle(new Request('app://parley/'))).status, 200, '/ is index.html');
  const js = await handle(new Request('app://parley/assets/app.js'));
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');

  for (const url of ['app://parley/../outside.js', 'app://parley/%2e%2e/outside.js', 'app://parley/assets/..%2f..%2foutside.js', 'app://parley/.secret.js',
    'app://other/index.html', 'app://parley/missing.js', 'app://parley/assets', 'app://parley/index.html%00.js']) {
    const r = await handle(new Request(url));
    assert.equal(r.status, 404, url);
    assert.equal(r.headers.get('content-security-policy'), DESKTOP_CSP, url);
  }
  assert.equal((await handle(new Request('app://parley/index.html', { method: 'POST', body: 'x' }))).status, 405);
  assert.equal(resolveAppPath(root, 'app://parley/assets/app.js'), path.join(root, 'assets', 'app.js'));
});

test('app:// is registered as a standard, secure scheme before ready', () => {
  const registered: CustomScheme[] = [];
  registerAppScheme({ registerSchemesAsPrivileged: (s) => registered.push(...s) });
  assert.deepEqual(registered.map((s) => s.scheme), ['app']);
  assert.equal(registered[0].privileges.standard, true);
  assert.equal(registered[0].privileges.secure, true);
});

test('one window at most: showing again focuses it (restoring it if minimised); closing emits closed', async () => {
  FakeBrowserWindow.created = [];
  const { mw } = newWindow();
  const closed: number[] = [];
  (mw as EventEmitter).on('closed', () => closed.push(1));
  const win = mw.show() as FakeBrowserWindow;
  await new Promise((r) => setImmediate(r));
  assert.equal(win.shown, 1, 'shown once ready');
  win.minimized = true;
  assert.equal(mw.show(), win);
  assert.equal(win.restored, 1);
  assert.equal(FakeBrowserWindow.created.length, 1);
  win.close();
  assert.equal(mw.window, null);
  assert.deepEqual(closed, [1]);
  const again = mw.show();
  assert.notEqual(again, win, 'a closed window is made anew');
  assert.equal(FakeBrowserWindow.created.length, 2);
});
