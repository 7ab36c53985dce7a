// Voice requests (XEP-0045 §7.13, §8.6; MUC-34). A visitor sends the room a muc#request form asking for the
// participant role; the room sends each moderator present the approval form of §8.6 (the requester's JID and nick,
// muc#request_allow false); a moderator who submits it with muc#request_allow true grants voice, announced like
// any grant (§8.3). muc#roomconfig_allowvoicerequests off → forbidden; a second request within
// muc#roomconfig_voicerequestmininterval seconds → resource-constraint (type wait), counted per user, not per
// visit, so leaving and coming back does not reset it.
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { NS } from '../core/namespaces.js';
import { tryParseJid } from '../core/jid.js';
import { dataForm, formFields } from '../modules/data-form.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { changeRole } from './affiliation-change.js';

/** When each user (bare JID) last asked for voice in a room. */
const lastRequest = new WeakMap<Room, Map<string, number>>();

function isTrue(v: string | undefined): boolean {
  return v === 'true' || v === '1';
}

/** Refuse the request if it comes too soon after the previous one; else note it. Old entries are dropped as we go. */
function throttle(room: Room, bare: string, now: number): void {
  const intervalMs = room.config.voiceRequestMinInterval * 1000;
  let seen = lastRequest.get(room);
  if (!seen) lastRequest.set(room, (seen = new Map()));
  const last = seen.get(bare);
  if (last !== undefined && now - last < intervalMs) {
    const wait = Math.ceil((intervalMs - (now - last)) / 1000);
    throw new StanzaError('resource-constraint', { type: 'wait', text: `you asked for voice already; ask again in ${wait} s` });
  }
  for (const [j, t] of seen) if (now - t >= intervalMs) seen.delete(j);
  seen.set(bare, now);
}

/** §8.6's approval form, sent to each moderator. */
function approvalForm(room: Room, requester: string, nick: string): Element {
  const form = dataForm('form', MUC_NS.request, [
    { var: 'muc#role', type: 'list-single', label: 'Requested role', values: ['participant'] },
    { var: 'muc#jid', type: 'jid-single', label: 'User ID', values: [requester] },
    { var: 'muc#roomnick', type: 'text-single', label: 'Room Nickname', values: [nick] },
    { var: 'muc#request_allow', type: 'boolean', label: 'Grant voice to this person?', values: ['false'] },
  ], 'Voice request');
  form.children.splice(1, 0, el('instructions', null,
    `${nick} asks for voice in ${room.config.name || room.jid}. To approve, select "Grant voice to this person?" and submit; to skip this request, cancel.`));
  return form;
}

function request(svc: MucService, room: Room, ev: StanzaEvent, fields: Map<string, string[]>): void {
  const from = ev.from.toString();
  const o = room.bySession.get(from);
  if (!o) throw new StanzaError('not-acceptable', { text: 'you are not in this room' });
  if (!room.config.allowVoiceRequests) throw new StanzaError('forbidden', { text: 'voice requests are disabled in this room' });
  const role = fields.get('muc#role')?.[0] ?? 'participant';
  if (role !== 'participant') throw new StanzaError('bad-request', { text: 'only the participant role (voice) can be requested' });
  if (o.role !== 'visitor') throw new StanzaError('not-acceptable', { text: 'you have voice in this room already' });
  throttle(room, o.bare, Date.now());
  const id = `voice-${Date.now().toString(36)}`;
  for (const m of room.occupants.values()) {
    if (m.role === 'moderator') svc.sendTo(m, el('message', { from: room.jid, id }, approvalForm(room, from, o.nick)));
  }
}

async function approval(svc: MucService, room: Room, ev: StanzaEvent, fields: Map<string, string[]>): Promise<void> {
  const moderator = room.bySession.get(ev.from.toString());
  if (!moderator || moderator.role !== 'moderator') throw new StanzaError('forbidden', { text: 'only moderators may grant voice' });
  if (!isTrue(fields.get('muc#request_allow')?.[0])) return;   // submitted without approving: the request is skipped
  const nick = fields.get('muc#roomnick')?.[0];
  if (nick === undefined) throw new StanzaError('bad-request', { text: 'the approval form needs muc#roomnick' });
  const target = room.occupants.get(nick);
  // The nick must still be the requester's: someone else may have taken it since the request (muc#jid tells).
  const jid = tryParseJid(fields.get('muc#jid')?.[0]);
  if (!target || (jid && jid.bareString() !== target.bare)) throw new StanzaError('item-not-found', { text: `${nick} is not in the room any more` });
  if (target.role !== 'visitor') return;   // voiced meanwhile (another moderator, or an admin)
  await changeRole(svc, room, nick, 'participant', { actorNick: moderator.nick });
}

/** A room message carrying a muc#request form: a visitor's request, or a moderator's answer to one. */
export function onVoiceMessage(svc: MucService, room: Room, ev: StanzaEvent): boolean | Promise<boolean> {
  const x = ev.stanza.getChild('x', NS.dataForms);
  if (!x) return false;
  const fields = formFields(x);
  if (fields.get('FORM_TYPE')?.[0] !== MUC_NS.request) return false;
  if (x.attrs.type === 'cancel') return true;   // a moderator skipped the request
  if (x.attrs.type !== 'submit') throw new StanzaError('bad-request', { text: 'submit the muc#request form (type submit)' });
  if (fields.has('muc#request_allow')) return approval(svc, room, ev, fields).then(() => true);
  request(svc, room, ev, fields);
  return true;
}

export function installVoiceRequests(svc: MucService): void {
  svc.roomMessage((room, ev) => onVoiceMessage(svc, room, ev));
}
