// The group chat service's policy as console settings: flat keys (mucMaxRooms…) over config.json's nested "muc"
// block, each with its check (a sentence for people), where it is saved, and how the running server takes it.
// The MUC module reads config.muc whenever it uses a value, so every key but mucEnabled and mucSubdomain (which
// add or move the service's host) applies at once.
import type { MucSettings, StoredSettings } from '../core/config.js';
import { AdminError } from './admin-api.js';
import type { ConsoleSettings } from './console-api.js';

export const MUC_SETTING_KEYS = [
  'mucEnabled', 'mucSubdomain', 'mucCreateRooms', 'mucMaxRooms', 'mucMaxRoomsPerUser', 'mucMaxOccupants', 'mucHistoryLength',
  'mucDefaultPublic', 'mucDefaultPersistent', 'mucDefaultMembersOnly', 'mucDefaultModerated', 'mucDefaultWhois', 'mucDefaultAllowPm',
] as const;
export type MucSettingKey = typeof MUC_SETTING_KEYS[number];

/** Applied when Parley starts again: the service's host is added (or moved) at start only. */
export const MUC_RESTART_ONLY: readonly MucSettingKey[] = ['mucEnabled', 'mucSubdomain'];

/** config.json's "muc" block: only what was saved. */
export type StoredMuc = NonNullable<StoredSettings['muc']>;

export function isMucSettingKey(key: string): key is MucSettingKey {
  return (MUC_SETTING_KEYS as readonly string[]).includes(key);
}

export function pickMucSettings(m: MucSettings): Pick<ConsoleSettings, MucSettingKey> {
  const d = m.defaults;
  return {
    mucEnabled: m.enabled, mucSubdomain: m.subdomain, mucCreateRooms: m.createRooms, mucMaxRooms: m.maxRooms,
    mucMaxRoomsPerUser: m.maxRoomsPerUser, mucMaxOccupants: m.maxOccupants, mucHistoryLength: m.historyLength,
    mucDefaultPublic: d.public, mucDefaultPersistent: d.persistent, mucDefaultMembersOnly: d.membersOnly,
    mucDefaultModerated: d.moderated, mucDefaultWhois: d.whois, mucDefaultAllowPm: d.allowPm,
  };
}

interface Field<K extends MucSettingKey> {
  key: K;
  check(v: unknown): ConsoleSettings[K];
  /** Write the value into a "muc" block: config.json's (partial) or the running configuration's (in place). */
  set(target: StoredMuc, v: ConsoleSettings[K]): void;
}

function field<K extends MucSettingKey>(key: K, check: (v: unknown) => ConsoleSettings[K], set: (t: StoredMuc, v: ConsoleSettings[K]) => void): Field<K> {
  return { key, check, set };
}

function bool(label: string): (v: unknown) => boolean {
  return (v) => {
    if (typeof v !== 'boolean') throw new AdminError(`${label} must be on or off.`);
    return v;
  };
}

function count(label: string, min: number, max: number): (v: unknown) => number {
  return (v) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new AdminError(`${label} must be a whole number from ${min} to ${max}.`);
    return v;
  };
}

function oneOf<T extends string>(label: string, allowed: readonly T[]): (v: unknown) => T {
  return (v) => {
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new AdminError(`${label} must be one of: ${allowed.join(', ')}.`);
    return v as T;
  };
}

function subdomain(v: unknown): string {
  if (typeof v !== 'string' || v.trim() === '') throw new AdminError('The group chat service’s address cannot be empty; conference is usual.');
  const s = v.trim().toLowerCase();
  if (!/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(s)) {
    throw new AdminError(`"${v.trim()}" cannot name the group chat service; use letters, digits and dashes, like conference.`);
  }
  return s;
}

const defaults = (t: StoredMuc): NonNullable<StoredMuc['defaults']> => (t.defaults ??= {});

const FIELDS: readonly Field<MucSettingKey>[] = [
  field('mucEnabled', bool('Group chat'), (t, v) => { t.enabled = v; }),
  field('mucSubdomain', subdomain, (t, v) => { t.subdomain = v; }),
  field('mucCreateRooms', oneOf('Who may create rooms', ['everyone', 'admins'] as const), (t, v) => { t.createRooms = v; }),
  field('mucMaxRooms', count('The number of rooms', 0, 100_000), (t, v) => { t.maxRooms = v; }),
  field('mucMaxRoomsPerUser', count('The rooms one person may own', 0, 10_000), (t, v) => { t.maxRoomsPerUser = v; }),
  field('mucMaxOccupants', count('The people in one room', 1, 10_000), (t, v) => { t.maxOccupants = v; }),
  field('mucHistoryLength', count('The messages of history a room keeps', 0, 1000), (t, v) => { t.historyLength = v; }),
  field('mucDefaultPublic', bool('New rooms listed in the room directory'), (t, v) => { defaults(t).public = v; }),
  field('mucDefaultPersistent', bool('New rooms kept when empty'), (t, v) => { defaults(t).persistent = v; }),
  field('mucDefaultMembersOnly', bool('New rooms for members only'), (t, v) => { defaults(t).membersOnly = v; }),
  field('mucDefaultModerated', bool('New rooms moderated'), (t, v) => { defaults(t).moderated = v; }),
  field('mucDefaultWhois', oneOf('Who may see real addresses in new rooms', ['moderators', 'anyone'] as const), (t, v) => { defaults(t).whois = v; }),
  field('mucDefaultAllowPm', oneOf('Who may send private messages in new rooms', ['anyone', 'participants', 'moderators', 'none'] as const),
    (t, v) => { defaults(t).allowPm = v; }),
];

function fieldOf(key: MucSettingKey): Field<MucSettingKey> {
  const f = FIELDS.find((x) => x.key === key);
  if (!f) throw new Error(`no group chat setting ${key}`);
  return f;
}

/** Check one group chat setting into `out`. */
export function checkMucSetting(out: Partial<ConsoleSettings>, key: MucSettingKey, v: unknown): void {
  const f = fieldOf(key);
  // The field's check returns exactly ConsoleSettings[key]; TypeScript cannot follow the key through the union.
  (out as Record<MucSettingKey, unknown>)[key] = f.check(v);
}

/** The changes' group chat settings written into config.json's "muc" block (a new object; `stored` is kept). */
export function storeMucChanges(stored: StoredMuc | undefined, changes: Partial<ConsoleSettings>): StoredMuc | undefined {
  const keys = MUC_SETTING_KEYS.filter((k) => changes[k] !== undefined);
  if (keys.length === 0) return stored;
  const next: StoredMuc = { ...stored, ...(stored?.defaults ? { defaults: { ...stored.defaults } } : {}) };
  for (const k of keys) fieldOf(k).set(next, changes[k]!);
  return next;
}

/**
 * Apply a saved value to the running configuration's "muc" block, in place: the MUC module may hold that object
 * (and its defaults), and must see the new value on its next use.
 */
export function applyMucSetting(running: MucSettings, saved: MucSettings, key: MucSettingKey): void {
  fieldOf(key).set(running, pickMucSettings(saved)[key]);
}
