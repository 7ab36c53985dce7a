// The room configuration form (XEP-0045 §10.2, §16.5.3; MUC-49, MUC-51): RoomConfig ⇄ muc#roomconfig data form.
// Owners and admins are not configuration but affiliations; the form shows them (roomowners, roomadmins) and a
// submitted change to them comes back as affiliation changes for the caller to apply and announce (MUC-52).
import type { Element } from '../core/xml.js';
import { StanzaError } from '../core/errors.js';
import { tryParseJid } from '../core/jid.js';
import { dataForm, formFields, type FieldSpec } from '../modules/data-form.js';
import type { MucSettings } from '../core/config.js';
import { MUC_NS } from './muc-ns.js';
import { ALL_ROLES, type PmPolicy, type RoleList, type RoomConfig, type WhoisPolicy } from './room-config.js';
import type { Room } from './room.js';

const C = 'muc#roomconfig_';
const ROLE_OPTIONS = [['moderator', 'Moderators'], ['participant', 'Participants'], ['visitor', 'Visitors']] as const;
/** Longest free-text value accepted (names, descriptions, passwords): bad input is refused, not stored. */
export const MAX_TEXT_FIELD = 1024;

const bool = (b: boolean): string => (b ? '1' : '0');

export function configForm(room: Room, muc: MucSettings): Element {
  const c = room.config;
  const fields: FieldSpec[] = [
    { var: `${C}roomname`, type: 'text-single', label: 'Title', values: [c.name] },
    { var: `${C}roomdesc`, type: 'text-single', label: 'Description', values: [c.description] },
    { var: `${C}lang`, type: 'text-single', label: 'Language of discussion', values: [c.lang] },
    { var: `${C}persistentroom`, type: 'boolean', label: 'Keep the room when the last person leaves', values: [bool(c.persistent)] },
    { var: `${C}publicroom`, type: 'boolean', label: 'List the room in the directory', values: [bool(c.public)] },
    { var: `${C}membersonly`, type: 'boolean', label: 'Only members may enter', values: [bool(c.membersOnly)] },
    { var: `${C}moderatedroom`, type: 'boolean', label: 'Only people with voice may speak', values: [bool(c.moderated)] },
    { var: `${C}passwordprotectedroom`, type: 'boolean', label: 'Password required to enter', values: [bool(c.passwordProtected)] },
    { var: `${C}roomsecret`, type: 'text-private', label: 'Password', values: [c.password] },
    { var: `${C}whois`, type: 'list-single', label: 'Who may see real addresses', values: [c.whois], options: [['moderators', 'Moderators only'], ['anyone', 'Anyone']] },
    { var: `${C}maxusers`, type: 'list-single', label: 'Most people in the room', values: [c.maxUsers === 0 ? 'none' : String(Math.min(c.maxUsers, muc.maxOccupants))],
      options: [['none', `No limit but the server's (${muc.maxOccupants})`], ...['10', '20', '30', '50', '100', '200', '500'].filter((n) => Number(n) <= muc.maxOccupants).map((n) => [n, n] as const)] },
    { var: `${C}enablelogging`, type: 'boolean', label: 'Log the discussion publicly', values: [bool(c.logging)] },
    { var: `${C}changesubject`, type: 'boolean', label: 'Participants may change the subject', values: [bool(c.changeSubject)] },
    { var: `${C}allowinvites`, type: 'boolean', label: 'Occupants may invite others (open rooms)', values: [bool(c.allowInvites)] },
    { var: `${C}allowmemberinvites`, type: 'boolean', label: 'Members may invite others to a members-only room', values: [bool(c.allowMemberInvites)] },
    { var: `${C}allowpm`, type: 'list-single', label: 'Who may send private messages', values: [c.allowPm],
      options: [['anyone', 'Anyone'], ['participants', 'Participants and moderators'], ['moderators', 'Moderators only'], ['none', 'Nobody']] },
    { var: `${C}presencebroadcast`, type: 'list-multi', label: 'Roles whose presence is shown', values: [...c.presenceBroadcast], options: ROLE_OPTIONS },
    { var: `${C}getmemberlist`, type: 'list-multi', label: 'Roles that may see the member list', values: [...c.getMemberList], options: ROLE_OPTIONS },
    { var: `${C}allowvoicerequests`, type: 'boolean', label: 'Visitors may ask for voice', values: [bool(c.allowVoiceRequests)] },
    { var: `${C}voicerequestmininterval`, type: 'text-single', label: 'Seconds between voice requests', values: [String(c.voiceRequestMinInterval)] },
    { var: `${C}canchangenick`, type: 'boolean', label: 'Occupants may change their nickname', values: [bool(c.canChangeNick)] },
    { var: `${C}registration`, type: 'boolean', label: 'Users may register with the room', values: [bool(c.registration)] },
    { var: `${C}enablearchiving`, type: 'boolean', label: 'Keep a message archive (persistent rooms)', values: [bool(c.archiving)] },
    { var: 'muc#maxhistoryfetch', type: 'text-single', label: `Messages of history sent on entering (at most ${muc.historyLength})`, values: [String(Math.min(c.maxHistoryFetch, muc.historyLength))] },
    { var: `${C}roomadmins`, type: 'jid-multi', label: 'Room administrators', values: room.withAffiliation('admin') },
    { var: `${C}roomowners`, type: 'jid-multi', label: 'Room owners', values: room.withAffiliation('owner') },
  ];
  return dataForm('form', MUC_NS.roomconfig, fields, `Configuration of ${room.jid}`);
}

export interface SubmittedConfig {
  config: RoomConfig;
  /** New owner / admin lists when the form carried them (bare JIDs), else null. */
  owners: string[] | null;
  admins: string[] | null;
}

function parseBool(name: string, v: string): boolean {
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new StanzaError('not-acceptable', { text: `${name} takes a boolean, not "${v}"` });
}

function parseCount(name: string, v: string, max: number): number {
  if (!/^\d{1,9}$/.test(v) || Number(v) > max) throw new StanzaError('not-acceptable', { text: `${name} takes a whole number up to ${max}, not "${v}"` });
  return Number(v);
}

function text(name: string, v: string): string {
  if (v.length > MAX_TEXT_FIELD) throw new StanzaError('not-acceptable', { text: `${name} may have ${MAX_TEXT_FIELD} characters at most` });
  return v;
}

/** A request's optional <reason/> (muc#admin items, XEP-0425 moderation): none when absent or empty, bounded as text. */
export function reasonOf(e: Element): string | undefined {
  const r = e.getChildText('reason');
  if (r === null || r === undefined || r === '') return undefined;
  return text('a reason', r);
}

function roles(name: string, values: string[]): RoleList {
  const out = values.filter((v) => v !== '');
  for (const v of out) if (!(ALL_ROLES as readonly string[]).includes(v)) throw new StanzaError('not-acceptable', { text: `${name}: "${v}" is not a role` });
  return out as unknown as RoleList;
}

function jids(name: string, values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (v === '') continue;
    const j = tryParseJid(v);
    if (!j || j.resource) throw new StanzaError('not-acceptable', { text: `${name}: "${v}" is not a bare address` });
    out.push(j.bareString());
  }
  return out;
}

/**
 * Apply a submitted form to the room's current configuration (fields not in the form keep their values; an empty
 * submitted form is the instant room, §10.1.2). Invalid values → not-acceptable, nothing applied (MUC-49).
 */
export function applyConfigForm(x: Element, room: Room, muc: MucSettings): SubmittedConfig {
  const fields = formFields(x);
  const ft = fields.get('FORM_TYPE')?.[0];
  if (ft !== undefined && ft !== MUC_NS.roomconfig) throw new StanzaError('bad-request', { text: `expected a form of FORM_TYPE ${MUC_NS.roomconfig}` });
  const c: RoomConfig = { ...room.config };
  let owners: string[] | null = null;
  let admins: string[] | null = null;
  for (const [name, values] of fields) {
    const v = values[0] ?? '';
    switch (name) {
      case 'FORM_TYPE': break;
      case `${C}roomname`: c.name = text(name, v); break;
      case `${C}roomdesc`: c.description = text(name, v); break;
      case `${C}lang`: c.lang = text(name, v).slice(0, 35); break;
      case `${C}persistentroom`: c.persistent = parseBool(name, v); break;
      case `${C}publicroom`: c.public = parseBool(name, v); break;
      case `${C}membersonly`: c.membersOnly = parseBool(name, v); break;
      case `${C}moderatedroom`: c.moderated = parseBool(name, v); break;
      case `${C}passwordprotectedroom`: c.passwordProtected = parseBool(name, v); break;
      case `${C}roomsecret`: c.password = text(name, v); break;
      case `${C}whois`:
        if (v !== 'moderators' && v !== 'anyone') throw new StanzaError('not-acceptable', { text: `${name} is moderators or anyone, not "${v}"` });
        c.whois = v as WhoisPolicy;
        break;
      case `${C}maxusers`: c.maxUsers = v === 'none' || v === '' ? 0 : parseCount(name, v, muc.maxOccupants); break;
      case `${C}enablelogging`: c.logging = parseBool(name, v); break;
      case `${C}changesubject`: c.changeSubject = parseBool(name, v); break;
      case `${C}allowinvites`: c.allowInvites = parseBool(name, v); break;
      case `${C}allowmemberinvites`: c.allowMemberInvites = parseBool(name, v); break;
      case `${C}allowpm`:
        if (!['anyone', 'participants', 'moderators', 'none'].includes(v)) throw new StanzaError('not-acceptable', { text: `${name}: "${v}" is not a choice` });
        c.allowPm = v as PmPolicy;
        break;
      case `${C}presencebroadcast`: c.presenceBroadcast = roles(name, values); break;
      case `${C}getmemberlist`: c.getMemberList = roles(name, values); break;
      case `${C}allowvoicerequests`: c.allowVoiceRequests = parseBool(name, v); break;
      case `${C}voicerequestmininterval`: c.voiceRequestMinInterval = parseCount(name, v, 86400 * 365); break;
      case `${C}canchangenick`: c.canChangeNick = parseBool(name, v); break;
      case `${C}registration`: c.registration = parseBool(name, v); break;
      case `${C}enablearchiving`: c.archiving = parseBool(name, v); break;
      case 'muc#maxhistoryfetch': c.maxHistoryFetch = parseCount(name, v, muc.historyLength); break;
      case `${C}roomadmins`: admins = jids(name, values); break;
      case `${C}roomowners`: owners = jids(name, values); break;
      default: break;   // unknown fields are ignored, as XEP-0004 lets a receiver do
    }
  }
  if (c.passwordProtected && c.password === '') throw new StanzaError('not-acceptable', { text: 'a password-protected room needs a password' });   // MUC-49
  if (!c.passwordProtected) c.password = '';
  if (owners !== null && owners.length === 0) throw new StanzaError('conflict', { text: 'a room needs at least one owner' });   // MUC-44
  return { config: c, owners, admins };
}
