// The stanzas the room says about an occupant (XEP-0045 §7.2, §17.3): its presence with the muc#user item the
// service alone writes (MUC-09, MUC-26), status codes, XEP-0421 occupant-id; and the stripping of what an occupant
// must not forge in what it sends.
import { el, type Element, type Child } from '../core/xml.js';
import { MUC_NS } from './muc-ns.js';
import type { Occupant } from './occupant.js';
import type { Room } from './room.js';
import type { Affiliation, Role } from './roles.js';

export interface PresenceDetails {
  unavailable?: boolean;
  /** Status codes for everyone (e.g. 303, 307, 301, 321, 322, 332, 333). */
  codes?: readonly number[];
  /** Nick change (303): the new nick on the item. */
  newNick?: string;
  reason?: string;
  /** Who did it (kick/ban): the actor's nick. */
  actorNick?: string;
  /** Destruction (MUC-54): replaces the item's details. */
  destroy?: Element;
  /** Overrides for the item (a removed occupant shows role none; a ban shows outcast). */
  role?: Role;
  affiliation?: Affiliation;
}

/** Elements an occupant must not send in its presence or messages: only the room writes these (MUC-26, XEP-0421). */
export function stripServiceData(stanza: Element): void {
  stanza.children = stanza.children.filter((c) => {
    if (typeof c === 'string') return true;
    const ns = c.attrs.xmlns as string | undefined;
    if (ns === MUC_NS.user || ns === MUC_NS.muc || ns === MUC_NS.occupantId) return false;
    return true;
  });
}

/**
 * The presence of occupant `o`, as sent to others: its last presence's payload plus the muc#user item. `withJid`:
 * the recipient may see real JIDs. `self`: it goes to the occupant itself (110 and the self-only codes).
 */
export function occupantPresence(room: Room, o: Occupant, withJid: boolean, details: PresenceDetails, selfCodes: readonly number[] | null): Element {
  const affiliation = details.affiliation ?? room.affiliationOf(o.bare);
  const role = details.role ?? (details.unavailable ? 'none' : o.role);
  const realJid = withJid ? o.firstSession : undefined;
  const item = el('item', { affiliation, role, jid: realJid, nick: details.newNick },
    details.actorNick !== undefined ? el('actor', { nick: details.actorNick }) : null,
    details.reason ? el('reason', null, details.reason) : null);
  const codes: Child[] = [];
  if (selfCodes) codes.push(el('status', { code: '110' }));
  for (const c of details.codes ?? []) codes.push(el('status', { code: String(c) }));
  for (const c of selfCodes ?? []) if (c !== 110) codes.push(el('status', { code: String(c) }));
  const x = el('x', { xmlns: MUC_NS.user }, details.destroy ? el('item', { affiliation, role }) : item, details.destroy ?? null, codes);
  const payload: Child[] = details.unavailable ? unavailablePayload(o.presence) : o.presence.children.filter((c): c is Element => typeof c !== 'string');
  return el('presence', { from: `${room.jid}/${o.nick}`, type: details.unavailable ? 'unavailable' : undefined },
    payload, x, el('occupant-id', { xmlns: MUC_NS.occupantId, id: o.occupantId }));
}

/** An unavailable presence keeps only the leaver's status text (§7.14). */
function unavailablePayload(p: Element): Child[] {
  const status = p.getChild('status');
  return status && p.attrs.type === 'unavailable' ? [status] : [];
}
