// IQs to an occupant JID (XEP-0045 §6.6, §7.5; XEP-0410; VCARD-06): a self-ping is answered by the room itself;
// a stranger gets bad-request (MUC-05); an occupant's query goes on to the target's real JID from the sender's
// occupant JID (a vCard query to the bare JID, which holds the avatar), and the answer comes back the same way.
import { randomBytes } from 'node:crypto';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { el } from '../core/xml.js';
import { replyResult } from '../modules/iq-reply.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';

interface Pending {
  /** The asker's real full JID and its iq id. */
  asker: string;
  id: string;
  /** Where the answer must come from. */
  target: string;
  /** The occupant JID the asker addressed. */
  occupantJid: string;
  timer: NodeJS.Timeout;
}

/** Answers not back within this long are forgotten (the asker's client times out on its own). */
const PENDING_MS = 60_000;
/** Queries in flight through one service at most (memory bound; beyond: resource-constraint). */
const MAX_PENDING = 10_000;

export class OccupantIqProxy {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly svc: MucService) {}

  /** An iq get/set to room/nick. */
  request(room: Room, ev: StanzaEvent, nick: string): boolean {
    const from = ev.from.toString();
    const sender = room.bySession.get(from);
    const payload = ev.payload!;
    if (payload.name === 'ping' && payload.attrs.xmlns === MUC_NS.ping && ev.type === 'get') {
      // XEP-0410: a ping to one's own occupant JID is answered by the room: are you still in?
      const own = room.occupants.get(nick);
      if (own && own === sender && own.sessions.has(from)) return replyResult(ev);
      if (!sender || own === sender) throw new StanzaError('not-acceptable', { text: 'you are not in this room' });
    }
    if (!sender) throw new StanzaError('bad-request', { text: 'only occupants may query occupants' });   // MUC-05
    const target = room.occupants.get(nick);
    if (!target) throw new StanzaError('item-not-found', { text: `nobody is called ${nick} in this room` });
    if (this.pending.size >= MAX_PENDING) throw new StanzaError('resource-constraint', { text: 'too many queries in flight; try again' });
    const vcard = payload.name === 'vCard' && payload.attrs.xmlns === MUC_NS.vcard;
    const to = vcard ? target.bare : target.firstSession;
    const id = randomBytes(9).toString('base64url');
    const occupantJid = `${room.jid}/${nick}`;
    const timer = setTimeout(() => this.pending.delete(id), PENDING_MS);
    timer.unref();
    this.pending.set(id, { asker: from, id: ev.stanza.attrs.id as string, target: to, occupantJid, timer });
    const iq = el('iq', { type: ev.type, id, from: `${room.jid}/${sender.nick}`, to }, payload);
    this.svc.send(iq);
    return true;
  }

  /** An iq result/error to room/nick: the answer to a query this proxy passed on. */
  answer(ev: StanzaEvent): boolean {
    const p = this.pending.get(ev.stanza.attrs.id as string);
    if (!p || p.target !== ev.from.toString()) return true;   // not ours, or not from whom we asked: dropped
    this.pending.delete(ev.stanza.attrs.id as string);
    clearTimeout(p.timer);
    const reply = el('iq', { type: ev.type, id: p.id, from: p.occupantJid, to: p.asker });
    reply.children = ev.stanza.children;
    this.svc.send(reply);
    return true;
  }
}
