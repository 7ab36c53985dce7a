// Destroying a room (XEP-0045 §10.9, MUC-54): every occupant gets one unavailable presence carrying <destroy/> with
// the reason and the alternate venue, then the room is gone from memory and disk. Also the service's shutdown
// (MUC-56: status 332, the room itself stays).
import { el } from '../core/xml.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';

export interface DestroyDetails {
  reason?: string;
  /** Alternate venue (a room JID). */
  alternate?: string;
  password?: string;
}

export async function destroyRoom(svc: MucService, room: Room, d: DestroyDetails = {}): Promise<void> {
  const destroy = el('destroy', { jid: d.alternate },
    d.reason ? el('reason', null, d.reason) : null,
    d.password ? el('password', null, d.password) : null);
  for (const o of [...room.occupants.values()]) {
    // One per occupant, the same for everyone: nobody is left to see anyone else's.
    svc.sendTo(o, el('presence', { from: `${room.jid}/${o.nick}`, type: 'unavailable' },
      el('x', { xmlns: MUC_NS.user }, el('item', { affiliation: 'none', role: 'none' }), destroy)));
    room.removeOccupant(o);
  }
  await svc.forget(room);
}

/**
 * The service stops (MUC-56, §11.2): each occupant gets its own unavailable presence with 110 and 332 — one per
 * occupant as in the XEP's example, not everyone's presence to everyone (n² stanzas for nothing: the room is going
 * away for all of them). Occupants are then dropped, so the unavailable presences their closing sessions send
 * afterwards find nobody to announce. Rooms stay stored.
 */
export function announceShutdown(svc: MucService): void {
  for (const room of svc.rooms.values()) {
    for (const o of [...room.occupants.values()]) {
      svc.sendSelfPresence(room, o, { unavailable: true, codes: [332] }, []);
      room.removeOccupant(o);
    }
  }
}
