// The desktop app's command line: the same options as `parley serve` (--data DIR, --domain, ports…), so that
// `npm start -- --data ./demo-data` means the same with and without Electron, plus --hidden (started at login).
// Chromium's own switches (--no-sandbox, --enable-logging…) may be on the command line too; they are left alone.
import { parseCommand, SERVE_FLAGS, BOOLEAN_FLAGS } from '../server/cli-args.js';
import { defaultDataDir, type StoredSettings } from '../server/core/config.js';
import { HIDDEN_FLAG } from './login-item.js';

export interface DesktopOptions {
  dataDir: string;
  overrides: StoredSettings;
  hidden: boolean;
}

/** The arguments after the executable (and, unpackaged, after the app folder that `electron` was given). */
export function userArgs(argv: readonly string[], isPackaged: boolean): string[] {
  return argv.slice(isPackaged ? 1 : 2);
}

/** Keep the `parley serve` options (with their values); drop anything else. */
export function serveArgs(args: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    if (!SERVE_FLAGS.includes(name)) continue;
    kept.push(a);
    if (eq < 0 && !BOOLEAN_FLAGS.has(name) && i + 1 < args.length && !args[i + 1].startsWith('--')) kept.push(args[++i]);
  }
  return kept;
}

/** Throws UsageError (a sentence) for a bad value of a known option. */
export function desktopOptions(args: readonly string[], dataDir: string = defaultDataDir()): DesktopOptions {
  const cmd = parseCommand(['serve', ...serveArgs(args)], dataDir);
  if (cmd.kind !== 'serve') throw new Error('unreachable: serve was not parsed as serve');
  return { dataDir: cmd.dataDir, overrides: cmd.overrides, hidden: args.includes(HIDDEN_FLAG) };
}
