// Service discovery for the group chat service (XEP-0045 §6; MUC-01…MUC-06; DESIGN 11c/11d): the service's identity
// and features, its public rooms (paged with RSM, XEP-0059), a room's identity, room-type features and muc#roominfo
// form, an empty occupant list (rooms do not publish who is in, §6.5), and reserved-nick discovery (x-roomuser-item).
import { el, type Element } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { NS } from '../core/namespaces.js';
import { replyResult } from '../modules/iq-reply.js';
import { dataForm } from '../modules/data-form.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { archivesMessages, roomTypeFeatures } from './room-config.js';
import { MAM_FEATURES } from '../modules/mam/mam-ns.js';
import { avatarHashes } from './room-vcard.js';

const NS_RSM = 'http://jabber.org/protocol/rsm';
const NS_UNIQUE = 'http://jabber.org/protocol/muc#unique';
/** Rooms listed per page when the asker does not page (MUC-02: large lists are paged). */
const DEFAULT_PAGE = 500;

export const SERVICE_FEATURES = [
  NS.discoInfo, NS.discoItems, MUC_NS.muc, MUC_NS.stableId, MUC_NS.register77, MUC_NS.occupantId, NS_RSM, MUC_NS.vcard, NS_UNIQUE,
];

export function serviceInfo(svc: MucService, ev: StanzaEvent): true {
  if (ev.payload!.attrs.node !== undefined) throw new StanzaError('item-not-found', { text: 'the service has no such node' });
  return replyResult(ev, el('query', { xmlns: NS.discoInfo },
    el('identity', { category: 'conference', type: 'text', name: svc.host.name ?? 'Chat rooms' }),
    SERVICE_FEATURES.map((f) => el('feature', { var: f }))));
}

/** Public, unlocked rooms, by JID, paged with RSM (MUC-02). */
export function serviceItems(svc: MucService, ev: StanzaEvent): true {
  const q = ev.payload!;
  const rooms = [...svc.rooms.values()].filter((r) => r.config.public && !r.locked).sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
  const set = q.getChild('set', NS_RSM);
  const maxText = set?.getChildText('max');
  const max = maxText !== null && maxText !== undefined && /^\d{1,6}$/.test(maxText) ? Number(maxText) : DEFAULT_PAGE;
  const after = set?.getChildText('after') ?? null;
  const before = set?.getChildText('before') ?? null;
  let start = 0;
  if (after !== null) start = rooms.findIndex((r) => r.jid === after) + 1;
  let page = rooms.slice(start, start + max);
  if (before !== null && before !== '') {
    const end = rooms.findIndex((r) => r.jid === before);
    page = rooms.slice(Math.max(0, end - max), Math.max(0, end));
    start = Math.max(0, end - max);
  } else if (before === '') {
    start = Math.max(0, rooms.length - max);
    page = rooms.slice(start);
  }
  const paged = set !== undefined || rooms.length > DEFAULT_PAGE;
  return replyResult(ev, el('query', { xmlns: NS.discoItems },
    page.map((r) => el('item', { jid: r.jid, name: r.config.name || r.name })),
    paged ? el('set', { xmlns: NS_RSM },
      page.length > 0 ? el('first', { index: String(start) }, page[0].jid) : null,
      page.length > 0 ? el('last', null, page[page.length - 1].jid) : null,
      el('count', null, String(rooms.length))) : null));
}

/** A room's disco#info (MUC-03), or its reserved-nick node (MUC-06). A locked room: its owner only (MucService.roomIq). */
export function roomInfo(room: Room, ev: StanzaEvent): true {
  const node = ev.payload!.attrs.node as string | undefined;
  if (node === 'x-roomuser-item') {
    const nick = room.reservedNick(ev.from.bareString());
    return replyResult(ev, el('query', { xmlns: NS.discoInfo, node }, nick !== undefined ? el('identity', { category: 'conference', type: 'text', name: nick }) : null));
  }
  if (node !== undefined) throw new StanzaError('item-not-found', { text: 'the room has no such node' });
  const c = room.config;
  const features = [MUC_NS.muc, MUC_NS.stableId, MUC_NS.selfPing, MUC_NS.sid, MUC_NS.occupantId, NS.discoInfo, NS.discoItems, MUC_NS.register77, MUC_NS.vcard, MUC_NS.moderation, MUC_NS.moderation0, ...roomTypeFeatures(c),
    ...(archivesMessages(c) ? MAM_FEATURES : [])];   // MUC-58
  // The forms this room takes (§16.3 registers muc#register as a feature; muc#request as Prosody advertises it).
  if (c.registration) features.push(MUC_NS.register);
  if (c.allowVoiceRequests) features.push(MUC_NS.request);
  return replyResult(ev, el('query', { xmlns: NS.discoInfo },
    el('identity', { category: 'conference', type: 'text', name: c.name || room.name }),
    features.map((f) => el('feature', { var: f })),
    roomInfoForm(room)));
}

function roomInfoForm(room: Room): Element {
  const c = room.config;
  const avatar = avatarHashes(room);
  return dataForm('result', MUC_NS.roominfo, [
    { var: 'muc#roominfo_description', type: 'text-single', label: 'Description', values: [c.description] },
    { var: 'muc#roominfo_subject', type: 'text-single', label: 'Subject', values: [room.subject?.text ?? ''] },
    { var: 'muc#roominfo_occupants', type: 'text-single', label: 'Number of occupants', values: [String(room.size)] },
    { var: 'muc#roominfo_lang', type: 'text-single', label: 'Language', values: [c.lang] },
    { var: 'muc#roomconfig_roomname', type: 'text-single', label: 'Title', values: [c.name] },
    { var: 'muc#roominfo_subjectmod', type: 'boolean', label: 'Participants may change the subject', values: [c.changeSubject ? '1' : '0'] },
    { var: 'muc#maxhistoryfetch', type: 'text-single', label: 'Messages of history on entering', values: [String(c.maxHistoryFetch)] },
    { var: 'muc#roomconfig_allowpm', type: 'list-single', label: 'Who may send private messages', values: [c.allowPm] },
    { var: 'muc#roomconfig_whois', type: 'list-single', label: 'Who may see real addresses', values: [c.whois] },
    // XEP-0486 §3.3: the room's avatar, only when it has one.
    ...avatar.length > 0 ? [{ var: 'muc#roominfo_avatarhash', type: 'text-multi' as const, label: 'Avatar hash', values: avatar }] : [],
  ]);
}

/**
 * disco#items on a room: empty (§6.5: occupants are not listed to anyone, the default this service keeps). A locked
 * room answers only its owner, as every room iq does (MucService.roomIq).
 */
export function roomItems(ev: StanzaEvent): true {
  return replyResult(ev, el('query', { xmlns: NS.discoItems, node: ev.payload!.attrs.node as string | undefined }));
}
