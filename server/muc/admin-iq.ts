// muc#admin (XEP-0045 §8 moderator, §9 admin and §10.3–§10.8 owner use cases; MUC-36…MUC-45): the lists (get) and
// their changes (set). A set is all or nothing (§9.2, MUC-41): every item is read and checked first, then all are
// applied, then the room is stored once — on disk before anyone is answered. The announcements then go out in the
// XEP's order (§8.2, §9.1): the removed occupants hear it, the requester gets its result, everyone else is told.
import { invitation } from './invitations.js';
import { randomUUID } from 'node:crypto';
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { replyResult } from '../modules/iq-reply.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { Affiliation, Role } from './roles.js';
import { Outbox } from './outbox.js';
import { applyAffiliation, applyRole, type ChangeContext } from './affiliation-change.js';
import { parseListRequest, parseSetItems, type AffiliationItem } from './admin-items.js';
import { actorIn, checkAffiliationChange, checkListAccess, checkRoleChange, lastOwnerCheck, mustBeModerator, type Actor } from './privileges.js';

export function installAdminIq(svc: MucService): void {
  // A locked room is its owner's alone (roomIq checks that): an owner may fill its lists before opening it.
  svc.roomIq('get', MUC_NS.admin, 'query', (room, ev) => adminGet(svc, room, ev), { evenLocked: true });
  svc.roomIq('set', MUC_NS.admin, 'query', (room, ev) => adminSet(svc, room, ev), { evenLocked: true });
}

async function actorOf(svc: MucService, room: Room, ev: StanzaEvent): Promise<Actor> {
  const bare = ev.from.bareString();
  return actorIn(room, bare, ev.from.toString(), await svc.isServiceAdmin(bare));
}

async function adminGet(svc: MucService, room: Room, ev: StanzaEvent): Promise<boolean> {
  const list = parseListRequest(ev.payload!);
  const actor = await actorOf(svc, room, ev);
  checkListAccess(room, actor, list);
  const items = list.kind === 'role' ? roleList(room, list.role) : affiliationList(room, list.affiliation);
  return replyResult(ev, el('query', { xmlns: MUC_NS.admin }, items));
}

/** §17.4 rule 5: nick, role, affiliation and the full JID (only moderators ask, and they see real JIDs). */
function roleList(room: Room, role: Role): Element[] {
  const out: Element[] = [];
  for (const o of room.occupants.values()) {
    if (o.role === role) out.push(el('item', { affiliation: room.affiliationOf(o.bare), jid: o.firstSession, nick: o.nick, role: o.role }));
  }
  return out;
}

/** §17.4 rule 6: affiliation and bare JID, the reserved nick (outcasts have none), never a role; a ban's reason (§9.2). */
function affiliationList(room: Room, affiliation: Affiliation): Element[] {
  const out: Element[] = [];
  for (const [jid, e] of room.affiliations) {
    if (e.affiliation !== affiliation) continue;
    out.push(el('item', { affiliation, jid, nick: affiliation === 'outcast' ? undefined : e.nick },
      affiliation === 'outcast' && e.reason ? el('reason', null, e.reason) : null));
  }
  return out;
}

async function adminSet(svc: MucService, room: Room, ev: StanzaEvent): Promise<boolean> {
  const items = parseSetItems(ev.payload!);
  const actor = await actorOf(svc, room, ev);
  // Check everything, then apply everything: from here to the save nothing yields, so no other request sees or
  // interleaves with half of this one.
  const affiliations = new Map<string, Affiliation>();
  for (const item of items) {
    if (item.kind === 'role') {
      mustBeModerator(actor);
      const target = room.occupants.get(item.nick);
      if (!target) throw new StanzaError('item-not-found', { text: `nobody is called ${item.nick} in this room` });
      checkRoleChange(actor, target, room.affiliationOf(target.bare), item.role);
    } else {
      checkAffiliationChange(actor, item.jid, room.affiliations.get(item.jid)?.affiliation ?? 'none', item.affiliation);
      if (item.nick && room.nickReservedByOther(item.nick, item.jid)) throw new StanzaError('conflict', { text: `the nick ${item.nick} is reserved by someone else in this room` });
      affiliations.set(item.jid, item.affiliation);
    }
  }
  lastOwnerCheck(room, affiliations);

  const outbox = new Outbox();
  for (const item of items) {
    const cx: ChangeContext = { reason: item.reason, actorNick: actor.nick };
    if (item.kind === 'affiliation') changeListed(svc, room, actor, item, cx, outbox);
    else if (room.occupants.get(item.nick)?.role !== item.role) applyRole(svc, room, item.nick, item.role, cx, outbox);
  }
  let failure: unknown = null;
  try {
    await svc.save(room);
  } catch (err) {
    failure = err;   // the changes are made in memory: occupants are still told, the requester gets an error
  }
  outbox.flushBeforeAnswer();
  if (failure === null) replyResult(ev);
  outbox.flushAfterAnswer();
  await svc.dropIfAbandoned(room);   // a temporary room whose last occupants were just removed
  if (failure !== null) throw failure;
  return true;
}

/** One affiliation item: the change (announced through `outbox`), the reserved nick, the invitation of a new member. */
function changeListed(svc: MucService, room: Room, actor: Actor, item: AffiliationItem, cx: ChangeContext, outbox: Outbox): void {
  const before = room.affiliations.get(item.jid)?.affiliation ?? 'none';
  if (before !== item.affiliation) applyAffiliation(svc, room, item.jid, item.affiliation, cx, outbox);
  const entry = room.affiliations.get(item.jid);
  if (entry && before === item.affiliation && item.reason !== undefined) entry.reason = item.reason;   // same list, new reason
  if (entry && item.nick !== undefined) entry.nick = item.nick === '' ? undefined : item.nick;   // §9.5: '' unsets it
  // §9.5: someone added to a members-only room's member list SHOULD be invited, unless already in (MUC-42).
  const unaffiliated = before === 'none' || before === 'outcast';
  if (item.affiliation === 'member' && unaffiliated && room.config.membersOnly && item.jid.includes('@') && room.occupantsOf(item.jid).length === 0) {
    // §9.5's example: from the room, <invite from=the admin/> with the reason, the password.
    const invite = invitation(room, item.jid, actor.bare, item.reason ? [el('reason', null, item.reason)] : [], randomUUID());
    outbox.afterAnswer(() => svc.send(invite));
  }
}

