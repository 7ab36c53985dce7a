// muc#owner (XEP-0045 §10): the configuration form (get), configuring and unlocking (set with a submitted form;
// an empty one is the instant room, MUC-48), cancelling a new room's configuration (it is destroyed, MUC-49), and
// destruction (MUC-54). Only owners (and the service's administrators).
import { el } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import { NS } from '../core/namespaces.js';
import { replyResult } from '../modules/iq-reply.js';
import { MUC_NS } from './muc-ns.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { applyConfigForm, configForm } from './config-form.js';
import { applyConfigChange } from './config-change.js';
import { destroyRoom } from './destroy.js';

async function mustBeOwner(svc: MucService, room: Room, ev: StanzaEvent): Promise<void> {
  const bare = ev.from.bareString();
  if (room.affiliationOf(bare) === 'owner') return;
  if (await svc.isServiceAdmin(bare)) return;
  throw new StanzaError('forbidden', { text: 'only the room\'s owners may do this' });
}

export async function ownerGet(svc: MucService, room: Room, ev: StanzaEvent): Promise<boolean> {
  await mustBeOwner(svc, room, ev);
  return replyResult(ev, el('query', { xmlns: MUC_NS.owner }, configForm(room, svc.settings)));
}

export async function ownerSet(svc: MucService, room: Room, ev: StanzaEvent): Promise<boolean> {
  await mustBeOwner(svc, room, ev);
  const q = ev.payload!;
  const destroy = q.getChild('destroy');
  if (destroy) {
    const alternate = destroy.attrs.jid as string | undefined;
    await destroyRoom(svc, room, { reason: destroy.getChildText('reason') ?? undefined, alternate, password: destroy.getChildText('password') ?? undefined });
    return replyResult(ev);
  }
  const x = q.getChild('x', NS.dataForms);
  if (!x) throw new StanzaError('bad-request', { text: 'send a data form (jabber:x:data) or <destroy/>' });
  const type = x.attrs.type as string | undefined;
  if (type === 'cancel') {
    // §10.1.3: cancelling the first configuration destroys the new room; later, it changes nothing.
    if (room.locked) await destroyRoom(svc, room);
    return replyResult(ev);
  }
  if (type !== 'submit') throw new StanzaError('bad-request', { text: 'the form must be of type submit or cancel' });
  const submitted = applyConfigForm(x, room, svc.settings);
  const actor = room.bySession.get(ev.from.toString())?.nick;
  await applyConfigChange(svc, room, submitted.config, submitted, actor);
  return replyResult(ev);
}
