// What the group chat service tells the admin side about its rooms, as plain data: the list's summary, an
// occupant, an affiliation (muc-admin.ts's MucAdminApi answers with them). The console's JSON types build on these
// (admin/room-api.ts), and the renderer type-checks that file: import types only, and only from files that need
// no Node (roles.ts), never room-config.ts or the router.
import type { Affiliation, Role } from './roles.js';

/** One room in the list. */
export interface RoomSummary {
  /** The room's bare JID, e.g. team@conference.office.local. */
  jid: string;
  /** Its localpart, e.g. team. */
  room: string;
  /** The title people see (muc#roomconfig_roomname); '' for none. */
  name: string;
  description: string;
  subject: string;
  /** People in the room now. */
  occupants: number;
  public: boolean;
  persistent: boolean;
  membersOnly: boolean;
  moderated: boolean;
  passwordProtected: boolean;
  /** Created by a client and not yet configured by its owner (XEP-0045 §10.1): nobody else can enter. */
  locked: boolean;
  /** Milliseconds since the epoch. */
  createdAt: number;
}

export interface OccupantInfo {
  nick: string;
  /** The occupant's real bare JID (the console is the service's admin: it sees them). */
  jid: string;
  /** Full JIDs joined under this nick (one user's several clients share a nick). */
  resources: string[];
  role: Role;
  affiliation: Affiliation;
}

export interface AffiliationInfo {
  jid: string;
  affiliation: Exclude<Affiliation, 'none'>;
  /** The nick reserved for them. */
  nick?: string;
  reason?: string;
}
