// Command-line parsing for `parley`: words and flags to a typed command, with errors that say what to type instead.
import path from 'node:path';
import type { StoredSettings, RegistrationPolicy, LogLevel } from './core/config.js';
import { DURABILITIES, type Durability } from './storage/backend.js';
import { UserFacingError } from './core/user-error.js';
import type { NewRoom } from './admin/room-api.js';

export class UsageError extends UserFacingError {}

export interface ParsedArgs {
  command: string[];
  flags: Map<string, string | true>;
}

/** Split argv into positional words and --flags (`--x v`, `--x=v`, or boolean `--x`). */
export function parseArgs(argv: string[], booleanFlags: Set<string>): ParsedArgs {
  const command: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) flags.set(name, a.slice(eq + 1));
      else if (booleanFlags.has(name)) flags.set(name, true);
      else {
        const v = argv[i + 1];
        if (v === undefined || v.startsWith('--')) throw new UsageError(`--${name} needs a value.`);
        flags.set(name, v);
        i++;
      }
    } else command.push(a);
  }
  return { command, flags };
}

function port(flags: Map<string, string | true>, name: string): number | null | undefined {
  const v = flags.get(name);
  if (v === undefined) return undefined;
  if (v === 'off') return null;
  const n = Number(v);
  if (v === true || !Number.isInteger(n) || n < 0 || n > 65535) throw new UsageError(`--${name} takes a port number (0–65535) or "off", not "${String(v)}".`);
  return n;
}

export const SERVE_FLAGS = ['data', 'domain', 'bind', 'c2s-port', 'tls-port', 's2s-port', 'http-port', 'https-port', 'no-discovery', 'registration', 'limits', 'log-level', 'allow-plaintext', 'durability'];

/** Settings from `parley serve` flags; only what was given, so the config file fills the rest. */
export function serveOverrides(flags: Map<string, string | true>): StoredSettings {
  for (const k of flags.keys()) if (!SERVE_FLAGS.includes(k)) throw new UsageError(`Unknown option --${k}. See "parley help".`);
  const o: StoredSettings = {};
  const str = (name: string): string | undefined => {
    const v = flags.get(name);
    if (v === true) throw new UsageError(`--${name} needs a value.`);
    return v;
  };
  const domain = str('domain');
  if (domain !== undefined) o.domain = domain;
  const bind = str('bind');
  if (bind !== undefined) o.bind = bind;
  const ports: [string, 'c2sPort' | 'tlsPort' | 's2sPort' | 'httpPort' | 'httpsPort'][] = [
    ['c2s-port', 'c2sPort'], ['tls-port', 'tlsPort'], ['s2s-port', 's2sPort'], ['http-port', 'httpPort'], ['https-port', 'httpsPort'],
  ];
  for (const [flag, key] of ports) {
    const p = port(flags, flag);
    if (p !== undefined) o[key] = p;
  }
  if (flags.has('no-discovery')) o.discovery = false;
  if (flags.has('allow-plaintext')) o.requireTls = false;
  const reg = str('registration');
  if (reg !== undefined) {
    if (!['closed', 'invite', 'open'].includes(reg)) throw new UsageError(`--registration takes closed, invite or open, not "${reg}".`);
    o.registration = reg as RegistrationPolicy;
  }
  const limits = str('limits');
  if (limits !== undefined) {
    if (limits !== 'on' && limits !== 'off') throw new UsageError(`--limits takes on or off, not "${limits}".`);
    o.limits = { enabled: limits === 'on' };
  }
  const durability = str('durability');
  if (durability !== undefined) {
    if (!(DURABILITIES as readonly string[]).includes(durability)) throw new UsageError(`--durability takes flush or os, not "${durability}".`);
    o.durability = durability as Durability;
  }
  const level = str('log-level');
  if (level !== undefined) {
    if (!['error', 'warn', 'info', 'debug'].includes(level)) throw new UsageError(`--log-level takes error, warn, info or debug, not "${level}".`);
    o.logLevel = level as LogLevel;
  }
  return o;
}

/** `parley room create` switches, in pairs: the first of each sets the room setting on, the second off. */
const ROOM_SWITCHES: readonly [on: string, off: string, key: 'public' | 'persistent' | 'membersOnly' | 'moderated'][] = [
  ['public', 'hidden', 'public'],
  ['persistent', 'temporary', 'persistent'],
  ['members-only', 'open', 'membersOnly'],
  ['moderated', 'unmoderated', 'moderated'],
];

export const BOOLEAN_FLAGS = new Set(['no-discovery', 'allow-plaintext', 'help', ...ROOM_SWITCHES.flatMap(([on, off]) => [on, off])]);

/** Options of the commands that work on a data folder, running or not. */
export interface AdminTarget {
  dataDir: string;
  /** --domain: the domain to assume when no server runs on the folder and its config file names none. */
  domain?: string;
}

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'serve'; dataDir: string; overrides: StoredSettings }
  | ({ kind: 'user-add' | 'user-passwd'; user: string; password?: string } & AdminTarget)
  | ({ kind: 'user-remove'; user: string } & AdminTarget)
  | ({ kind: 'user-list' | 'cert-show' | 'status' } & AdminTarget)
  | ({ kind: 'room-list' } & AdminTarget)
  | ({ kind: 'room-show'; room: string } & AdminTarget)
  | ({ kind: 'room-create'; room: string; options: NewRoom } & AdminTarget)
  | ({ kind: 'room-destroy'; room: string; reason: string } & AdminTarget)
  | { kind: 'repair'; dataDir: string };

const USER_USAGE = 'parley user add|passwd|remove JID, or parley user list';
const ROOM_USAGE = 'parley room create|show|destroy NAME, or parley room list';

function flagValue(flags: Map<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value.`);
  return v;
}

function onlyFlags(flags: Map<string, string | true>, allowed: string[], what: string): void {
  for (const k of flags.keys()) {
    if (!allowed.includes(k)) throw new UsageError(`${what} has no option --${k}. See "parley help".`);
  }
}

function target(flags: Map<string, string | true>, defaultDataDir: string): AdminTarget {
  const data = flagValue(flags, 'data');
  if (data === '') throw new UsageError('--data needs a folder.');
  const t: AdminTarget = { dataDir: path.resolve(data ?? defaultDataDir) };
  const domain = flagValue(flags, 'domain');
  if (domain !== undefined) {
    if (domain.trim() === '') throw new UsageError('--domain needs a domain name, e.g. --domain office.local.');
    t.domain = domain.trim();
  }
  return t;
}

function noMoreWords(words: string[], from: number, usage: string): void {
  if (words.length > from) throw new UsageError(`Unexpected "${words[from]}". Usage: ${usage}`);
}

/** The whole command line to one typed command. `defaultDataDir` is what --data defaults to. */
export function parseCommand(argv: string[], defaultDataDir: string): CliCommand {
  const { command: words, flags } = parseArgs(argv.map((a) => (a === '-h' ? '--help' : a)), BOOLEAN_FLAGS);
  if (flags.has('help')) return { kind: 'help' };
  const [cmd, sub] = words;
  switch (cmd) {
    case undefined:
    case 'help':
      return { kind: 'help' };
    case 'serve':
    case 'start': {
      noMoreWords(words, 1, 'parley serve [options]');
      const overrides = serveOverrides(flags);
      return { kind: 'serve', dataDir: target(flags, defaultDataDir).dataDir, overrides };
    }
    case 'status':
      noMoreWords(words, 1, 'parley status [--data DIR]');
      onlyFlags(flags, ['data', 'domain'], 'parley status');
      return { kind: 'status', ...target(flags, defaultDataDir) };
    case 'repair':
      noMoreWords(words, 1, 'parley repair [--data DIR]');
      onlyFlags(flags, ['data'], 'parley repair');
      return { kind: 'repair', dataDir: target(flags, defaultDataDir).dataDir };
    case 'cert': {
      if (sub !== 'show') throw new UsageError(sub === undefined ? 'Usage: parley cert show [--data DIR]' : `Unknown command "parley cert ${sub}". Usage: parley cert show [--data DIR]`);
      noMoreWords(words, 2, 'parley cert show [--data DIR]');
      onlyFlags(flags, ['data', 'domain'], 'parley cert show');
      return { kind: 'cert-show', ...target(flags, defaultDataDir) };
    }
    case 'user':
      return parseUserCommand(sub, words, flags, defaultDataDir);
    case 'room':
      return parseRoomCommand(sub, words, flags, defaultDataDir);
    default:
      throw new UsageError(`Unknown command "${cmd}". See "parley help".`);
  }
}

function parseUserCommand(sub: string | undefined, words: string[], flags: Map<string, string | true>, defaultDataDir: string): CliCommand {
  switch (sub) {
    case 'list':
      noMoreWords(words, 2, 'parley user list [--data DIR]');
      onlyFlags(flags, ['data', 'domain'], 'parley user list');
      return { kind: 'user-list', ...target(flags, defaultDataDir) };
    case 'add':
    case 'passwd': {
      const usage = `parley user ${sub} JID [--password PASSWORD] [--data DIR]`;
      const user = words[2];
      if (user === undefined) throw new UsageError(`Which user? Usage: ${usage}`);
      noMoreWords(words, 3, usage);
      onlyFlags(flags, ['data', 'domain', 'password'], `parley user ${sub}`);
      const password = flagValue(flags, 'password');
      if (password === '') throw new UsageError('--password is empty; give a password, or leave the option out to be asked for one.');
      const c: CliCommand = { kind: sub === 'add' ? 'user-add' : 'user-passwd', user, ...target(flags, defaultDataDir) };
      if (password !== undefined) c.password = password;
      return c;
    }
    case 'remove': {
      const usage = 'parley user remove JID [--data DIR]';
      const user = words[2];
      if (user === undefined) throw new UsageError(`Which user? Usage: ${usage}`);
      noMoreWords(words, 3, usage);
      onlyFlags(flags, ['data', 'domain'], 'parley user remove');
      return { kind: 'user-remove', user, ...target(flags, defaultDataDir) };
    }
    case undefined:
      throw new UsageError(`Usage: ${USER_USAGE}.`);
    default:
      throw new UsageError(`Unknown command "parley user ${sub}". Usage: ${USER_USAGE}.`);
  }
}

function parseRoomCommand(sub: string | undefined, words: string[], flags: Map<string, string | true>, defaultDataDir: string): CliCommand {
  const named = (usage: string): string => {
    const room = words[2];
    if (room === undefined) throw new UsageError(`Which room? Usage: ${usage}`);
    noMoreWords(words, 3, usage);
    return room;
  };
  switch (sub) {
    case 'list':
      noMoreWords(words, 2, 'parley room list [--data DIR]');
      onlyFlags(flags, ['data', 'domain'], 'parley room list');
      return { kind: 'room-list', ...target(flags, defaultDataDir) };
    case 'show': {
      const room = named('parley room show NAME [--data DIR]');
      onlyFlags(flags, ['data', 'domain'], 'parley room show');
      return { kind: 'room-show', room, ...target(flags, defaultDataDir) };
    }
    case 'create': {
      const room = named('parley room create NAME [--owner JID] [--title TEXT] … [--data DIR]');
      const texts = ['owner', 'title', 'description', 'password'];
      onlyFlags(flags, ['data', 'domain', ...texts, 'max-people', ...ROOM_SWITCHES.flatMap(([on, off]) => [on, off])], 'parley room create');
      return { kind: 'room-create', room, options: roomOptions(flags), ...target(flags, defaultDataDir) };
    }
    case 'destroy': {
      const room = named('parley room destroy NAME [--reason TEXT] [--data DIR]');
      onlyFlags(flags, ['data', 'domain', 'reason'], 'parley room destroy');
      return { kind: 'room-destroy', room, reason: flagValue(flags, 'reason') ?? '', ...target(flags, defaultDataDir) };
    }
    case undefined:
      throw new UsageError(`Usage: ${ROOM_USAGE}.`);
    default:
      throw new UsageError(`Unknown command "parley room ${sub}". Usage: ${ROOM_USAGE}.`);
  }
}

/** A new room's settings from `parley room create` flags: only what was given (the service's defaults fill the rest). */
function roomOptions(flags: Map<string, string | true>): NewRoom {
  const o: NewRoom = {};
  const owner = flagValue(flags, 'owner');
  if (owner !== undefined) o.owner = owner;
  const title = flagValue(flags, 'title');
  if (title !== undefined) o.name = title;
  const description = flagValue(flags, 'description');
  if (description !== undefined) o.description = description;
  const password = flagValue(flags, 'password');
  if (password === '') throw new UsageError('--password is empty; give the room a password, or leave the option out.');
  if (password !== undefined) o.password = password;
  const max = flagValue(flags, 'max-people');
  if (max !== undefined) {
    const n = Number(max);
    if (!/^\d+$/.test(max) || !Number.isSafeInteger(n)) throw new UsageError(`--max-people takes a whole number (0 for the service's limit), not "${max}".`);
    o.maxUsers = n;
  }
  for (const [on, off, key] of ROOM_SWITCHES) {
    if (flags.has(on) && flags.has(off)) throw new UsageError(`--${on} and --${off} contradict each other; give one of them.`);
    if (flags.has(on)) o[key] = true;
    else if (flags.has(off)) o[key] = false;
  }
  return o;
}
