// What people type about rooms, read once and refused with sentences: room names (RFC 7622 localparts), the
// settings of a new or changed room, nicks, and the addresses given affiliations. The admin socket and the HTTP API
// pass values through unchecked, so everything here takes `unknown`.
import { JidError, makeJid, parseJid, prepLocalpart } from '../core/jid.js';
import { MAX_TEXT_FIELD } from '../muc/config-form.js';
import { AFFILIATIONS, type Affiliation } from '../muc/roles.js';
import { AdminError } from './admin-api.js';
import type { NewRoom, RoomSettingsChange } from './room-api.js';

const MAX_TITLE = 200;
/** The service's own bound on a room's text fields: a longer one would pass here and be refused there. */
const MAX_DESCRIPTION = MAX_TEXT_FIELD;
const MAX_PASSWORD = 200;
const MAX_REASON = 1000;

/** JidError's text without its leading 'localpart "…" ', to follow "cannot be a room name:". */
function why(err: JidError): string {
  return 'it ' + err.message.replace(/^(localpart|resourcepart|domainpart) "(?:[^"\\]|\\.)*" /, '').replace(/\.$/, '');
}

/** A room given as its name ("team") or its address at the service ("team@conference.office.local"): the localpart. */
export function roomName(input: unknown, serviceDomain: string): string {
  if (typeof input !== 'string' || input.trim() === '') throw new AdminError('Give the room a name, like team.');
  const s = input.trim();
  const at = s.lastIndexOf('@');
  let local = s;
  if (at >= 0) {
    local = s.slice(0, at);
    const host = s.slice(at + 1);
    if (host.includes('/')) throw new AdminError(`Give the room without "/${host.slice(host.indexOf('/') + 1)}": ${local}@${serviceDomain}.`);
    if (host.toLowerCase() !== serviceDomain) {
      throw new AdminError(`${s} is not a room of this server, whose rooms are at ${serviceDomain}. Use ${local}@${serviceDomain}, or just ${local}.`);
    }
  }
  try {
    const prepared = prepLocalpart(local);
    if (prepared === '') throw new AdminError('Give the room a name, like team.');
    return prepared;
  } catch (err) {
    if (err instanceof JidError) throw new AdminError(`"${local}" cannot be a room name: ${why(err)}.`);
    throw err;
  }
}

/** A nick as an occupant is known in a room (an RFC 7622 resourcepart), prepared so that it compares. */
export function nickName(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') throw new AdminError('Say which occupant, by their nick in the room.');
  try {
    return makeJid('x', 'example.org', input).resource;
  } catch (err) {
    if (err instanceof JidError) throw new AdminError(`"${input}" cannot be a nick: ${why(err)}.`);
    throw err;
  }
}

/**
 * A person's bare JID: a name ("bob") is an account of this server, an address ("bob@example.org") may be anywhere.
 * `account` is the account's name when the address is of this server. `what` names the field ("The owner").
 */
export function personJid(input: unknown, domain: string, what: string): { jid: string; account: string | null } {
  if (typeof input !== 'string' || input.trim() === '') throw new AdminError(`${what} must be an address, like bob@${domain}, or a name of this server, like bob.`);
  const s = input.trim();
  try {
    const jid = s.includes('@') ? parseJid(s) : makeJid(s, domain);
    if (jid.resource !== '') throw new AdminError(`Give ${what.toLowerCase()} without "/${jid.resource}": ${jid.bareString()}.`);
    if (jid.local === '') throw new AdminError(`${what} must be a person's address, like bob@${domain}, not a server.`);
    return { jid: jid.bareString(), account: jid.domain === domain ? jid.local : null };
  } catch (err) {
    if (err instanceof JidError) throw new AdminError(`"${s}" is not a valid address for ${what.toLowerCase()}: ${err.message.replace(/^Invalid JID "(?:[^"\\]|\\.)*": /, '').replace(/\.$/, '')}.`);
    throw err;
  }
}

export function affiliation(input: unknown): Affiliation {
  if (typeof input !== 'string' || !(AFFILIATIONS as readonly string[]).includes(input)) {
    throw new AdminError('The affiliation must be one of: owner, admin, member, none, outcast (banned).');
  }
  return input as Affiliation;
}

/** A reason given to the people concerned ('' for none). */
export function reasonText(input: unknown): string {
  if (input === undefined) return '';
  if (typeof input !== 'string') throw new AdminError('The reason must be text.');
  const r = input.trim();
  if (r.length > MAX_REASON) throw new AdminError(`The reason is too long (at most ${MAX_REASON} characters).`);
  return r;
}

function text(label: string, v: unknown, max: number, trim = true): string {
  if (typeof v !== 'string') throw new AdminError(`${label} must be text.`);
  const t = trim ? v.trim() : v;
  if (t.length > max) throw new AdminError(`${label} is too long (at most ${max} characters).`);
  return t;
}

function bool(label: string, v: unknown): boolean {
  if (typeof v !== 'boolean') throw new AdminError(`${label} must be on or off.`);
  return v;
}

function oneOf<T extends string>(label: string, v: unknown, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new AdminError(`${label} must be one of: ${allowed.join(', ')}.`);
  return v as T;
}

/** Check a room's setting changes key by key; `maxOccupants` is the service's cap (a room's can only be lower). */
export function roomSettingsChange(input: unknown, maxOccupants: number, extra: readonly string[] = []): RoomSettingsChange {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AdminError('The room settings must be given as names and values.');
  const out: RoomSettingsChange = {};
  for (const [key, v] of Object.entries(input)) {
    switch (key) {
      case 'name': out.name = text('The room’s title', v, MAX_TITLE); break;
      case 'description': out.description = text('The room’s description', v, MAX_DESCRIPTION); break;
      case 'password': out.password = text('The room’s password', v, MAX_PASSWORD, false); break;
      case 'public': out.public = bool('Listed in the room directory', v); break;
      case 'persistent': out.persistent = bool('Kept when empty', v); break;
      case 'membersOnly': out.membersOnly = bool('Members only', v); break;
      case 'moderated': out.moderated = bool('Moderated', v); break;
      case 'changeSubject': out.changeSubject = bool('Participants may change the subject', v); break;
      case 'allowInvites': out.allowInvites = bool('Occupants may invite others', v); break;
      case 'whois': out.whois = oneOf('Who may see real addresses', v, ['moderators', 'anyone'] as const); break;
      case 'allowPm': out.allowPm = oneOf('Who may send private messages', v, ['anyone', 'participants', 'moderators', 'none'] as const); break;
      case 'maxUsers':
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > maxOccupants) {
          throw new AdminError(`The most people in the room must be a whole number from 0 (the service’s limit) to ${maxOccupants}.`);
        }
        out.maxUsers = v;
        break;
      default:
        if (!extra.includes(key)) throw new AdminError(`"${key}" is not a room setting the console can change.`);
    }
  }
  return out;
}

/** A new room's settings and owner. */
export function newRoom(input: unknown, domain: string, maxOccupants: number): { settings: RoomSettingsChange; owner: { jid: string; account: string | null } | null } {
  const settings = roomSettingsChange(input ?? {}, maxOccupants, ['owner']);
  const raw = (input as NewRoom | undefined)?.owner;
  const owner = raw === undefined || raw === '' ? null : personJid(raw, domain, 'The owner');
  return { settings, owner };
}
