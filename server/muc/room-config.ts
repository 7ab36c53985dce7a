// A room's configuration (XEP-0045 §10.2, the muc#roomconfig fields of §16.5.3's registry), as plain data: what the
// owner's form sets, what the store keeps and what the admin console shows. The data form itself is
// config-form.ts; this file knows the values, their defaults and the room-type features they imply (§6.4).
import type { PmPolicy, WhoisPolicy } from '../core/room-policies.js';
import type { MucSettings } from '../core/config.js';
import type { Role } from './roles.js';

export type { PmPolicy, WhoisPolicy };

/** Roles as listed by presencebroadcast / getmemberlist. */
export type RoleList = readonly Exclude<Role, 'none'>[];

export interface RoomConfig {
  name: string;
  description: string;
  lang: string;
  /** Public logging of the room's discussions (status 170 on join). */
  logging: boolean;
  /** Participants may change the subject (else moderators only). */
  changeSubject: boolean;
  /** Occupants of an open room may invite others (moderators always may; members-only rooms: allowMemberInvites). */
  allowInvites: boolean;
  allowPm: PmPolicy;
  /** Occupants at most (0 = the service's own cap). */
  maxUsers: number;
  /** Roles whose presence is broadcast. */
  presenceBroadcast: RoleList;
  /** Roles that may retrieve the member list. */
  getMemberList: RoleList;
  public: boolean;
  persistent: boolean;
  moderated: boolean;
  membersOnly: boolean;
  passwordProtected: boolean;
  password: string;
  whois: WhoisPolicy;
  /** Messages of history sent to people entering (muc#maxhistoryfetch). */
  maxHistoryFetch: number;
  allowVoiceRequests: boolean;
  /** Seconds between two voice requests of one occupant. */
  voiceRequestMinInterval: number;
  /** Occupants may change their nickname. */
  canChangeNick: boolean;
  /** Users may register with the room (jabber:iq:register). */
  registration: boolean;
  /** Members may invite in a members-only room, their invitees becoming members (§9.5; else only admins and owners). */
  allowMemberInvites: boolean;
  /** Keep a message archive (XEP-0313, MUC-58; muc#roomconfig_enablearchiving, as Prosody names it). */
  archiving: boolean;
}

export const ALL_ROLES: RoleList = ['moderator', 'participant', 'visitor'];

/** A new room's configuration under the service's defaults (the admin sets those; owners change their room's). */
export function defaultRoomConfig(muc: MucSettings, roomName = ''): RoomConfig {
  const d = muc.defaults;
  return {
    name: roomName,
    description: '',
    lang: '',
    logging: false,
    changeSubject: false,
    allowInvites: true,
    allowPm: d.allowPm,
    maxUsers: 0,
    presenceBroadcast: ALL_ROLES,
    getMemberList: ALL_ROLES,
    public: d.public,
    persistent: d.persistent,
    moderated: d.moderated,
    membersOnly: d.membersOnly,
    passwordProtected: false,
    password: '',
    whois: d.whois,
    maxHistoryFetch: muc.historyLength,
    allowVoiceRequests: true,
    voiceRequestMinInterval: 1800,
    canChangeNick: true,
    registration: true,
    allowMemberInvites: false,
    archiving: true,
  };
}

/** Stored configs may predate a field: fill what is missing from the defaults. */
export function completeRoomConfig(stored: Partial<RoomConfig>, muc: MucSettings): RoomConfig {
  return { ...defaultRoomConfig(muc), ...stored };
}

/** The effective occupant cap: the room's maxusers under the service's. */
export function occupantCap(c: RoomConfig, muc: MucSettings): number {
  return c.maxUsers > 0 ? Math.min(c.maxUsers, muc.maxOccupants) : muc.maxOccupants;
}

/** The room keeps a message archive: persistent rooms, unless the owner switched it off (MUC-58). */
export function archivesMessages(c: RoomConfig): boolean {
  return c.archiving && c.persistent;
}

/** The room-type features of disco#info (XEP-0045 §6.4; DESIGN 11d): exactly one of each pair. */
export function roomTypeFeatures(c: RoomConfig): string[] {
  return [
    c.public ? 'muc_public' : 'muc_hidden',
    c.persistent ? 'muc_persistent' : 'muc_temporary',
    c.membersOnly ? 'muc_membersonly' : 'muc_open',
    c.moderated ? 'muc_moderated' : 'muc_unmoderated',
    c.whois === 'anyone' ? 'muc_nonanonymous' : 'muc_semianonymous',
    c.passwordProtected ? 'muc_passwordprotected' : 'muc_unsecured',
  ];
}
