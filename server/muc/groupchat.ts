// Groupchat messages (XEP-0045 §7.4, MUC-27/28) and subject changes (§8.1, MUC-33): from a voiced occupant, rewritten
// to come from its occupant JID, the client's `id` kept, a XEP-0359 stanza-id and XEP-0421 occupant-id added, then
// reflected to every occupant (the sender too), serialised once, and kept for history (MUC-20) and the archive
// (MUC-58, MOD-20: subject changes too; XEP-0334 no-store / no-permanent-store honoured, MOD-22).
import { randomUUID } from 'node:crypto';
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { Occupant } from './occupant.js';
import { stripServiceData } from './occupant-xml.js';

/** Subjects longer than this are refused (bad input: a subject is a line, not a document). */
export const MAX_SUBJECT_CHARS = 1024;

export function groupchat(svc: MucService, room: Room, ev: StanzaEvent): void {
  const o = room.bySession.get(ev.from.toString());
  if (!o) throw new StanzaError('not-acceptable', { text: 'you are not in this room' });   // MUC-28
  const subject = ev.stanza.getChild('subject');
  const body = ev.stanza.getChild('body');
  if (subject && !body) {
    changeSubject(svc, room, o, ev, subject.getText());
    return;
  }
  if (!room.canSpeak(o)) throw new StanzaError('forbidden', { text: 'you have no voice in this room' });   // MUC-28
  const m = reflected(room, o, ev.stanza);
  const shared = svc.broadcast(room, m);
  if (body && storable(ev.stanza)) {
    const entry = { stanza: m, at: Date.now(), chars: shared.chars, realJid: ev.from.toString(), stanzaId: m.getChild('stanza-id', MUC_NS.sid)!.attrs.id as string };
    room.addHistory(entry, Math.min(room.config.maxHistoryFetch, svc.settings.historyLength));
    svc.reflectedMessage(room, entry);
  }
}

/** The sender did not ask that it be kept nowhere (XEP-0334 <no-store/>, <no-permanent-store/>; MOD-22). */
function storable(stanza: Element): boolean {
  return stanza.getChild('no-store', MUC_NS.hints) === undefined && stanza.getChild('no-permanent-store', MUC_NS.hints) === undefined;
}

/** What an occupant sent, without what only the room writes: muc#user data, occupant-ids, a stanza-id "by" the room. */
function occupantPayload(room: Room, stanza: Element): Element[] {
  return stanza.children.filter((c): c is Element => {
    if (typeof c === 'string') return false;
    const ns = c.attrs.xmlns as string | undefined;
    if (ns === MUC_NS.user || ns === MUC_NS.occupantId) return false;
    return !(ns === MUC_NS.sid && c.name === 'stanza-id' && c.attrs.by === room.jid);   // XEP-0359 §4: never trust these
  });
}

/** The room's XEP-0359 stanza-id (a new one, returned) and the sender's XEP-0421 occupant-id, added to `m`. */
function stampIds(room: Room, o: Occupant, m: Element): string {
  const stanzaId = randomUUID();
  m.children.push(el('stanza-id', { xmlns: MUC_NS.sid, id: stanzaId, by: room.jid }), el('occupant-id', { xmlns: MUC_NS.occupantId, id: o.occupantId }));
  return stanzaId;
}

/** The message as the room sends it: from the occupant JID, the service's own data in place of anything forged. */
export function reflected(room: Room, o: Occupant, stanza: Element): Element {
  const a = stanza.attrs as Record<string, string | undefined>;
  const m = el('message', { from: `${room.jid}/${o.nick}`, type: 'groupchat', id: a.id, 'xml:lang': a['xml:lang'] });
  m.children = occupantPayload(room, stanza);
  stampIds(room, o, m);
  return m;
}

function changeSubject(svc: MucService, room: Room, o: Occupant, ev: StanzaEvent, text: string): void {
  if (!room.canChangeSubject(o)) throw new StanzaError('forbidden', { text: 'only moderators may change the subject of this room' });   // MUC-33
  if (text.length > MAX_SUBJECT_CHARS) throw new StanzaError('not-acceptable', { text: `a subject may have ${MAX_SUBJECT_CHARS} characters at most` });
  const at = Date.now();
  room.subject = { text, by: o.nick, at };
  const m = el('message', { from: `${room.jid}/${o.nick}`, type: 'groupchat', id: ev.stanza.attrs.id as string | undefined });
  m.children = occupantPayload(room, ev.stanza);
  stripServiceData(m);   // also the MUC <x/>, which has no place in a subject change
  // MOD-20: subject changes are archived too, under the stanza-id occupants got (XEP-0313 §2.4).
  const stanzaId = stampIds(room, o, m);
  const shared = svc.broadcast(room, m);
  if (storable(ev.stanza)) {
    svc.reflectedMessage(room, { stanza: m, at, chars: shared.chars, realJid: ev.from.toString(), stanzaId });
  }
  void svc.save(room).catch((err: unknown) => svc.ctx.log.warn('muc', `could not store the subject of ${room.jid}: ${String(err)}`));
}
