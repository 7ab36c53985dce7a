// A room's message archive (XEP-0313 §3.4.2 and §6.1.2 for MUC; MUC-58, MOD-20…MOD-22), on the room's bare JID:
// every groupchat message with a body and every subject change, once, never private messages (they never reach
// the archive: only groupchat.ts tells it), nothing an occupant marked <no-store/>/<no-permanent-store/>
// (XEP-0334). A message a moderator retracts (XEP-0425, moderation.ts) is replaced by its tombstone, and the
// retraction announcement is archived after it, so clients catching up learn of it. Queries (§4) and the archive
// metadata (§5) are answered with the generic parts in modules/mam/.
//
// Who may read it (MOD-21, §6.1.2: whoever may enter the room now): not outcasts; in a members-only room members,
// admins and owners; in an open room anyone else too, occupant or not (as Prosody does); in a password-protected
// room, which a query cannot prove it knows the password of, only occupants and affiliated users. The server's
// administrators may read any archive they are not banned from (§8.1 lets them). Real JIDs are in results only
// for who may see them in the room now (non-anonymous room, moderators, admins and owners).
import { el } from '../core/xml.js';
import type { Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import type { Jid } from '../core/jid.js';
import { StanzaError } from '../core/errors.js';
import { replyResult } from '../modules/iq-reply.js';
import { MAM_NS } from '../modules/mam/mam-ns.js';
import { mamQueryForm, parseMamQuery } from '../modules/mam/mam-query.js';
import { selectPage, type PageLimits } from '../modules/mam/mam-page.js';
import { finElement, metadataElement, resultMessage } from '../modules/mam/mam-results.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { archivesMessages } from './room-config.js';
import { roomArchiveStore, type RoomArchiveStore } from './archive-store.js';
import { RoomArchiveIndex, type IndexEntry } from './room-archive-index.js';

/** Results per page: 50 unless asked (Prosody's default), 250 at most (~250 KB, far below the output bound). */
export const ARCHIVE_PAGE: PageLimits = { defaultMax: 50, maxMax: 250 };

/** MOD-21: refuse whoever may not enter the room now. */
async function mayRead(svc: MucService, room: Room, ev: StanzaEvent): Promise<void> {
  if (!archivesMessages(room.config)) throw new StanzaError('service-unavailable', { text: 'this room keeps no message archive' });
  const bare = ev.from.bareString();
  const aff = room.affiliationOf(bare);
  if (aff === 'outcast') throw new StanzaError('forbidden', { text: 'you are banned from this room' });
  if (aff !== 'none') return;
  if (!room.config.membersOnly && (!room.config.passwordProtected || room.occupantsOf(bare).length > 0)) return;
  if (await svc.isServiceAdmin(bare)) return;
  throw new StanzaError('forbidden', {
    text: room.config.membersOnly ? 'only members may read the archive of a members-only room' : 'only occupants may read the archive of a password-protected room',
  });
}

/** May `bare` learn who sent what (XEP-0045 §7.2.3/7.2.4, as in the room now)? */
function seesRealJids(room: Room, bare: string): boolean {
  const aff = room.affiliationOf(bare);
  return room.canSeeRealJids(null) || aff === 'owner' || aff === 'admin' || room.occupantsOf(bare).some((o) => room.canSeeRealJids(o));
}

/**
 * XEP-0313 §4.1.1 'with' in a room archive: the publisher. An occupant JID matches what that nick sent, the room's
 * own JID everything; a real JID (bare: any of its resources) only for who may see real JIDs, else forbidden.
 */
function publisherFilter(room: Room, w: Jid | null, seesJids: boolean): (e: IndexEntry) => boolean {
  if (!w) return () => true;
  if (w.bareString() === room.jid) {
    const nick = w.resource;
    return nick === '' ? () => true : (e) => e.nick === nick;
  }
  if (!seesJids) throw new StanzaError('forbidden', { text: 'you may not know who sent what in this room: filter by occupant (room@service/nick)' });
  if (w.resource !== '') {
    const full = w.toString();
    return (e) => e.jid === full;
  }
  const bare = w.bareString();
  return (e) => e.jid === bare || e.jid.startsWith(`${bare}/`);
}

/** Submit in order: a result never overtakes the one before it, and all go before the iq result. */
async function sendInOrder(svc: MucService, stanza: Element): Promise<void> {
  const r = svc.ctx.router.submit(stanza, 'server');
  if (r instanceof Promise) await r;
}

async function query(svc: MucService, archive: RoomArchiveIndex, room: Room, ev: StanzaEvent): Promise<boolean> {
  await mayRead(svc, room, ev);
  const q = parseMamQuery(ev.payload!);
  const seesJids = seesRealJids(room, ev.from.bareString());
  const matches = publisherFilter(room, q.with, seesJids);
  const page = selectPage(await archive.index(room), q, matches, ARCHIVE_PAGE);
  const messages = await Promise.all(page.items.map((e) => archive.message(e.id)));
  const to = ev.from.toString();
  const order = page.items.map((_, i) => i);
  if (q.flip) order.reverse();   // §4.3.5: the same page, newest first
  for (const i of order) {
    const message = messages[i];
    if (!message) continue;   // trimmed since the page was chosen
    const item = page.items[i];
    if (seesJids) message.cnode(el('x', { xmlns: MUC_NS.user }, el('item', { jid: item.jid })));
    await sendInOrder(svc, resultMessage({ from: room.jid, to, queryid: q.queryid, item, message }));
  }
  return replyResult(ev, finElement(page));
}

/**
 * Archives no room has (a room that was made temporary, or whose creation a crash cut short, left them): dropped
 * at start, in the background. Each is checked again when dropped, in case a new room of that name took it over.
 */
async function dropOrphans(svc: MucService, store: RoomArchiveStore): Promise<void> {
  for (const h of await store.allHeads()) {
    if (svc.rooms.get(h._id)?.createdAt !== h.epoch) await store.removeRoom(h._id, h.epoch);
  }
}

export async function installRoomArchive(svc: MucService): Promise<void> {
  const store = await svc.ctx.storage.open(roomArchiveStore);
  dropOrphans(svc, store).catch((err: unknown) => svc.ctx.log.warn('muc', `could not drop the archives of rooms that are gone: ${String(err)}`));
  const archive = new RoomArchiveIndex(store, { warn: (m) => svc.ctx.log.warn('muc', m) });
  svc.onReflected((room, entry) => {
    if (archivesMessages(room.config)) archive.append(room, entry);
  });
  // Also when archiving is off now: what was kept before must not outlive the retraction.
  svc.onRetracted((room, id, tombstone) => archive.retract(room, id, tombstone));
  svc.onRoomGone((room) => archive.forgetRoom(room.name));
  svc.setArchiveLookup(async (room, id) => {
    const idx = await archive.index(room);
    const i = idx.indexOf(id);
    if (i < 0) return null;
    const item = idx.items[i];
    const stanza = await archive.message(id);
    if (!stanza) return null;
    // Messages are kept with the client namespace for forwarding; a tombstone is what a retracted one became.
    const retracted = stanza.getChild('retracted', MUC_NS.retract) !== undefined;
    return { stanza, at: item.at, chars: 0, realJid: item.jid, stanzaId: id, retracted };
  });
  svc.onStop(() => archive.flush());

  svc.roomIq('get', MAM_NS.mam, 'query', async (room, ev) => {
    await mayRead(svc, room, ev);
    return replyResult(ev, mamQueryForm());
  });
  svc.roomIq('set', MAM_NS.mam, 'query', (room, ev) => query(svc, archive, room, ev));
  svc.roomIq('get', MAM_NS.mam, 'metadata', async (room, ev) => {
    await mayRead(svc, room, ev);
    const idx = await archive.index(room);
    return replyResult(ev, metadataElement(idx.items[0], idx.items[idx.items.length - 1]));
  });
}
