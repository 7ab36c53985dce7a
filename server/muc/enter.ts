// Entering a room (XEP-0045 §7.2, §10.1.1): the checks in the order the XEP gives them, room creation, and what a
// newcomer receives, in this exact order (MUC-08): every other occupant's presence, its own presence (110 and the
// codes that apply: 100, 170, 201, 210), the history, then the subject.
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { Occupant } from './occupant.js';
import { occupantPresence, stripServiceData } from './occupant-xml.js';
import { historyStanza, parseHistoryRequest, selectHistory } from './history.js';
import { subjectMessage } from './subject.js';

/** The presence payload kept for an occupant: what it sent, minus what only the service may write. */
export function keptPresence(stanza: Element): Element {
  const p = el('presence', stanza.attrs.type === 'unavailable' ? { type: 'unavailable' } : null);
  p.children = stanza.children.filter((c): c is Element => typeof c !== 'string');
  stripServiceData(p);
  return p;
}

/** Refuse a join: a presence error from the occupant JID, the original payload echoed (§7.2.5–7.2.10). */
function refuse(condition: ConstructorParameters<typeof StanzaError>[0], text: string): never {
  throw new StanzaError(condition, { text });
}

/** Nicks: non-empty after trimming, not only invisible characters (MUC-57: the JID parser already applied RFC 7622). */
export function checkNick(nick: string): void {
  if (nick.trim() === '' || /^[\s\p{Cf}\p{Zs}]*$/u.test(nick)) refuse('jid-malformed', 'a nickname needs a visible character');
}

export async function enter(svc: MucService, ev: StanzaEvent, asked: string): Promise<void> {
  const from = ev.from.toString();
  const bare = ev.from.bareString();
  const x = ev.stanza.getChild('x', MUC_NS.muc);
  checkNick(asked);
  let room = svc.rooms.get(ev.to.local!);
  let created = false;
  if (!room) {
    room = await createByJoining(svc, ev, bare);
    created = true;
  }
  // Checks, in §7.2's order. The service's administrators enter anywhere as owners would (§5.2: "service admin").
  const serviceAdmin = !created && (await svc.isServiceAdmin(bare));
  const affiliation = room.affiliationOf(bare);
  // §7.10/§7.12: where nicks are locked down, a registered user entering under another nick gets the reserved one,
  // told by 210 in its self-presence (rather than refused with not-acceptable).
  const reserved = room.locksNickOf(bare) ? room.reservedNick(bare) : undefined;
  const nick = reserved ?? asked;
  if (room.locked && affiliation !== 'owner') refuse('item-not-found', 'this room is being set up by its owner; try again later');   // MUC-17
  if (affiliation === 'outcast' && !serviceAdmin) refuse('forbidden', 'you are banned from this room');   // MUC-14
  if (room.config.membersOnly && affiliation === 'none' && !serviceAdmin) refuse('registration-required', 'this room is for members only');   // MUC-13
  const existing = room.occupants.get(nick);
  if (existing && existing.bare !== bare) refuse('conflict', 'that nickname is in use in this room');   // MUC-15
  if (room.nickReservedByOther(nick, bare)) refuse('conflict', 'that nickname is reserved by a member of this room');
  if (!existing && room.isFull(svc.settings) && affiliation !== 'owner' && affiliation !== 'admin' && !serviceAdmin) {
    refuse('service-unavailable', 'this room is full');   // MUC-16
  }
  if (room.config.passwordProtected && affiliation !== 'owner' && !serviceAdmin) {
    const given = x?.getChildText('password') ?? null;
    if (given !== room.config.password) refuse('not-authorized', given === null ? 'this room needs a password' : 'wrong password');   // MUC-12
  }
  const role = serviceAdmin ? 'moderator' : room.entryRole(bare);
  if (role === null) refuse('forbidden', 'you may not enter this room');
  // The service's own cap holds for owners and admins too (MUC-16 lets them past the room's): it bounds memory.
  if (!existing && room.size >= svc.settings.maxOccupants && !created) refuse('service-unavailable', 'this room is full');

  const o = room.addSession(nick, bare, from, role, keptPresence(ev.stanza));
  const selfCodes: number[] = [];
  if (room.config.whois === 'anyone') selfCodes.push(100);
  if (room.config.logging) selfCodes.push(170);
  if (created) selfCodes.push(201);
  if (nick !== asked) selfCodes.push(210);
  sendRoomState(svc, room, o, from);
  // Everyone else learns of the newcomer; the newcomer's own presence comes last of the presences (MUC-08).
  svc.broadcastPresence(room, o, {}, selfCodes, o.sessions.size > 1 ? from : undefined);
  sendHistoryAndSubject(svc, room, o, from, x);
}

/** A room that does not exist is created by joining it, if the policy allows (MUC-47): locked, the joiner its owner. */
async function createByJoining(svc: MucService, ev: StanzaEvent, bare: string): Promise<Room> {
  const name = ev.to.local!;
  const policy = svc.settings;
  if (ev.from.domain !== svc.ctx.config.domain) refuse('not-allowed', 'only users of this server may create rooms here');
  if (policy.createRooms === 'admins' && !(await svc.isServiceAdmin(bare))) refuse('not-allowed', 'only administrators may create rooms on this server');   // MUC-47
  if (svc.rooms.size >= policy.maxRooms) refuse('resource-constraint', 'this server has as many rooms as it may have');
  let owned = 0;
  for (const r of svc.rooms.values()) if (r.affiliationOf(bare) === 'owner') owned++;
  if (owned >= policy.maxRoomsPerUser) refuse('not-allowed', `you own ${owned} rooms already, the most one user may`);
  if (svc.rooms.has(name)) return svc.rooms.get(name)!;   // created meanwhile by someone else's join
  const room = svc.newRoom(name);
  room.locked = true;   // until the owner configures it or asks for an instant room (§10.1)
  room.setAffiliation(bare, 'owner');
  return room;
}

/** Every other occupant's presence, to the newcomer's session `to` (MUC-08 step 1). */
export function sendRoomState(svc: MucService, room: Room, self: Occupant, to: string): void {
  const withJid = room.canSeeRealJids(self);
  for (const o of room.occupants.values()) {
    if (o === self || !room.broadcastsPresenceOf(o.role)) continue;
    const p = occupantPresence(room, o, withJid, {}, null);
    p.attrs.to = to;
    svc.send(p);
  }
}

/** History, then the subject (MUC-20, MUC-21), to one session. */
export function sendHistoryAndSubject(svc: MucService, room: Room, o: Occupant, to: string, x: Element | undefined): void {
  const withJid = room.canSeeRealJids(o);
  for (const e of selectHistory(room, parseHistoryRequest(x))) svc.send(historyStanza(room, e, to, withJid));
  const s = subjectMessage(room);
  s.attrs.to = to;
  svc.send(s);
}

/** MUC-18: a join from a full JID already in the room under that nick: send everything a fresh join gets. */
export function resync(svc: MucService, room: Room, o: Occupant, ev: StanzaEvent): void {
  const from = ev.from.toString();
  o.setPresence(from, keptPresence(ev.stanza));
  sendRoomState(svc, room, o, from);
  svc.sendSelfPresence(room, o, {}, [], from);
  sendHistoryAndSubject(svc, room, o, from, ev.stanza.getChild('x', MUC_NS.muc));
}
