// Changing someone's affiliation and telling everyone concerned (XEP-0045 §9, §10; MUC-40, MUC-42, MUC-43, MUC-52):
// a ban (outcast) removes the user's occupants with 301; losing membership of a members-only room removes them with
// 321; any other change gives them the role the new affiliation carries and announces it. Shared by muc#admin, the
// owner's form (roomowners/roomadmins) and the admin console.
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { defaultRole, type Affiliation, type Role } from './roles.js';
import { removeOccupant } from './occupant-presence.js';

export interface ChangeContext {
  reason?: string;
  /** The nick of the occupant who made the change (shown as <actor/>), if one did. */
  actorNick?: string;
}

/** Set `bare`'s affiliation in memory and announce it to the occupants; the caller saves the room afterwards. */
export async function changeAffiliation(svc: MucService, room: Room, bare: string, affiliation: Affiliation, cx: ChangeContext = {}): Promise<void> {
  room.setAffiliation(bare, affiliation, cx.reason);
  for (const o of room.occupantsOf(bare)) {
    if (affiliation === 'outcast') {
      await removeOccupant(svc, room, o, { codes: [301], affiliation: 'outcast', reason: cx.reason, actorNick: cx.actorNick });
      continue;
    }
    const role: Role | null = defaultRole(affiliation, room.config);
    if (role === null) {
      // Not allowed in any more: a members-only room's member lost membership.
      await removeOccupant(svc, room, o, { codes: [321], affiliation, reason: cx.reason, actorNick: cx.actorNick });
      continue;
    }
    // A moderator role granted by hand (§8.4) outlives a change that would give a lower one only for owners/admins.
    o.role = role;
    svc.broadcastPresence(room, o, { reason: cx.reason, actorNick: cx.actorNick });
  }
}

/** Change an occupant's role (kick = 'none': 307) and announce it (XEP-0045 §8; MUC-38, MUC-39, MUC-43). */
export async function changeRole(svc: MucService, room: Room, nick: string, role: Role, cx: ChangeContext = {}): Promise<void> {
  const o = room.occupants.get(nick);
  if (!o) return;
  if (role === 'none') {
    await removeOccupant(svc, room, o, { codes: [307], reason: cx.reason, actorNick: cx.actorNick });
    return;
  }
  o.role = role;
  svc.broadcastPresence(room, o, { reason: cx.reason, actorNick: cx.actorNick });
}
