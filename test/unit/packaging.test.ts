// Packaging without Electron's binary (which cannot be downloaded here): build/electron-builder.json is checked
// against electron-builder's own JSON schema, and the app is really packed (`electron-builder --linux dir` with a
// stand-in Electron distribution) to check what goes into app.asar: the built server, main process and console,
// package.json and the production dependencies; no tests, no sources, no dev dependencies, no Electron.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { promises as fs, existsSync, readFileSync } from 'node:fs';
import AjvModule from 'ajv';
import { listPackage, extractFile } from '@electron/asar';
import { PROJECT_DIR, stageApp } from '../../build/stage-app.js';

const run = promisify(execFile);

/** @electron/fuses' marker before the fuse wire in Electron's binary, and its byte per state ('0' off, '1' on). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** The fuse wire (FuseV1Options order) of a stock Electron 41: RunAsNode, NODE_OPTIONS, --inspect and file:// privileges on. */
const STOCK_FUSES = '10110001';
/**
 * What the packed app must have, by name (Electron's security checklist; DESIGN.md "fuses set"): no running as plain
 * Node (ELECTRON_RUN_AS_NODE), no NODE_OPTIONS, no --inspect / SIGUSR1 debugger, the app only from a checked app.asar,
 * cookies encrypted, no extra file:// privileges (the console is served from app://).
 */
const WANTED_FUSES = {
  RunAsNode: false, EnableCookieEncryption: true, EnableNodeOptionsEnvironmentVariable: false, EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true, OnlyLoadAppFromAsar: true, LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false,
};

/** The fuse wire of an executable, by name, read the way @electron/fuses reads it. */
async function fusesOf(file: string): Promise<Record<string, boolean>> {
  const bin = await fs.readFile(file);
  const at = bin.indexOf(FUSE_SENTINEL);
  assert.ok(at >= 0, `${file} has no fuse wire`);
  const wire = at + FUSE_SENTINEL.length;
  assert.equal(bin[wire], 1, 'fuse wire version 1');
  const names = Object.keys(WANTED_FUSES);
  assert.equal(bin[wire + 1], names.length);
  return Object.fromEntries(names.map((n, i) => [n, bin[wire + 2 + i] === 0x31]));
}
const CONFIG_FILE = path.join(PROJECT_DIR, 'build', 'electron-builder.json');
const SCHEMA_FILE = path.join(PROJECT_DIR, 'node_modules', 'app-builder-lib', 'scheme.json');

type Json = Record<string, unknown>;
const readJson = (file: string): Json => JSON.parse(readFileSync(file, 'utf8')) as Json;

interface ValidateFn {
  (data: unknown): boolean;
  errors?: { instancePath: string; message?: string }[] | null;
}
interface AjvLike {
  compile(schema: object): ValidateFn;
}
const Ajv = ((AjvModule as unknown as { default?: unknown }).default ?? AjvModule) as new (opts: object) => AjvLike;

/**
 * electron-builder's schema with ajv, as electron-builder validates (app-builder-lib/out/util/config/schemaValidator.js:
 * allErrors, strict off, so its non-standard `typeof` keyword, used for hooks that may be functions, is ignored),
 * but stricter in one way: no type coercion, so "true" is not taken for true.
 */
function builderValidator(): ValidateFn {
  const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false });
  return ajv.compile(readJson(SCHEMA_FILE));
}

function errorsOf(validate: ValidateFn): string {
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('\n');
}

test('build/electron-builder.json is valid against electron-builder’s own schema (and the check catches mistakes)', () => {
  const validate = builderValidator();
  const config = readJson(CONFIG_FILE);
  assert.ok(validate(config), errorsOf(validate));
  assert.equal(validate({ ...config, linux: { target: 5 } }), false, 'a wrong type is caught');
  assert.equal(validate({ ...config, nsis: { oneClick: 'no' } }), false);
  assert.equal(validate({ ...config, asar: 'true' }), false, 'no coercion of strings to booleans');
  assert.equal(validate({ ...config, appIdd: 'typo' }), false, 'an unknown option is caught');
});

test('the configuration: metadata, the four installers, icons, entitlements, Electron’s version, the app’s files', () => {
  const config = readJson(CONFIG_FILE) as {
    appId: string; productName: string; electronVersion: string; files: string[]; directories: Json;
    linux: { target: string[]; icon: string; category: string; maintainer: string; description: string; desktop: { entry: Json } };
    win: { target: string[]; icon: string }; mac: { target: string[]; icon: string; entitlements: string; category: string; hardenedRuntime: boolean };
  };
  const pkg = readJson(path.join(PROJECT_DIR, 'package.json')) as { main: string; license: string; optionalDependencies: Json; devDependencies: Json };
  assert.equal(config.appId, 'org.parley.app');
  assert.equal(config.productName, 'Parley');
  assert.equal(pkg.license, 'MIT');
  assert.equal(pkg.main, 'dist/main/index.js');
  // Electron is an optional dependency (its download may fail); electron-builder then needs the version from here.
  assert.equal(config.electronVersion, pkg.optionalDependencies.electron, 'electronVersion is the pinned electron optional dependency');
  assert.ok(!('electron' in pkg.devDependencies));
  assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
  assert.deepEqual(config.win.target, ['nsis']);
  assert.deepEqual(config.mac.target, ['dmg']);
  assert.equal(config.linux.category, 'Network');
  assert.match(String(config.linux.desktop.entry.Categories), /^Network;Chat;/);
  assert.equal(config.mac.category, 'public.app-category.social-networking');
  assert.match(config.linux.maintainer, /^.+ <[^@\s]+@[^@\s]+>$/);
  assert.ok(config.linux.description.length > 20);
  assert.equal(config.mac.hardenedRuntime, true);
  for (const size of [16, 32, 48, 64, 128, 256, 512, 1024]) {
    assert.ok(existsSync(path.join(PROJECT_DIR, config.linux.icon, `${size}x${size}.png`)), `${size}px Linux icon`);
  }
  const ico = readFileSync(path.join(PROJECT_DIR, config.win.icon));
  assert.deepEqual([...ico.subarray(0, 4)], [0, 0, 1, 0], 'a Windows .ico');
  assert.ok(ico.readUInt16LE(4) >= 6, 'with several sizes');
  const icns = readFileSync(path.join(PROJECT_DIR, config.mac.icon));
  assert.equal(icns.subarray(0, 4).toString('latin1'), 'icns');
  assert.equal(icns.readUInt32BE(4), icns.length);
  const entitlements = readFileSync(path.join(PROJECT_DIR, config.mac.entitlements), 'utf8');
  assert.match(entitlements, /<!DOCTYPE plist/);
  assert.match(entitlements, /<key>com\.apple\.security\.cs\.allow-jit<\/key>\s*<true\/>/);
  assert.doesNotMatch(entitlements, /disable-library-validation|allow-dyld-environment-variables|device\.camera|device\.audio-input/);
  assert.deepEqual(config.files.filter((f) => !f.startsWith('!')), ['package.json', 'dist/server/**/*', 'dist/main/**/*', 'dist/renderer/**/*']);
  assert.equal(config.directories.app, 'release/stage', 'packed from the staged app, not the project folder');
});

test('the packed app holds the built app and production dependencies only', { timeout: 180_000 }, async () => {
  assert.ok(existsSync(path.join(PROJECT_DIR, 'dist', 'renderer', 'index.html')), 'dist/renderer is built (npm run build)');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-pack-'));
  const stage = path.join(tmp, 'stage');
  const out = path.join(tmp, 'out');
  // A stand-in for Electron's unpacked distribution: electron-builder copies it and renames the executable.
  const fakeElectron = path.join(tmp, 'electron-dist');
  await fs.mkdir(path.join(fakeElectron, 'resources'), { recursive: true });
  // It carries a fuse wire as Electron's binary does (sentinel, version 1, length, one byte per fuse), set as a stock
  // Electron ships it, so the test sees electron-builder flip the fuses of build/electron-builder.json.
  await fs.writeFile(path.join(fakeElectron, 'electron'), Buffer.concat([
    Buffer.from(`#!/bin/sh\nexit 0\n# ${FUSE_SENTINEL}`), Buffer.from([0x01, STOCK_FUSES.length]), Buffer.from(STOCK_FUSES), Buffer.from('\n'),
  ]), { mode: 0o755 });

  const staged = stageApp(PROJECT_DIR, stage);
  assert.ok(staged.dependencies.includes(path.join('node_modules', 'ltx')));
  const cli = path.join(PROJECT_DIR, 'node_modules', 'electron-builder', 'cli.js');
  try {
    await run(process.execPath, [cli, '--linux', 'dir', '--publish', 'never', '--config', CONFIG_FILE,
      `-c.directories.app=${stage}`, `-c.directories.output=${out}`, `-c.electronDist=${fakeElectron}`], {
      cwd: PROJECT_DIR,
      env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CI: 'true' },
      maxBuffer: 32 * 1024 * 1024,
      timeout: 170_000,
    });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    assert.fail(`electron-builder failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
  const unpacked = path.join(out, 'linux-unpacked');
  assert.ok(existsSync(path.join(unpacked, 'parley-desktop')), 'the executable is named parley-desktop');
  assert.deepEqual(await fusesOf(path.join(unpacked, 'parley-desktop')), WANTED_FUSES, 'the fuses are flipped in the packed executable');
  const asarFile = path.join(unpacked, 'resources', 'app.asar');
  const entries = listPackage(asarFile, { isPack: false }).map((e) => e.replaceAll('\\', '/'));
  const has = (p: string): boolean => entries.includes(p);

  for (const required of ['/package.json', '/dist/server/cli.js', '/dist/server/server.js', '/dist/main/index.js', '/dist/main/preload.cjs',
    '/dist/renderer/index.html']) {
    assert.ok(has(required), `${required} is packed`);
  }
  assert.ok(entries.some((e) => /^\/dist\/renderer\/assets\/.+\.js$/.test(e)), 'the console’s script is packed');

  const ours = entries.filter((e) => !e.startsWith('/node_modules'));
  for (const e of ours) {
    assert.ok(e === '/package.json' || e === '/dist' || /^\/dist\/(server|main|renderer)(\/|$)/.test(e), `${e} does not belong in the app`);
    assert.ok(!/\.(ts|cts|mts|tsx|map)$/.test(e), `${e}: no sources or source maps`);
  }
  assert.ok(!ours.some((e) => e.startsWith('/dist/test') || e.startsWith('/dist/build') || e.startsWith('/test') || e.startsWith('/server') || e.startsWith('/main/')));

  const pkg = readJson(path.join(PROJECT_DIR, 'package.json')) as { dependencies: Json; devDependencies: Json; optionalDependencies: Json };
  const topLevel = new Set(entries.map((e) => /^\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)/.exec(e)?.[1]).filter((n): n is string => n !== undefined));
  for (const dep of Object.keys(pkg.dependencies)) assert.ok(topLevel.has(dep), `production dependency ${dep} is packed`);
  for (const dep of [...Object.keys(pkg.devDependencies), ...Object.keys(pkg.optionalDependencies), 'electron', '@electron/get', 'app-builder-lib']) {
    assert.ok(!topLevel.has(dep), `${dep} (dev, optional or Electron) is not packed`);
  }
  // Nothing that only dev dependencies need: every packed package is a production dependency as npm sees it.
  const production = new Set(staged.dependencies.map((d) => d.split(path.sep).slice(1).join('/').replace(/\/node_modules\/.*$/, '')));
  for (const name of topLevel) assert.ok(production.has(name), `${name} is a production dependency`);

  const packedPkg = JSON.parse(extractFile(asarFile, 'package.json').toString('utf8')) as Json;
  assert.equal(packedPkg.main, 'dist/main/index.js');
  assert.equal(packedPkg.type, 'module');
  for (const key of ['devDependencies', 'optionalDependencies', 'scripts', 'build']) assert.ok(!(key in packedPkg), `no ${key} in the packed package.json`);
  await fs.rm(tmp, { recursive: true, force: true });
});
