// An occupant's presence after entering (XEP-0045 §7.6, §7.7, §7.14): availability changes (MUC-23), nick changes
// (MUC-22: unavailable with 303 and the new nick, then available under it), exits (MUC-24), and the removal of
// occupants the room can no longer reach (MUC-25, ghosts: status 333).
import type { StanzaEvent } from '../core/router.js';
import { StanzaError, stanzaErrorCondition } from '../core/errors.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { Occupant } from './occupant.js';
import { checkNick, keptPresence } from './enter.js';
import type { PresenceDetails } from './occupant-xml.js';
import { destroyRoom } from './destroy.js';

export function updatePresence(svc: MucService, room: Room, o: Occupant, ev: StanzaEvent): void {
  o.setPresence(ev.from.toString(), keptPresence(ev.stanza));
  svc.broadcastPresence(room, o, {});
}

export function changeNick(svc: MucService, room: Room, o: Occupant, ev: StanzaEvent, nick: string): void {
  checkNick(nick);
  if (!room.config.canChangeNick && room.affiliationOf(o.bare) !== 'owner') {
    throw new StanzaError('not-acceptable', { text: 'nicknames cannot be changed in this room' });
  }
  const taken = room.occupants.get(nick);
  if ((taken && taken !== o) || room.nickReservedByOther(nick, o.bare)) {
    throw new StanzaError('conflict', { text: 'that nickname is in use in this room' });
  }
  const reserved = room.reservedNick(o.bare);
  if (reserved !== undefined && reserved !== nick && room.locksNickOf(o.bare)) {
    throw new StanzaError('not-acceptable', { text: `your nickname in this room is ${reserved}` });
  }
  // Old nick leaves with 303 and the new nick (self: with 110), then the occupant is back under the new one.
  svc.broadcastPresence(room, o, { unavailable: true, codes: [303], newNick: nick, role: o.role });
  room.renameOccupant(o, nick);
  o.setPresence(ev.from.toString(), keptPresence(ev.stanza));
  svc.broadcastPresence(room, o, {});
}

/** An exit: the unavailable presence of session `full` (MUC-24). */
export async function exit(svc: MucService, room: Room, o: Occupant, full: string, ev: StanzaEvent): Promise<void> {
  o.setPresence(full, keptPresence(ev.stanza));   // its status text goes with the unavailable presence
  if (o.sessions.size > 1) {
    // Another client of the user stays under the nick: only this session is told it left.
    svc.sendSelfPresence(room, o, { unavailable: true }, [], full);
    room.removeSession(full);
    return;
  }
  if (room.locked && room.size === 1) {
    // MUC-50 (§10.1.3): the owner left a room it never configured: the room is destroyed, and the owner's
    // unavailable presence says so with <destroy/>.
    await destroyRoom(svc, room);
    return;
  }
  await removeOccupant(svc, room, o, {});
}

/**
 * Take an occupant out of the room with an announcement (kick 307, ban 301, affiliation change 321, members-only
 * 322, shutdown 332, ghost 333): everyone, the occupant included, gets its unavailable presence with the details.
 */
export async function removeOccupant(svc: MucService, room: Room, o: Occupant, details: PresenceDetails): Promise<void> {
  svc.broadcastPresence(room, o, { ...details, unavailable: true });
  room.removeOccupant(o);
  await svc.dropIfAbandoned(room);
}

/**
 * Delivery errors that mean the occupant's session is gone (XEP-0045 §18.1.2). service-unavailable is apart: it is
 * what a gone resource's server answers (RFC 6121 §8.5.3.2.1, also after a remote server restarted), but also what a
 * recipient's privacy list answers for a blocked message (XEP-0016 §2.13), and blocking one occupant must not throw
 * the blocker out of the room. So it only starts a liveness check (liveness.ts).
 */
const GHOST_CONDITIONS = new Set([
  'gone', 'item-not-found', 'recipient-unavailable', 'redirect', 'remote-server-not-found', 'remote-server-timeout',
]);

/** An error a session sent back to the room: if it says the session is gone, remove it (MUC-25, status 333). */
export async function maybeGhost(svc: MucService, room: Room, ev: StanzaEvent): Promise<void> {
  const full = ev.from.toString();
  if (!room.bySession.has(full)) return;
  const condition = stanzaErrorCondition(ev.stanza);
  if (condition === 'service-unavailable') svc.checkAlive(room, full);
  else if (condition !== null && GHOST_CONDITIONS.has(condition)) await removeGhost(svc, room, full, condition);
}

/** Remove an unreachable session; the occupant with it when it had no other (333 to everyone). */
export async function removeGhost(svc: MucService, room: Room, full: string, why: string): Promise<void> {
  const o = room.bySession.get(full);
  if (!o) return;
  if (o.sessions.size > 1) {
    room.removeSession(full);
    return;
  }
  svc.ctx.log.debug('muc', `${full} is unreachable (${why}): removed from ${room.jid}`);
  await removeOccupant(svc, room, o, { codes: [333] });
}
