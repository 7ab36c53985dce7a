// Private messages between occupants (XEP-0045 §7.5, MUC-29): sent to an occupant JID, delivered to every session
// of the recipient from the sender's occupant JID with an empty muc#user <x/>, under muc#roomconfig_allowpm.
import { el } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';

export function privateMessage(svc: MucService, room: Room, ev: StanzaEvent, nick: string): void {
  if (ev.type === 'groupchat') throw new StanzaError('bad-request', { text: 'a private message cannot be of type groupchat' });
  const sender = room.bySession.get(ev.from.toString());
  if (!sender) throw new StanzaError('not-acceptable', { text: 'you are not in this room' });
  const target = room.occupants.get(nick);
  if (!target) throw new StanzaError('item-not-found', { text: `nobody is called ${nick} in this room` });
  if (!room.canSendPm(sender)) throw new StanzaError('forbidden', { text: 'private messages are not allowed in this room' });
  const a = ev.stanza.attrs as Record<string, string | undefined>;
  const m = el('message', { from: `${room.jid}/${sender.nick}`, type: a.type, id: a.id, 'xml:lang': a['xml:lang'] });
  m.children = ev.stanza.children.filter((c) => typeof c !== 'string' && c.attrs.xmlns !== MUC_NS.user && c.attrs.xmlns !== MUC_NS.occupantId);
  m.children.push(el('x', { xmlns: MUC_NS.user }), el('occupant-id', { xmlns: MUC_NS.occupantId, id: sender.occupantId }));
  svc.sendTo(target, m);
}
