// Group chat rooms as the console, IPC and the CLI see them: plain JSON-safe types, shared with the renderer (which
// imports this file for its types only, so it imports nothing that needs Node). A room, an occupant and an
// affiliation are the MUC service's own (server/muc/room-summary.ts) as JSON; room-view.ts maps them, and the room's
// configuration to the console's part of it.
import type { PmPolicy, WhoisPolicy } from '../core/room-policies.js';
import type { Affiliation } from '../muc/roles.js';
import type { AffiliationInfo, OccupantInfo, RoomSummary } from '../muc/room-summary.js';

export type { Affiliation, Role } from '../muc/roles.js';
export type RoomWhois = WhoisPolicy;
export type RoomPmPolicy = PmPolicy;

/**
 * One room in the list: the service's summary (server/muc/room-summary.ts) as JSON. With no server running, a stored
 * room (stored-rooms.ts) has no occupants and is not locked.
 */
export interface RoomInfo extends Omit<RoomSummary, 'createdAt'> {
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

export type RoomOccupant = OccupantInfo;

/** An affiliation, with '' for no reserved nick or no reason. */
export type RoomMember = Required<AffiliationInfo>;

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
