// `npm start`'s launcher: desktop where Electron can start, else the headless server with one sentence saying
// why; and the desktop app's command line (the same options as `parley serve`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../server/cli-args.js';
import { desktopOptions, serveArgs, userArgs } from '../../main/desktop-options.js';
import { findElectron, headlessMessage, planLaunch, type LaunchFacts } from '../../main/launch.js';
import { RawClient, withTimeout } from '../helpers/raw-client.js';

const LAUNCH_JS = fileURLToPath(new URL('../../main/launch.js', import.meta.url));

function facts(o: Partial<LaunchFacts> = {}): LaunchFacts {
  return {
    platform: 'linux',
    env: { DISPLAY: ':0' },
    uid: 1000,
    args: [],
    electron: () => ({ binary: '/opt/electron/electron' }),
    ...o,
  };
}

test('desktop when Electron is there, a display is there and the user is not root', () => {
  assert.deepEqual(planLaunch(facts({ args: ['--data', 'x'] })), { mode: 'desktop', binary: '/opt/electron/electron', args: ['--data', 'x'] });
  assert.equal(planLaunch(facts({ env: { WAYLAND_DISPLAY: 'wayland-0' } })).mode, 'desktop');
  assert.equal(planLaunch(facts({ platform: 'darwin', env: {} })).mode, 'desktop', 'macOS always has a display');
  assert.equal(planLaunch(facts({ platform: 'win32', env: {}, uid: undefined })).mode, 'desktop');
});

test('headless, with every reason, when Electron is missing, there is no display, or on Linux as root', () => {
  const none = planLaunch(facts({ env: {}, uid: 0, electron: () => ({ missing: 'Electron is not installed here (because)' }), args: ['--bind', '127.0.0.1'] }));
  assert.equal(none.mode, 'headless');
  assert.deepEqual(none.args, ['--bind', '127.0.0.1']);
  const reasons = (none as { reasons: string[] }).reasons.join(' | ');
  assert.match(reasons, /Electron is not installed here \(because\)/);
  assert.match(reasons, /no display .*DISPLAY nor WAYLAND_DISPLAY/);
  assert.match(reasons, /root/);
  const asked = planLaunch(facts({ args: ['--headless', '--data', 'd'] }));
  assert.deepEqual(asked, { mode: 'headless', reasons: ['you asked for the headless server'], args: ['--data', 'd'] });
  assert.equal(planLaunch(facts({ env: { DISPLAY: ':0', PARLEY_HEADLESS: '1' } })).mode, 'headless');
  assert.match(headlessMessage(['Electron is not installed here (x)', 'there is no display']),
    /^Electron is not installed here \(x\); there is no display; running Parley headless\. Open the admin console at the address printed below/);
});

test('finding Electron: not installed, installed without its program, or its program', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-electron-'));
  await fs.writeFile(path.join(dir, 'package.json'), '{"name":"x","type":"module"}');
  assert.match((findElectron(dir) as { missing: string }).missing, /^Electron is not installed here/);
  const pkg = path.join(dir, 'node_modules', 'electron');
  await fs.mkdir(pkg, { recursive: true });
  await fs.writeFile(path.join(pkg, 'package.json'), '{"name":"electron","version":"41.7.1","main":"index.js"}');
  // What electron's index.js does when its download failed (no path.txt).
  await fs.writeFile(path.join(pkg, 'index.js'), "throw new Error('Electron failed to install correctly, please delete node_modules/electron and try installing again');");
  assert.match((findElectron(dir) as { missing: string }).missing, /without its program/);
  const binary = path.join(pkg, 'dist', 'electron');
  await fs.writeFile(path.join(pkg, 'index.js'), `module.exports = ${JSON.stringify(binary)};`);
  assert.match((findElectron(dir) as { missing: string }).missing, /program is missing/);
  await fs.mkdir(path.dirname(binary), { recursive: true });
  await fs.writeFile(binary, '');
  assert.deepEqual(findElectron(dir), { binary });
});

test('the desktop command line takes parley serve’s options and --hidden, and ignores Chromium’s switches', () => {
  assert.deepEqual(userArgs(['/usr/bin/electron', '/app', '--data', 'd'], false), ['--data', 'd']);
  assert.deepEqual(userArgs(['/opt/Parley/parley-desktop', '--hidden'], true), ['--hidden']);
  assert.deepEqual(serveArgs(['--no-sandbox', '--data', 'd', '--enable-logging=file', '--bind=127.0.0.1', '--no-discovery', 'stray', '--c2s-port', '0']),
    ['--data', 'd', '--bind=127.0.0.1', '--no-discovery', '--c2s-port', '0']);
  const o = desktopOptions(['--data', 'demo', '--domain', 'office.local', '--http-port', 'off', '--hidden', '--no-sandbox'], '/default');
  assert.equal(o.dataDir, path.resolve('demo'));
  assert.deepEqual(o.overrides, { domain: 'office.local', httpPort: null });
  assert.equal(o.hidden, true);
  assert.deepEqual(desktopOptions([], '/default'), { dataDir: '/default', overrides: {}, hidden: false });
  assert.throws(() => desktopOptions(['--c2s-port', 'many'], '/d'), UsageError);
});

test('npm start without Electron or a display runs the headless server and says why first', async () => {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-launch-'));
  // Certificates made by earlier tests for test.local, if any, save generating keys here.
  await fs.cp(path.join(os.tmpdir(), `parley-test-certs-${process.getuid?.() ?? 0}`), path.join(dataDir, 'certs'), { recursive: true }).catch(() => undefined);
  const env = { ...process.env };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  const child = spawn(process.execPath, [LAUNCH_JS, '--data', dataDir, '--domain', 'test.local', '--bind', '127.0.0.1', '--c2s-port', '0', '--tls-port', '0',
    '--http-port', 'off', '--no-discovery', '--log-level', 'warn'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await withTimeout(new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (out.includes('Parley is running for test.local')) resolve();
      };
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`exited early:\n${out}\n${err}`)));
    }), 60_000, () => `the headless server to start:\n${out}\n${err}`);
    // A stream opened and answered means the child's event loop has turned since it printed, so it is fully up.
    const port = Number(/XMPP clients: 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
    const c = await RawClient.connect(port);
    await c.open();
    c.destroy();
    const first = out.split('\n')[0];
    assert.match(first, /running Parley headless\./);
    assert.match(first, /there is no display to open a window on/);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await withTimeout(exited, 20_000, 'the server to stop'), 0);
  assert.match(out, /Stopping Parley/);
});
