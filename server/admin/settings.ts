// The console's settings: which config keys it shows, how a change is checked (typed, with sentences for people),
// and which of them the running server can take without a restart.
import { readStoredSettings, resolveConfig, writeStoredSettings, ConfigError, type ServerConfig, type StoredSettings } from '../core/config.js';
import { AdminError } from './admin-api.js';
import type { ConsoleSettings, SettingKey } from './console-api.js';
import { checkMucSetting, isMucSettingKey, MUC_RESTART_ONLY, MUC_SETTING_KEYS, pickMucSettings, storeMucChanges } from './muc-settings.js';

export const SETTING_KEYS: readonly SettingKey[] = [
  'domain', 'serverName', 'bind', 'c2sPort', 'tlsPort', 's2sPort', 'httpPort', 'registration', 'discovery', 'logLevel',
  'consoleRemote', 'offlineQuota', 'userStorageQuotaBytes', 'resourceConflict', ...MUC_SETTING_KEYS,
];

/** Settings that the running server reads on use (or that the service applies at once); the rest wait for a restart. */
export const LIVE_SETTINGS: ReadonlySet<SettingKey> = new Set<SettingKey>([
  'registration', 'discovery', 'logLevel', 'consoleRemote', 'offlineQuota', 'userStorageQuotaBytes', 'resourceConflict',
  ...MUC_SETTING_KEYS.filter((k) => !MUC_RESTART_ONLY.includes(k)),
]);

export const RESTART_ONLY: SettingKey[] = SETTING_KEYS.filter((k) => !LIVE_SETTINGS.has(k));

export const DEFAULT_FEDERATION_PORT = 5269;

export function pickSettings(c: ServerConfig): ConsoleSettings {
  return {
    domain: c.domain,
    serverName: c.serverName,
    bind: c.bind,
    c2sPort: c.c2sPort,
    tlsPort: c.tlsPort,
    s2sPort: c.s2sPort,
    httpPort: c.httpPort,
    registration: c.registration,
    discovery: c.discovery,
    logLevel: c.logLevel,
    consoleRemote: c.consoleRemote === true,
    offlineQuota: c.offlineQuota,
    userStorageQuotaBytes: c.userStorageQuotaBytes,
    resourceConflict: c.resourceConflict,
    ...pickMucSettings(c.muc),
  };
}

const PORT_LABELS: Record<'c2sPort' | 'tlsPort' | 's2sPort' | 'httpPort', string> = {
  c2sPort: 'The client port',
  tlsPort: 'The direct-TLS client port',
  s2sPort: 'The federation port',
  httpPort: 'The web port',
};

function port(key: keyof typeof PORT_LABELS, v: unknown): number | null {
  if (v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 65535) {
    throw new AdminError(`${PORT_LABELS[key]} must be a whole number from 1 to 65535, or off.`);
  }
  return v;
}

function bool(label: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new AdminError(`${label} must be on or off.`);
  return v;
}

function oneOf<T extends string>(label: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new AdminError(`${label} must be one of: ${allowed.join(', ')}.`);
  }
  return v as T;
}

/** Check a change set key by key; unknown keys and wrong types are refused with a sentence. */
export function checkSettingChanges(changes: unknown): Partial<ConsoleSettings> {
  if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
    throw new AdminError('The settings to change must be given as names and values.');
  }
  const out: Partial<ConsoleSettings> = {};
  for (const [key, v] of Object.entries(changes)) {
    switch (key) {
      case 'domain':
      case 'serverName':
      case 'bind': {
        const label = key === 'domain' ? 'The server address' : key === 'serverName' ? 'The server name' : 'The listening address';
        if (typeof v !== 'string' || v.trim() === '') throw new AdminError(`${label} cannot be empty.`);
        if (v.length > 253) throw new AdminError(`${label} is too long.`);
        out[key] = v.trim();
        break;
      }
      case 'c2sPort':
      case 'tlsPort':
      case 's2sPort':
      case 'httpPort':
        out[key] = port(key, v);
        break;
      case 'registration':
        out.registration = oneOf('Who may join', v, ['closed', 'invite', 'open'] as const);
        break;
      case 'discovery':
        out.discovery = bool('Discovery on the local network', v);
        break;
      case 'consoleRemote':
        out.consoleRemote = bool('Console access from other computers', v);
        break;
      case 'logLevel':
        out.logLevel = oneOf('The log level', v, ['error', 'warn', 'info', 'debug'] as const);
        break;
      case 'resourceConflict':
        out.resourceConflict = oneOf('What happens when a device reuses a connection name', v, ['new-resource', 'kick-old', 'refuse'] as const);
        break;
      case 'offlineQuota':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1_000_000) {
          throw new AdminError('Messages kept for offline users must be a whole number from 0 to 1000000.');
        }
        out.offlineQuota = v;
        break;
      case 'userStorageQuotaBytes':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 1024 ** 4) {
          throw new AdminError('The storage quota per person must be a whole number of bytes from 0 (no quota) to 1 TiB.');
        }
        out.userStorageQuotaBytes = v;
        break;
      default:
        if (!isMucSettingKey(key)) throw new AdminError(`"${key}" is not a setting the console can change.`);
        checkMucSetting(out, key, v);
    }
  }
  if (out.c2sPort === null && out.tlsPort === null) {
    throw new AdminError('Turn on at least one of the client ports, or no device can connect.');
  }
  return out;
}

/**
 * Save checked changes into config.json (keeping every other key in it) and return the configuration they give,
 * validated as a start would validate it. Nothing is written when that validation fails.
 */
export async function saveSettings(dataDir: string, changes: Partial<ConsoleSettings> & { setupDone?: boolean }): Promise<ServerConfig> {
  const stored = await readStoredSettings(dataDir);
  // Group chat settings live in config.json's "muc" block, not at its top level.
  const top = Object.fromEntries(Object.entries(changes).filter(([k]) => !isMucSettingKey(k))) as Partial<ConsoleSettings>;
  const next: StoredSettings = { ...stored, ...top };
  const muc = storeMucChanges(stored.muc, changes);
  if (muc !== undefined) next.muc = muc;
  let resolved: ServerConfig;
  try {
    resolved = resolveConfig(dataDir, next, {});
  } catch (err) {
    if (err instanceof ConfigError) throw new AdminError(err.message);
    throw err;
  }
  if (changes.domain !== undefined) next.domain = resolved.domain; // normalised (lowercase, IDNA)
  if (resolved.c2sPort === null && resolved.tlsPort === null) {
    throw new AdminError('Turn on at least one of the client ports, or no device can connect.');
  }
  await writeStoredSettings(dataDir, next);
  return resolved;
}

/** The saved settings (defaults where nothing is saved). */
export async function savedConfig(dataDir: string): Promise<ServerConfig> {
  try {
    return resolveConfig(dataDir, await readStoredSettings(dataDir), {});
  } catch (err) {
    if (err instanceof ConfigError) throw new AdminError(err.message);
    throw err;
  }
}
