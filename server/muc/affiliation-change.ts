// Affiliation and role changes, applied and announced to everyone concerned (XEP-0045 §9, §10; MUC-40, MUC-42, MUC-43, MUC-52):
// a ban (outcast) removes the user's occupants with 301; losing membership of a members-only room removes them with
// 321; any other change gives them the role the new affiliation carries and announces it. Shared by muc#admin, the
// owner's form (roomowners/roomadmins) and the admin console. The changes themselves are synchronous and hold their
// announcements in an Outbox: muc#admin applies a whole request without yielding, then sends them around its answer
// (the removed hear first, then the requester, then the others, §8.2); changeAffiliation/changeRole send at once.
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { Occupant } from './occupant.js';
import { Outbox } from './outbox.js';
import type { PresenceDetails } from './occupant-xml.js';
import { defaultRole, roleRank, type Affiliation, type Role } from './roles.js';

export interface ChangeContext {
  reason?: string;
  /** The nick of the occupant who made the change (shown as <actor/>), if one did. */
  actorNick?: string;
}

/** Set `jid`'s affiliation in memory and announce it to the occupants; the caller saves the room afterwards. */
export async function changeAffiliation(svc: MucService, room: Room, jid: string, affiliation: Affiliation, cx: ChangeContext = {}): Promise<void> {
  const outbox = new Outbox();
  applyAffiliation(svc, room, jid, affiliation, cx, outbox);
  await announceNow(svc, room, outbox);
}

/** Change an occupant's role (kick = 'none': 307) and announce it (XEP-0045 §8; MUC-38, MUC-39, MUC-43). */
export async function changeRole(svc: MucService, room: Room, nick: string, role: Role, cx: ChangeContext = {}): Promise<void> {
  const outbox = new Outbox();
  applyRole(svc, room, nick, role, cx, outbox);
  await announceNow(svc, room, outbox);
}

async function announceNow(svc: MucService, room: Room, outbox: Outbox): Promise<void> {
  outbox.flushBeforeAnswer();
  outbox.flushAfterAnswer();
  await svc.dropIfAbandoned(room);   // a temporary room whose last occupants were just removed
}

/**
 * The occupants an affiliation of `jid` applies to: the user's own; for a bare domain (a ban of a whole server,
 * §9.2 "user@domain, then domain") also every user of that domain who has no affiliation of their own.
 */
function occupantsCoveredBy(room: Room, jid: string): Occupant[] {
  if (jid.includes('@')) return room.occupantsOf(jid);
  return [...room.occupants.values()].filter((o) => o.bare === jid || (o.bare.endsWith(`@${jid}`) && !room.affiliations.has(o.bare)));
}

/**
 * Set `jid`'s affiliation and update its occupants, without yielding; their announcements go to `outbox`. The caller
 * saves the room, flushes the outbox and drops a temporary room left empty.
 */
export function applyAffiliation(svc: MucService, room: Room, jid: string, affiliation: Affiliation, cx: ChangeContext, outbox: Outbox): void {
  const covered = occupantsCoveredBy(room, jid).map((o) => ({ o, was: room.affiliationOf(o.bare) }));
  room.setAffiliation(jid, affiliation, cx.reason);
  const details = { reason: cx.reason, actorNick: cx.actorNick };
  for (const { o, was } of covered) {
    if (affiliation === 'outcast') {
      remove(svc, room, o, { ...details, codes: [301], affiliation: 'outcast' }, outbox);
      continue;
    }
    const role: Role | null = defaultRole(affiliation, room.config);
    if (role === null) {
      // Not allowed in any more: a members-only room's member lost membership (§9.4: only the removal is sent).
      remove(svc, room, o, { ...details, codes: [321], affiliation }, outbox);
      continue;
    }
    // §5.1.3: the role an affiliation brings is stable; the one lost with an affiliation is the service's call. A
    // moderator by being owner/admin falls to the new default; a role granted by hand (a moderator, a voiced
    // visitor) is not lowered by an affiliation change.
    o.role = was === 'owner' || was === 'admin' || roleRank(role) > roleRank(o.role) ? role : o.role;
    announce(svc, room, o, details, outbox);
  }
}

/** Change the role of the occupant called `nick` (none: a kick, 307), without yielding; announcements to `outbox`. */
export function applyRole(svc: MucService, room: Room, nick: string, role: Role, cx: ChangeContext, outbox: Outbox): void {
  const o = room.occupants.get(nick);
  if (!o) return;
  const details = { reason: cx.reason, actorNick: cx.actorNick };
  if (role === 'none') {
    remove(svc, room, o, { ...details, codes: [307] }, outbox);
    return;
  }
  o.role = role;
  announce(svc, room, o, details, outbox);
}

/** The occupant's new presence to everyone, after the answer, if it is still in the room by then. */
function announce(svc: MucService, room: Room, o: Occupant, details: PresenceDetails, outbox: Outbox): void {
  outbox.afterAnswer(() => {
    if (room.occupants.get(o.nick) === o) svc.broadcastPresence(room, o, details);
  });
}

/**
 * Take the occupant out at once (so the rest of a request sees the room as it will be): it hears of it before the
 * answer (110 and the code), everyone else after.
 */
function remove(svc: MucService, room: Room, o: Occupant, details: PresenceDetails, outbox: Outbox): void {
  room.removeOccupant(o);
  const gone: PresenceDetails = { ...details, unavailable: true };
  outbox.beforeAnswer(() => svc.sendSelfPresence(room, o, gone, []));
  outbox.afterAnswer(() => svc.presenceToOthers(room, o, gone));
}
