// Server configuration: defaults, the config file in the data dir (written by the setup wizard), and command-line
// overrides, merged in that order. Validation errors are sentences for people, never stack traces.
import os from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { prepDomainpart, JidError } from './jid.js';

export type RegistrationPolicy = 'closed' | 'invite' | 'open';
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
/** What happens when a client binds a resource that is already in use (RFC 6120 §7.7.2.2, CORE-43). */
export type ResourceConflictPolicy = 'new-resource' | 'kick-old' | 'refuse';

export interface Limits {
  enabled: boolean;
  maxStanzaBytes: number;
  maxHeaderBytes: number;
  maxDepth: number;
  maxConnectionsPerIp: number;
  maxConnections: number;
  /** Sustained inbound bytes per second per connection; bursts up to `burstBytes` are allowed. */
  bytesPerSecond: number;
  burstBytes: number;
  /** Failed SASL attempts on one stream before it is closed with policy-violation (CORE-33). */
  authAttemptsPerStream: number;
  /** Failed logins per account+address before a lockout; the lockout doubles on each further failure. */
  authFailuresBeforeLockout: number;
  lockoutBaseSeconds: number;
  lockoutMaxSeconds: number;
  maxResourcesPerAccount: number;
  bindAttempts: number;
  /** Seconds an unauthenticated connection may take to log in (BAD-12). */
  preAuthTimeoutSeconds: number;
}

export interface ServerConfig {
  dataDir: string;
  domain: string;
  bind: string;
  c2sPort: number | null;
  tlsPort: number | null;
  s2sPort: number | null;
  httpPort: number | null;
  discovery: boolean;
  registration: RegistrationPolicy;
  logLevel: LogLevel;
  /** STARTTLS required before authentication (appliance default; CORE-16). */
  requireTls: boolean;
  resourceConflict: ResourceConflictPolicy;
  /** Seconds to wait for a peer's closing tag before dropping the connection (CORE-10). */
  closeTimeoutSeconds: number;
  scramIterations: number;
  serverName: string;
  limits: Limits;
}

export const DEFAULT_LIMITS: Limits = {
  enabled: true,
  maxStanzaBytes: 256 * 1024,
  maxHeaderBytes: 8 * 1024,
  maxDepth: 64,
  maxConnectionsPerIp: 50,
  maxConnections: 20000,
  bytesPerSecond: 256 * 1024,
  burstBytes: 1024 * 1024,
  authAttemptsPerStream: 5,
  authFailuresBeforeLockout: 5,
  lockoutBaseSeconds: 30,
  lockoutMaxSeconds: 3600,
  maxResourcesPerAccount: 20,
  bindAttempts: 8,
  preAuthTimeoutSeconds: 60,
};

/** Limits when switched off with --limits off (for benchmarks): the protocol floors stay, the throttles go. */
export const NO_LIMITS: Limits = {
  ...DEFAULT_LIMITS,
  enabled: false,
  maxStanzaBytes: 16 * 1024 * 1024,
  maxConnectionsPerIp: Number.MAX_SAFE_INTEGER,
  maxConnections: Number.MAX_SAFE_INTEGER,
  bytesPerSecond: Number.MAX_SAFE_INTEGER,
  burstBytes: Number.MAX_SAFE_INTEGER,
  authFailuresBeforeLockout: Number.MAX_SAFE_INTEGER,
  maxResourcesPerAccount: 1000,
  preAuthTimeoutSeconds: 300,
};

export function defaultDataDir(): string {
  const home = os.homedir();
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Parley');
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Parley');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'parley');
}

export function defaultDomain(): string {
  const host = os.hostname().split('.')[0].toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '') || 'parley';
  return `${host}.local`;
}

export function defaultConfig(dataDir: string = defaultDataDir()): ServerConfig {
  return {
    dataDir,
    domain: defaultDomain(),
    bind: '0.0.0.0',
    c2sPort: 5222,
    tlsPort: 5223,
    s2sPort: null,
    httpPort: 5280,
    discovery: true,
    registration: 'invite',
    logLevel: 'info',
    requireTls: true,
    resourceConflict: 'new-resource',
    closeTimeoutSeconds: 10,
    scramIterations: 4096,
    serverName: 'Parley',
    limits: { ...DEFAULT_LIMITS },
  };
}

export class ConfigError extends Error {}

export const CONFIG_FILE = 'config.json';

/** Settings the wizard saves; anything not present keeps its default. */
export type StoredSettings = Partial<Omit<ServerConfig, 'dataDir' | 'limits'>> & { limits?: Partial<Limits> };

export async function readStoredSettings(dataDir: string): Promise<StoredSettings> {
  const file = path.join(dataDir, CONFIG_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`Cannot read ${file}: ${(err as Error).message}.`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as StoredSettings;
  } catch {
    throw new ConfigError(`${file} is not valid JSON. Fix it by hand, or delete it to go back to the defaults.`);
  }
}

export async function writeStoredSettings(dataDir: string, settings: StoredSettings): Promise<void> {
  const file = path.join(dataDir, CONFIG_FILE);
  const tmp = file + '.tmp';
  await fs.writeFile(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
  await fs.rename(tmp, file);
}

/** Merge defaults ← stored settings ← overrides, then validate. */
export function resolveConfig(dataDir: string, stored: StoredSettings, overrides: StoredSettings): ServerConfig {
  const base = defaultConfig(dataDir);
  const merged: ServerConfig = { ...base, ...stored, ...overrides, dataDir, limits: { ...base.limits, ...stored.limits, ...overrides.limits } };
  if (merged.limits.enabled === false && overrides.limits?.enabled === false) {
    merged.limits = { ...NO_LIMITS, ...overrides.limits };
  }
  validateConfig(merged);
  return merged;
}

export function validateConfig(c: ServerConfig): void {
  try {
    c.domain = prepDomainpart(c.domain);
  } catch (err) {
    const why = err instanceof JidError ? err.message : String(err);
    throw new ConfigError(`"${c.domain}" cannot be used as the server's domain: ${why}. Use a name like office.local or chat.example.org.`);
  }
  for (const key of ['c2sPort', 'tlsPort', 's2sPort', 'httpPort'] as const) {
    const v = c[key];
    if (v !== null && (!Number.isInteger(v) || v < 0 || v > 65535)) {
      throw new ConfigError(`Port ${v} for ${key} is not a port number; use a number from 1 to 65535, or "off".`);
    }
  }
  if (!['closed', 'invite', 'open'].includes(c.registration)) {
    throw new ConfigError(`Registration policy "${c.registration}" is unknown; use closed, invite or open.`);
  }
  if (!['error', 'warn', 'info', 'debug'].includes(c.logLevel)) {
    throw new ConfigError(`Log level "${c.logLevel}" is unknown; use error, warn, info or debug.`);
  }
  if (c.limits.maxStanzaBytes < 10000) {
    throw new ConfigError('The stanza size limit must be at least 10000 bytes (RFC 6120 §13.12).');
  }
}
