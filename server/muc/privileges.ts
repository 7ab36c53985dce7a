// Who may do what to whom (XEP-0045 §5.1.1 and §5.2.1's privilege tables, the role and affiliation state charts of
// §5.1.3 and §5.2.2, and the refusals of §8.2–§8.5, §9.1–§9.8, §10.3–§10.8; MUC-36…MUC-45). Pure questions about a
// room and a requester: a refusal is thrown as the StanzaError the XEP names, nothing is changed or sent here.
import { StanzaError } from '../core/errors.js';
import type { Room } from './room.js';
import type { Occupant } from './occupant.js';
import { affiliationRank, roleRank, type Affiliation, type Role } from './roles.js';
import type { ListRequest } from './admin-items.js';

/** The requester of a muc#admin iq, as the room sees it. */
export interface Actor {
  /** Real bare JID. */
  bare: string;
  /** Its affiliation; the service's administrators act as owners (§5.2: "service admin"). */
  affiliation: Affiliation;
  /** affiliationRank, with the service's administrators above every owner. */
  rank: number;
  /** The highest role among its occupants ('none' when not in the room): §8 asks for "one of the moderators". */
  role: Role;
  /** Its occupant's nick, for <actor nick=…/>: the requesting session's, else the one holding `role`. */
  nick?: string;
}

export function actorIn(room: Room, bare: string, full: string, serviceAdmin: boolean): Actor {
  const own = room.affiliationOf(bare);
  const affiliation: Affiliation = serviceAdmin ? 'owner' : own;
  let best: Occupant | undefined;
  for (const o of room.occupantsOf(bare)) if (!best || roleRank(o.role) > roleRank(best.role)) best = o;
  const asking = room.bySession.get(full);
  return {
    bare,
    affiliation,
    rank: serviceAdmin ? affiliationRank('owner') + 1 : affiliationRank(own),
    role: best?.role ?? 'none',
    nick: asking?.nick ?? best?.nick,
  };
}

const isOwnerOrAdmin = (a: Affiliation): boolean => a === 'owner' || a === 'admin';

function refuse(condition: 'forbidden' | 'not-allowed' | 'conflict', text: string): never {
  throw new StanzaError(condition, { text });
}

/** §8's preamble: role changes and role lists are for the room's moderators (forbidden otherwise). */
export function mustBeModerator(actor: Actor): void {
  if (actor.role !== 'moderator') refuse('forbidden', 'only moderators may do this in this room');
}

/**
 * May `actor` give occupant `target` the role `role`? §8.2 (kick), §8.3/§8.4 (voice), §9.6/§9.7 (moderator). A
 * requester who is not a moderator is forbidden (§8's preamble). Raising a role: voice by any moderator, moderator
 * by admins and owners. Lowering one: never someone of the same or a higher affiliation (not-allowed; §8.4 says "at
 * or above the moderator's level", and §8.2 lets the service read kicks the same way), a moderator's only by admins
 * and owners (§5.1.3's chart, §9.7), and an admin's or owner's voice or moderation by nobody (§8.4, §9.7).
 */
export function checkRoleChange(actor: Actor, target: Occupant, targetAffiliation: Affiliation, role: Role): void {
  mustBeModerator(actor);
  if (role === target.role) return;   // nothing changes
  if (role === 'moderator') {
    if (!isOwnerOrAdmin(actor.affiliation)) refuse('forbidden', 'only the room\'s admins and owners may make someone a moderator');   // §9.6
    return;
  }
  if (roleRank(role) > roleRank(target.role)) return;   // §8.3: granting voice
  const higher = affiliationRank(targetAffiliation) >= actor.rank;
  if (role === 'none') {
    if (target.bare === actor.bare) refuse('conflict', 'you cannot kick yourself; leave the room instead');   // §8.2 (MAY)
    if (target.role === 'moderator' && !isOwnerOrAdmin(actor.affiliation)) refuse('not-allowed', 'only the room\'s admins and owners may kick a moderator');
    if (higher) refuse('not-allowed', `you may not kick someone whose affiliation (${targetAffiliation}) is as high as yours or higher`);   // §8.2, MUC-38
    return;
  }
  if (target.role === 'moderator' && !isOwnerOrAdmin(actor.affiliation)) refuse('forbidden', 'only the room\'s admins and owners may revoke moderator status');   // §9.7
  if (isOwnerOrAdmin(targetAffiliation)) refuse('not-allowed', `the room's ${targetAffiliation}s keep their ${target.role === 'moderator' ? 'moderator status' : 'voice'}`);   // §8.4, §9.7
  if (higher) refuse('not-allowed', `you may not change the role of someone whose affiliation (${targetAffiliation}) is as high as yours or higher`);   // §8.4
}

/**
 * May `actor` change `jid`'s affiliation from `current` to `next`? §9 (admins: bans and the member list), §10.3–§10.8
 * (owners: the owner and admin lists). Not an admin or owner: forbidden. Touching the owner or admin lists without
 * being an owner: forbidden, except that a ban of someone of higher affiliation is not-allowed (§9.1). Banning
 * oneself: conflict (§9.1). The last owner's rule is checked over the whole request (lastOwnerCheck).
 */
export function checkAffiliationChange(actor: Actor, jid: string, current: Affiliation, next: Affiliation): void {
  if (!isOwnerOrAdmin(actor.affiliation)) refuse('forbidden', 'only the room\'s admins and owners may change affiliations');
  if (next === 'outcast' && jid === actor.bare) refuse('conflict', 'you cannot ban yourself');   // §9.1
  if ((isOwnerOrAdmin(current) || isOwnerOrAdmin(next)) && actor.affiliation !== 'owner') {
    if (next === 'outcast') refuse('not-allowed', `you may not ban someone who is ${current === 'owner' ? 'an owner' : 'an admin'} of this room`);   // §9.1
    refuse('forbidden', 'only the room\'s owners may change who its owners and admins are');   // §10.3–§10.8, MUC-44
  }
}

/** §10.4/§10.5: a request that would leave the room without an owner (it had one) is refused with conflict (MUC-44). */
export function lastOwnerCheck(room: Room, changes: ReadonlyMap<string, Affiliation>): void {
  const owners = new Set(room.withAffiliation('owner'));
  if (owners.size === 0) return;
  for (const [jid, a] of changes) {
    if (a === 'owner') owners.add(jid);
    else owners.delete(jid);
  }
  if (owners.size === 0) refuse('conflict', 'a room needs an owner: make someone else owner before giving up the last ownership');
}

/**
 * May `actor` read this list? Role lists (§8.5, §9.8): moderators. The ban list (§9.2): admins and owners. The
 * member list (§9.5, §5.2.1 ***, muc#roomconfig_getmemberlist; MUC-45): admins and owners; in a semi-anonymous
 * room nobody else but moderators (who see real JIDs anyway) when the configuration lets moderators; in a
 * non-anonymous room the roles the configuration names, and members of a members-only room even when not in it.
 * The owner and admin lists (§10.5, §10.8): owners; in a non-anonymous room whoever may read the member list.
 */
export function checkListAccess(room: Room, actor: Actor, list: ListRequest): void {
  const mayReadMembers = (): boolean => {
    if (isOwnerOrAdmin(actor.affiliation)) return true;
    const roles = room.config.getMemberList as readonly Role[];
    if (room.config.whois !== 'anyone') return actor.role === 'moderator' && roles.includes('moderator');
    if (actor.role !== 'none' && roles.includes(actor.role)) return true;
    return room.config.membersOnly && actor.affiliation === 'member';
  };
  if (list.kind === 'role') {
    mustBeModerator(actor);
    return;
  }
  switch (list.affiliation) {
    case 'outcast':
      if (!isOwnerOrAdmin(actor.affiliation)) refuse('forbidden', 'only the room\'s admins and owners may see the ban list');
      return;
    case 'member':
      if (!mayReadMembers()) refuse('forbidden', 'you may not see the member list of this room');
      return;
    case 'admin':
    case 'owner':
      if (actor.affiliation === 'owner') return;
      if (room.config.whois === 'anyone' && mayReadMembers()) return;
      refuse('forbidden', `only the room's owners may see its ${list.affiliation} list`);
  }
}
