// Mediated invitations and declines (XEP-0045 §7.8.2, §9.5; MUC-30, MUC-31). An invitation sent to the room goes
// on from the room to each invitee with <invite from=inviter> (the inviter's full JID, as in the XEP's example), the
// reason kept and the room's password added; in a members-only room only admins and owners (members too under
// allowmemberinvites) may invite, and the invitee is put on the member list (§9.5: "SHOULD automatically trigger
// the addition"; an open room's invitations never change affiliations). A decline goes back through the room to
// the inviter with <decline from=decliner's bare JID>. Direct invitations (XEP-0249, MUC-32) never reach the room:
// they are ordinary messages between users.
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { tryParseJid, type Jid } from '../core/jid.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { changeAffiliation } from './affiliation-change.js';

/** Invitees one message may name (a bound: each costs a stanza, and a member-list write in members-only rooms). */
export const MAX_INVITEES = 50;

/** The children of an <invite/> or <decline/> that travel with it: the reason, and §7.9's <continue/>. */
function carried(e: Element): Element[] {
  return e.children.filter((c): c is Element => typeof c !== 'string' && (c.name === 'reason' || c.name === 'continue'));
}

function addressee(e: Element, what: string): Jid {
  const to = e.attrs.to as string | undefined;
  const j = tryParseJid(to);
  if (!j || !j.local) throw new StanzaError(to === undefined ? 'bad-request' : 'jid-malformed', { text: `the ${what} needs a 'to' with a user's address` });
  return j;
}

/** §7.8.2: "If the inviter supplies a non-existent JID, the room SHOULD return an item-not-found error". */
async function checkInvitee(svc: MucService, room: Room, j: Jid): Promise<void> {
  if (j.domain === svc.ctx.config.domain && !(await svc.ctx.accounts.exists(j.local))) {
    throw new StanzaError('item-not-found', { text: `there is no user ${j.bareString()}` });
  }
  if (room.affiliationOf(j.bareString()) === 'outcast') {
    throw new StanzaError('not-allowed', { text: `${j.bareString()} is banned from this room; lift the ban first` });
  }
}

/**
 * The invitation the room sends (§7.8.2): from the room, <invite from=inviter> with what the inviter added, and the
 * password of a password-protected room. Exported for §9.5's invitation to a newly added member.
 */
export function invitation(room: Room, to: string, inviter: string, carriedChildren: Element[] = [], id?: string): Element {
  return el('message', { from: room.jid, to, id },
    el('x', { xmlns: MUC_NS.user },
      el('invite', { from: inviter }, carriedChildren),
      room.config.passwordProtected ? el('password', null, room.config.password) : null));
}

async function invite(svc: MucService, room: Room, ev: StanzaEvent, invites: Element[]): Promise<void> {
  const from = ev.from.toString();
  const bare = ev.from.bareString();
  if (!room.canInvite(bare, room.bySession.get(from) ?? null)) {
    throw new StanzaError('forbidden', { text: room.config.membersOnly ? 'only the admins of this members-only room may invite' : 'you may not invite others to this room' });
  }
  if (invites.length > MAX_INVITEES) throw new StanzaError('policy-violation', { text: `invite at most ${MAX_INVITEES} people at once` });
  // Every invitee is checked before anyone is invited: a refused message has no effect at all.
  const invitees = invites.map((i) => addressee(i, 'invitation'));
  for (const j of invitees) await checkInvitee(svc, room, j);
  let membersChanged = false;
  for (let k = 0; k < invites.length; k++) {
    const to = invitees[k];
    if (room.config.membersOnly && room.affiliationOf(to.bareString()) === 'none') {
      await changeAffiliation(svc, room, to.bareString(), 'member');
      membersChanged = true;
    }
    svc.send(invitation(room, to.toString(), from, carried(invites[k]), ev.stanza.attrs.id as string | undefined));
  }
  if (membersChanged) await svc.save(room);
}

function decline(svc: MucService, room: Room, ev: StanzaEvent, d: Element): void {
  const to = addressee(d, 'decline');
  const message = (): Element => el('message', { from: room.jid, id: ev.stanza.attrs.id as string | undefined },
    el('x', { xmlns: MUC_NS.user }, el('decline', { from: ev.from.bareString() }, carried(d))));
  // An inviter who is in the room gets it on the sessions it is there with (the XEP's example: its full JID);
  // anyone else at the address the decliner named.
  const inRoom = to.resource ? [] : room.occupantsOf(to.bareString());
  if (inRoom.length === 0) {
    const m = message();
    m.attrs.to = to.toString();
    svc.send(m);
  }
  for (const o of inRoom) svc.sendTo(o, message());
}

/** A room message with <x xmlns='…muc#user'> carrying <invite/>s or a <decline/>; anything else is not ours. */
export function onInvitationMessage(svc: MucService, room: Room, ev: StanzaEvent): boolean | Promise<boolean> {
  const x = ev.stanza.getChild('x', MUC_NS.user);
  if (!x) return false;
  const invites = x.getChildren('invite');
  const d = x.getChild('decline');
  if (invites.length === 0 && !d) return false;
  // §7.8.2: invitations and declines are of type normal (stated or implied).
  if (ev.type !== 'normal') throw new StanzaError('bad-request', { text: 'send invitations and declines as normal messages' });
  if (invites.length > 0 && d) throw new StanzaError('bad-request', { text: 'a message either invites or declines' });
  if (d) {
    decline(svc, room, ev, d);
    return true;
  }
  return invite(svc, room, ev, invites).then(() => true);
}

export function installInvitations(svc: MucService): void {
  svc.roomMessage((room, ev) => onInvitationMessage(svc, room, ev));
}
