// XEP-0425 moderated retraction: a moderator asks the room to retract a groupchat message by the XEP-0359 stanza-id
// the room gave it. Everyone in the room gets the retraction from the room's own JID (XEP-0424 v1 <retract/> with
// <moderated/>, and the fastening form of XEP-0425 0.2 for clients that still speak urn:xmpp:message-moderate:0),
// and the history entry becomes a tombstone (§5) that newcomers are not sent. Non-moderators: forbidden; an id the
// room does not hold (unknown, or past its history): item-not-found.
import { randomUUID } from 'node:crypto';
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { replyResult } from '../modules/iq-reply.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { HistoryEntry, Room } from './room.js';
import type { Occupant } from './occupant.js';
import { reasonOf } from './config-form.js';

interface ModerationRequest {
  /** The stanza-id (by the room) of the message to retract. */
  stanzaId: string;
  reason?: string;
}

export function installModeration(svc: MucService): void {
  svc.roomIq('set', MUC_NS.moderation, 'moderate', (room, ev) => moderate(svc, room, ev, readV1(ev.payload!)));
  svc.roomIq('set', MUC_NS.fasten, 'apply-to', (room, ev) => moderate(svc, room, ev, readV0(ev.payload!)));
}

function idOf(e: Element): string {
  const id = e.attrs.id as unknown;
  if (typeof id !== 'string' || id === '') throw new StanzaError('bad-request', { text: 'say which message: the id attribute carries its stanza-id' });
  return id;
}

/** <moderate id=… xmlns='urn:xmpp:message-moderate:1'><retract xmlns='urn:xmpp:message-retract:1'/><reason/></moderate> */
function readV1(moderate: Element): ModerationRequest {
  const stanzaId = idOf(moderate);
  if (!moderate.getChild('retract', MUC_NS.retract)) throw new StanzaError('feature-not-implemented', { text: 'the only moderation this room does is retraction' });
  return { stanzaId, reason: reasonOf(moderate) };
}

/** <apply-to id=… xmlns='urn:xmpp:fasten:0'><moderate xmlns='…:0'><retract xmlns='urn:xmpp:message-retract:0'/>… */
function readV0(applyTo: Element): ModerationRequest {
  const stanzaId = idOf(applyTo);
  const moderate = applyTo.getChild('moderate', MUC_NS.moderation0);
  if (!moderate || !moderate.getChild('retract', MUC_NS.retract0)) throw new StanzaError('feature-not-implemented', { text: 'the only moderation this room does is retraction' });
  return { stanzaId, reason: reasonOf(moderate) };
}

/** The requester's occupant that is a moderator (the requesting session's own first), or null. */
function moderatorOf(room: Room, ev: StanzaEvent): Occupant | null {
  const own = room.bySession.get(ev.from.toString());
  if (own?.role === 'moderator') return own;
  return room.occupantsOf(ev.from.bareString()).find((o) => o.role === 'moderator') ?? null;
}

function moderate(svc: MucService, room: Room, ev: StanzaEvent, req: ModerationRequest): boolean | Promise<boolean> {
  const mod = moderatorOf(room, ev);
  if (!mod) throw new StanzaError('forbidden', { text: 'only moderators may retract other people\'s messages' });
  const recent = room.history.find((e) => e.stanzaId === req.stanzaId);
  if (recent) return retract(svc, room, ev, req, mod, recent);
  // Older than the join history: the room's archive (MUC-58) may still hold it.
  return svc.findArchived(room, req.stanzaId).then((archived) => {
    if (!archived) throw new StanzaError('item-not-found', { text: `this room holds no message with stanza-id ${req.stanzaId}` });
    return retract(svc, room, ev, req, mod, archived);
  });
}

function retract(svc: MucService, room: Room, ev: StanzaEvent, req: ModerationRequest, mod: Occupant, entry: HistoryEntry): boolean {
  if (!entry.retracted) {
    // Asked again (a lost answer, two moderators at once): it is retracted already; the answer is the same.
    const by = `${room.jid}/${mod.nick}`;
    entry.stanza = tombstone(entry, by, mod, req.reason);
    entry.retracted = true;
    // The archive (MUC-58) keeps the tombstone in the message's place and the announcement, with its stanza-id, after.
    const announcement = retraction(room, req, by, mod);
    const stanzaId = randomUUID();
    announcement.children.push(el('stanza-id', { xmlns: MUC_NS.sid, id: stanzaId, by: room.jid }));
    const shared = svc.broadcast(room, announcement);
    svc.retractedMessage(room, req.stanzaId, entry.stanza);
    svc.reflectedMessage(room, { stanza: announcement, at: Date.now(), chars: shared.chars, realJid: ev.from.toString(), stanzaId });
  }
  return replyResult(ev);
}

function moderatedV1(by: string, mod: Occupant): Element {
  return el('moderated', { xmlns: MUC_NS.moderation, by }, el('occupant-id', { xmlns: MUC_NS.occupantId, id: mod.occupantId }));
}

/** What every occupant receives (XEP-0425 §3.1), both forms in one message so old and new clients act on it. */
function retraction(room: Room, req: ModerationRequest, by: string, mod: Occupant): Element {
  const reason = (): Element | null => (req.reason ? el('reason', null, req.reason) : null);
  return el('message', { from: room.jid, type: 'groupchat', id: randomUUID() },
    el('retract', { xmlns: MUC_NS.retract, id: req.stanzaId }, moderatedV1(by, mod), reason()),
    el('apply-to', { xmlns: MUC_NS.fasten, id: req.stanzaId },
      el('moderated', { xmlns: MUC_NS.moderation0, by }, el('retract', { xmlns: MUC_NS.retract0 }), reason())));
}

/** §5: the message keeps its envelope, ids and author's occupant-id; its content gives way to <retracted/>. */
function tombstone(entry: HistoryEntry, by: string, mod: Occupant, reason: string | undefined): Element {
  const kept = entry.stanza.children.filter((c): c is Element =>
    typeof c !== 'string' && ((c.name === 'stanza-id' && c.attrs.xmlns === MUC_NS.sid) || (c.name === 'occupant-id' && c.attrs.xmlns === MUC_NS.occupantId)));
  return el('message', { ...entry.stanza.attrs },
    kept,
    el('retracted', { xmlns: MUC_NS.retract, stamp: new Date().toISOString() }, moderatedV1(by, mod), reason ? el('reason', null, reason) : null));
}
