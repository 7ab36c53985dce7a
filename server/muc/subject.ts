// The room's subject (XEP-0045 §8.1, MUC-21, MUC-33): sent last on entering (empty when none is set), changed by a
// groupchat message with <subject/> and no body from whoever the configuration allows.
import { el, type Element } from '../core/xml.js';
import type { Room } from './room.js';

/** The subject message, from the occupant JID of who set it (or the room), without `to`. */
export function subjectMessage(room: Room): Element {
  const s = room.subject;
  const from = s && s.by ? `${room.jid}/${s.by}` : room.jid;
  return el('message', { from, type: 'groupchat', id: `subject-${s?.at ?? 0}` }, el('subject', null, s?.text ?? ''));
}
