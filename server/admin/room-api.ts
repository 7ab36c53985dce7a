// Group chat rooms as the console, IPC and the CLI see them: plain JSON-safe types, shared with the renderer (which
// imports this file for its types only, so it imports nothing that needs Node). server/admin/room-admin.ts maps the
// MUC service's own types (server/muc/muc-admin.ts) to these.
import type { Affiliation, Role } from '../muc/roles.js';

export type { Affiliation, Role } from '../muc/roles.js';
export type RoomWhois = 'moderators' | 'anyone';
export type RoomPmPolicy = 'anyone' | 'participants' | 'moderators' | 'none';

/** One room in the list. */
export interface RoomInfo {
  /** The room's bare JID, e.g. team@conference.office.local. */
  jid: string;
  /** Its localpart, e.g. team. */
  room: string;
  /** The title people see (muc#roomconfig_roomname); '' for none. */
  name: string;
  description: string;
  subject: string;
  /** People in the room now (0 when no server runs). */
  occupants: number;
  public: boolean;
  persistent: boolean;
  membersOnly: boolean;
  moderated: boolean;
  passwordProtected: boolean;
  /** Created by a client and not yet configured by its owner: nobody else can enter. */
  locked: boolean;
  /** ISO 8601. */
  createdAt: string;
}

/** The part of a room's configuration the console shows and changes (the owner's form has more). */
export interface RoomSettings {
  name: string;
  description: string;
  public: boolean;
  persistent: boolean;
  membersOnly: boolean;
  moderated: boolean;
  passwordProtected: boolean;
  /** Who may see occupants' real addresses. */
  whois: RoomWhois;
  /** Who may send private messages to occupants. */
  allowPm: RoomPmPolicy;
  /** Occupants at most; 0 = the service's limit. */
  maxUsers: number;
  /** Participants (not only moderators) may change the subject. */
  changeSubject: boolean;
  /** Occupants may invite others. */
  allowInvites: boolean;
}

/**
 * Changes to a room's settings: only the fields given change. `password` sets the room's password (and makes it
 * password-protected); '' removes it. The password itself is never sent back.
 */
export type RoomSettingsChange = Partial<Omit<RoomSettings, 'passwordProtected'>> & { password?: string };

/** A new room: its settings (the service's defaults fill the rest) and, optionally, its owner. */
export type NewRoom = RoomSettingsChange & {
  /** A bare JID, or the name of an account of this server; absent: only the service's administrators own it. */
  owner?: string;
};

export interface RoomOccupant {
  nick: string;
  /** The occupant's real bare JID. */
  jid: string;
  /** Full JIDs joined under this nick (several clients of one person share it). */
  resources: string[];
  role: Role;
  affiliation: Affiliation;
}

export interface RoomMember {
  jid: string;
  affiliation: Exclude<Affiliation, 'none'>;
  /** The nick reserved for them ('' for none). */
  nick: string;
  reason: string;
}

export interface RoomView extends RoomInfo {
  settings: RoomSettings;
  occupantList: RoomOccupant[];
  /** Owners, admins, members and outcasts (banned). */
  affiliations: RoomMember[];
}

export interface RoomChange {
  /** The room's bare JID. */
  jid: string;
}

export interface OccupantKick extends RoomChange {
  nick: string;
}

export interface AffiliationChange extends RoomChange {
  /** The bare JID whose affiliation changed. */
  user: string;
  affiliation: Affiliation;
}
