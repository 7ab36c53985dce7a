// `npm start`: the desktop app where Electron can start; where it cannot (Electron not installed, its program not
// downloaded, no display, or running as root on Linux), the headless server (`parley serve`, which prints the
// console's address and the one-time setup link) after one plain sentence saying why.
//   node dist/main/launch.js [--headless] [parley serve options…]
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The project (or unpacked app) folder: the one with package.json, two levels above dist/main. */
export const APP_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface LaunchFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** process.getuid?.(): 0 is root. */
  uid: number | undefined;
  args: readonly string[];
  /** The Electron executable, or why there is none. */
  electron(): { binary: string } | { missing: string };
}

export type LaunchPlan =
  | { mode: 'desktop'; binary: string; args: string[] }
  | { mode: 'headless'; reasons: string[]; args: string[] };

export const HEADLESS_FLAG = '--headless';

/** Where the electron package says its program is; `missing` tells why there is none, as a clause. */
export function findElectron(fromDir: string = APP_DIR, exists: (p: string) => boolean = fs.existsSync): { binary: string } | { missing: string } {
  const require = createRequire(path.join(fromDir, 'package.json'));
  try {
    require.resolve('electron/package.json');
  } catch {
    return { missing: 'Electron is not installed here (npm could not download it, or skipped it, when it installed Parley)' };
  }
  let binary: unknown;
  try {
    binary = require('electron');
  } catch {
    return { missing: 'Electron is installed here without its program (its download failed when npm installed Parley)' };
  }
  if (typeof binary !== 'string' || !exists(binary)) {
    return { missing: `Electron's program is missing (${typeof binary === 'string' ? binary : 'no path'})` };
  }
  return { binary };
}

/** Decide: desktop (with the Electron executable) or headless (with the reasons). */
export function planLaunch(facts: LaunchFacts): LaunchPlan {
  const args = facts.args.filter((a) => a !== HEADLESS_FLAG);
  const reasons: string[] = [];
  if (facts.args.includes(HEADLESS_FLAG) || facts.env.PARLEY_HEADLESS === '1') reasons.push('you asked for the headless server');
  const found = facts.electron();
  if ('missing' in found) reasons.push(found.missing);
  const needsDisplay = facts.platform !== 'darwin' && facts.platform !== 'win32';
  if (needsDisplay && !facts.env.DISPLAY && !facts.env.WAYLAND_DISPLAY) reasons.push('there is no display to open a window on (neither DISPLAY nor WAYLAND_DISPLAY is set)');
  if (facts.platform === 'linux' && facts.uid === 0) reasons.push('Electron does not run as root without turning off its sandbox, which Parley does not do');
  if (reasons.length > 0 || !('binary' in found)) return { mode: 'headless', reasons, args };
  return { mode: 'desktop', binary: found.binary, args };
}

export function headlessMessage(reasons: readonly string[]): string {
  const why = reasons.length > 0 ? reasons.join('; ') : 'the desktop app cannot start here';
  return `${why[0].toUpperCase()}${why.slice(1)}; running Parley headless. Open the admin console at the address printed below, in a browser on this machine.\n`;
}

function runDesktop(binary: string, args: string[]): void {
  const env = { ...process.env };
  // Set, it would make Electron behave as plain Node.
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(binary, [APP_DIR, ...args], { stdio: 'inherit', env });
  const forward = (signal: NodeJS.Signals): void => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('error', (err) => {
    process.stderr.write(`parley: Electron did not start (${err.message}). Run "npx parley serve" for the headless server.\n`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** `parley serve` itself, in this process: the CLI reads its command line from process.argv. */
async function runHeadless(args: string[]): Promise<void> {
  const cli = path.join(APP_DIR, 'dist', 'server', 'cli.js');
  process.argv = [process.argv[0], cli, 'serve', ...args];
  await import(pathToFileURL(cli).href);
}

export async function launch(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const plan = planLaunch({ platform: process.platform, env: process.env, uid: process.getuid?.(), args: argv, electron: () => findElectron() });
  if (plan.mode === 'desktop') {
    runDesktop(plan.binary, plan.args);
  } else {
    process.stdout.write(headlessMessage(plan.reasons));
    await runHeadless(plan.args);
  }
}

const invokedDirectly = process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  launch().catch((err: unknown) => {
    process.stderr.write(`parley: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
