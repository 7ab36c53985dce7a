// A room's configuration changes (XEP-0045 §10.2; MUC-52, MUC-53): the new values take effect, occupants are told
// with status codes (104 any change, 170/171 logging, 172/173 anonymity, 102/103 unavailable members shown/hidden),
// a switch to members-only removes non-members (322), and changed owner/admin lists are applied and announced.
import { el } from '../core/xml.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { RoomConfig } from './room-config.js';
import { changeAffiliation } from './affiliation-change.js';
import { removeOccupant } from './occupant-presence.js';

export interface AffiliationLists {
  owners: string[] | null;
  admins: string[] | null;
}

/** The status codes telling occupants what kind of change this was (§10.2.1). */
export function changeCodes(before: RoomConfig, after: RoomConfig): number[] {
  const codes: number[] = [];
  if (before.logging !== after.logging) codes.push(after.logging ? 170 : 171);
  if (before.whois !== after.whois) codes.push(after.whois === 'anyone' ? 172 : 173);
  const keys = Object.keys(after) as (keyof RoomConfig)[];
  const other = keys.some((k) => k !== 'logging' && k !== 'whois' && JSON.stringify(before[k]) !== JSON.stringify(after[k]));
  if (other) codes.push(104);
  return codes;
}

export async function applyConfigChange(svc: MucService, room: Room, next: RoomConfig, lists: AffiliationLists, actorNick?: string): Promise<void> {
  const before = room.config;
  room.config = next;
  const wasLocked = room.locked;
  room.locked = false;
  if (lists.owners) await replaceList(svc, room, 'owner', lists.owners, actorNick);
  if (lists.admins) await replaceList(svc, room, 'admin', lists.admins.filter((j) => !lists.owners?.includes(j)), actorNick);
  if (!before.membersOnly && next.membersOnly) {
    for (const o of [...room.occupants.values()]) {
      if (room.affiliationOf(o.bare) === 'none') await removeOccupant(svc, room, o, { codes: [322], affiliation: 'none', actorNick });
    }
  }
  await svc.save(room);
  if (wasLocked) return;   // the owner's first configuration unlocks the room; nobody else is in to tell
  const codes = changeCodes(before, next);
  if (codes.length > 0 && room.size > 0) {
    svc.broadcast(room, el('message', { from: room.jid, type: 'groupchat', id: `config-${Date.now()}` },
      el('x', { xmlns: MUC_NS.user }, codes.map((c) => el('status', { code: String(c) })))));
  }
}

/**
 * Make exactly `jids` hold affiliation `a` (the form's lists are full lists, §16.5.3). Someone dropped from a list
 * steps down one rank, as §10.2 announces it: an owner to admin, an admin to member. The admin list is applied
 * after the owner list, so a form carrying both decides whether a former owner stays an admin (dropped from both:
 * a member); a JID on both lists is an owner.
 */
async function replaceList(svc: MucService, room: Room, a: 'owner' | 'admin', jids: string[], actorNick?: string): Promise<void> {
  const wanted = new Set(jids);
  for (const j of room.withAffiliation(a)) if (!wanted.has(j)) await changeAffiliation(svc, room, j, a === 'owner' ? 'admin' : 'member', { actorNick });
  for (const j of wanted) if (room.affiliationOf(j) !== a) await changeAffiliation(svc, room, j, a, { actorNick });
}
