// Registering with a room (XEP-0045 §7.10 over XEP-0077's jabber:iq:register; MUC-46, MUC-06). A get answers with
// the muc#register form, or <registered/> and the reserved nick; a submitted form with a nick makes the user a
// member (an owner or admin keeps its affiliation) with the nick reserved, announced to the room if the user is in
// (§7.10: new affiliation; and where nicks are locked down, the occupant is renamed to it with 210); <remove/>
// (XEP-0077 §3.2) gives the nick up, and a plain member's membership with it.
//
// Who may register: nobody when muc#roomconfig_registration is off, nor outcasts (not-allowed). In a members-only
// room only those already on the member list (or above) may — to reserve a nick —, not strangers: §7.10 lets a
// room "allow only room admins to add new members", and registering anyone who asks would open a room whose
// member list is the whole point (no approval workflow, §9.9, is offered: admins add members with muc#admin).
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { NS } from '../core/namespaces.js';
import { JidError, prepResourcepart } from '../core/jid.js';
import { replyResult } from '../modules/iq-reply.js';
import { dataForm, formFields } from '../modules/data-form.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import type { Occupant } from './occupant.js';
import { checkNick } from './enter.js';
import { changeAffiliation } from './affiliation-change.js';

function mayRegister(room: Room, bare: string): void {
  if (!room.config.registration) throw new StanzaError('not-allowed', { text: 'this room does not take registrations' });
  const aff = room.affiliationOf(bare);
  if (aff === 'outcast') throw new StanzaError('not-allowed', { text: 'you are banned from this room' });
  if (room.config.membersOnly && aff === 'none') {
    throw new StanzaError('not-allowed', { text: 'this room is for members only; its admins add members' });
  }
}

function registrationForm(room: Room): Element {
  const form = dataForm('form', MUC_NS.register, [
    { var: 'muc#register_roomnick', type: 'text-single', label: 'Desired Nickname', values: [] },
  ], `Registration with ${room.config.name || room.jid}`);
  form.children.splice(1, 0, el('instructions', null, 'Choose the nickname to reserve in this room; you become a member of the room.'));
  form.getChildByAttr('var', 'muc#register_roomnick')!.children.push(el('required'));
  return form;
}

export function registerGet(room: Room, ev: StanzaEvent): true {
  const bare = ev.from.bareString();
  mayRegister(room, bare);
  const nick = room.reservedNick(bare);
  if (nick !== undefined) {
    return replyResult(ev, el('query', { xmlns: MUC_NS.register77 }, el('registered'), el('username', null, nick)));
  }
  return replyResult(ev, el('query', { xmlns: MUC_NS.register77 },
    el('instructions', null, 'Fill in the form to register with this room.'), registrationForm(room)));
}

/** The nick a submitted form asks for, prepared as occupant JIDs' resourceparts are (MUC-57). */
function submittedNick(q: Element): string | null {
  const x = q.getChild('x', NS.dataForms);
  if (!x) throw new StanzaError('bad-request', { text: 'submit the muc#register data form' });
  if (x.attrs.type === 'cancel') return null;
  const fields = formFields(x);
  if (x.attrs.type !== 'submit' || fields.get('FORM_TYPE')?.[0] !== MUC_NS.register) {
    throw new StanzaError('bad-request', { text: `submit a form of FORM_TYPE ${MUC_NS.register}` });
  }
  const raw = fields.get('muc#register_roomnick')?.[0] ?? '';
  if (raw === '') throw new StanzaError('bad-request', { text: 'muc#register_roomnick is required' });
  let nick: string;
  try {
    nick = prepResourcepart(raw);
  } catch (err) {
    throw new StanzaError('jid-malformed', { text: `"${raw}" cannot be a nickname${err instanceof JidError ? ` (${err.message})` : ''}` });
  }
  checkNick(nick);
  return nick;
}

/** An occupant renamed by the service (§7.10): 303 under the old nick, then the new one with 210 for everyone. */
function rename(svc: MucService, room: Room, o: Occupant, nick: string): void {
  svc.broadcastPresence(room, o, { unavailable: true, codes: [303], newNick: nick, role: o.role });
  room.renameOccupant(o, nick);
  svc.broadcastPresence(room, o, { codes: [210] });
}

export async function registerSet(svc: MucService, room: Room, ev: StanzaEvent): Promise<true> {
  const bare = ev.from.bareString();
  const q = ev.payload!;
  if (q.getChild('remove')) {
    await unregister(svc, room, bare);
    return replyResult(ev);
  }
  mayRegister(room, bare);
  const nick = submittedNick(q);
  if (nick === null) return replyResult(ev);   // the form was cancelled: nothing to do
  const holder = room.occupants.get(nick);
  if (room.nickReservedByOther(nick, bare) || (holder && holder.bare !== bare)) {
    throw new StanzaError('conflict', { text: 'that nickname is reserved or in use in this room' });
  }
  // §7.10: the new affiliation is announced to the room (a role granted by hand is kept, changeAffiliation's rule).
  if (room.affiliationOf(bare) === 'none') await changeAffiliation(svc, room, bare, 'member');
  room.setReservedNick(bare, nick);
  if (room.locksNickOf(bare) && !room.occupants.has(nick)) {
    const present = room.occupantsOf(bare);
    if (present.length === 1) rename(svc, room, present[0], nick);
  }
  await svc.save(room);
  return replyResult(ev);
}

/** XEP-0077 §3.2 cancellation: the reserved nick is freed; a member (not an admin or owner) stops being one. */
async function unregister(svc: MucService, room: Room, bare: string): Promise<void> {
  const aff = room.affiliationOf(bare);
  if (aff === 'none' || aff === 'outcast') throw new StanzaError('item-not-found', { text: 'you are not registered with this room' });
  room.setReservedNick(bare, undefined);
  if (aff === 'member') await changeAffiliation(svc, room, bare, 'none');
  await svc.save(room);
}

export function installRoomRegistration(svc: MucService): void {
  svc.roomIq('get', MUC_NS.register77, 'query', (room, ev) => registerGet(room, ev));
  svc.roomIq('set', MUC_NS.register77, 'query', (room, ev) => registerSet(svc, room, ev));
}
