// A room's vCard (VCARD-06; XEP-0054 on the room's bare JID, as XEP-0486 "MUC Avatars" profiles it): anyone may get
// it (an empty <vCard/> when none is set) — to show the room's avatar before entering —; only owners (and the
// service's administrators) may set it, within limits.maxVcardBytes (beyond: not-acceptable); an empty vCard
// removes it. It is kept with the room (on disk for persistent rooms). Occupants are told with status 104 (the
// room's information changed) and disco#info carries muc#roominfo_avatarhash (XEP-0486 §3.3, muc-disco.ts).
// vCards of occupants (room/nick) are not this file's: occupant-iq.ts passes them to the occupant's bare JID.
import { el } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { replyResult } from '../modules/iq-reply.js';
import { byteLength, parseFragment, serializeFragment } from '../modules/stored-xml.js';
import { DEFAULT_MAX_VCARD_BYTES } from '../modules/vcard.js';
import { decodeBase64, sha1Hex } from '../modules/avatar/vcard-photo.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';

/** The avatar hashes of a room, computed once per vCard stored (disco#info asks for them on every query). */
const hashCache = new WeakMap<Room, { vcard: string; hashes: string[] }>();

/** XEP-0486 §3.3 and §5.1: the SHA-1 of each PHOTO's data (several PHOTOs are the same image in several types). */
export function avatarHashes(room: Room): string[] {
  if (room.vcard === '') return [];
  const cached = hashCache.get(room);
  if (cached && cached.vcard === room.vcard) return cached.hashes;
  const hashes: string[] = [];
  for (const p of parseFragment(room.vcard).getChildren('PHOTO')) {
    const bytes = decodeBase64(p.getChildText('BINVAL') ?? '');
    if (bytes && bytes.length > 0) hashes.push(sha1Hex(bytes));
  }
  hashCache.set(room, { vcard: room.vcard, hashes });
  return hashes;
}

function vcardGet(room: Room, ev: StanzaEvent): true {
  return replyResult(ev, room.vcard !== '' ? parseFragment(room.vcard) : el('vCard', { xmlns: MUC_NS.vcard }));
}

async function vcardSet(svc: MucService, room: Room, ev: StanzaEvent): Promise<true> {
  const bare = ev.from.bareString();
  if (room.affiliationOf(bare) !== 'owner' && !(await svc.isServiceAdmin(bare))) {
    throw new StanzaError('forbidden', { text: 'only the room\'s owners may change its vCard' });
  }
  const vcard = ev.payload!;
  const xml = serializeFragment(vcard);
  const limit = svc.ctx.config.limits.maxVcardBytes ?? DEFAULT_MAX_VCARD_BYTES;
  if (byteLength(xml) > limit) {
    throw new StanzaError('not-acceptable', { text: `the vCard is larger than this server's limit of ${limit} bytes; use a smaller photo` });
  }
  const next = vcard.children.some((c) => typeof c !== 'string') ? xml : '';   // XEP-0486 §3.2: empty = removed
  const changed = next !== room.vcard;
  room.vcard = next;
  await svc.save(room);
  if (changed && !room.locked && room.size > 0) {
    svc.broadcast(room, el('message', { from: room.jid, type: 'groupchat', id: `vcard-${Date.now().toString(36)}` },
      el('x', { xmlns: MUC_NS.user }, el('status', { code: '104' }))));
  }
  return replyResult(ev);
}

export function installRoomVcard(svc: MucService): void {
  // evenLocked: the owner may give the room its avatar while configuring it.
  svc.roomIq('get', MUC_NS.vcard, 'vCard', (room, ev) => vcardGet(room, ev), { evenLocked: true });
  svc.roomIq('set', MUC_NS.vcard, 'vCard', (room, ev) => vcardSet(svc, room, ev), { evenLocked: true });
}
