// XEP-0045: Multi-User Chat, as a service host at <subdomain>.<domain> (DESIGN.md: a host added through the seams;
// nothing in core/ knows it). This file wires events to handlers: presence (enter, update, nick change, exit),
// messages (groupchat, subject, private messages, the features that take room messages), iqs (disco, owner, the
// features that add room iqs, occupant queries), account removal and the service's shutdown.
import type { ModuleContext, ServerModule } from '../modules/module.js';
import type { StanzaEvent } from '../core/router.js';
import type { Router } from '../core/router.js';
import { el } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { StanzaError, stanzaErrorReply } from '../core/errors.js';
import { MUC_NS } from './muc-ns.js';
import { MucService } from './muc-service.js';
import { Room } from './room.js';
import { roomStore } from './room-store.js';
import { enter, resync } from './enter.js';
import { changeNick, exit, maybeGhost, updatePresence } from './occupant-presence.js';
import { groupchat } from './groupchat.js';
import { privateMessage } from './private-message.js';
import { OccupantIqProxy } from './occupant-iq.js';
import { Liveness } from './liveness.js';
import { roomInfo, roomItems, serviceInfo, serviceItems } from './muc-disco.js';
import { ownerGet, ownerSet } from './owner-iq.js';
import { announceShutdown } from './destroy.js';
import { registerMucAdmin } from './muc-admin.js';
import { MucAdminService } from './muc-admin-service.js';
import { ROOM_FEATURES } from './features.js';

const services = new WeakMap<Router, MucService>();

/** The running service of this server (tests, and modules that build on group chat), or null. */
export function mucServiceOf(router: Router): MucService | null {
  return services.get(router) ?? null;
}

/** A presence error from the occupant JID, echoing the MUC <x/> so clients match it to their join (§7.2.5–7.2.10). */
function presenceError(svc: MucService, ev: StanzaEvent, err: StanzaError): void {
  if (ev.type === 'error') return;
  const reply = stanzaErrorReply(ev.stanza, err.condition, err.options);
  reply.children.unshift(el('x', { xmlns: MUC_NS.muc }));
  svc.send(reply);
}

function onPresence(svc: MucService, ev: StanzaEvent): boolean | Promise<boolean> {
  if (ev.addressing === 'host') return true;   // nothing to do with presence to the service itself
  const room = svc.rooms.get(ev.to.local);
  if (ev.type === 'error') return onError(svc, ev);
  if (ev.addressing === 'bare') {
    if (ev.type === 'available') presenceError(svc, ev, new StanzaError('jid-malformed', { text: 'add your nickname to the room address: room@service/nickname' }));   // MUC-07
    return true;
  }
  const nick = ev.to.resource;
  const from = ev.from.toString();
  const o = room?.bySession.get(from);
  // A refusal is a presence error from the occupant JID; anything else is the router's (internal-server-error).
  const refused = (err: unknown): true => {
    if (!(err instanceof StanzaError)) throw err;
    presenceError(svc, ev, err);
    return true;
  };
  let work: void | Promise<void> = undefined;
  try {
    if (ev.type === 'unavailable') {
      if (!room || !o) return true;
      work = exit(svc, room, o, from, ev);
    } else if (ev.type !== 'available') {
      return true;   // subscriptions to a room or an occupant mean nothing
    } else if (!room || !o) {
      // MUC-19: a presence without the MUC <x/> from someone not in the room is a client out of step, not a join.
      if (!ev.stanza.getChild('x', MUC_NS.muc)) throw new StanzaError('not-acceptable', { text: 'you are not in this room; join with <x xmlns=\'http://jabber.org/protocol/muc\'/>' });
      work = enter(svc, ev, nick);
    } else if (o.nick !== nick) {
      changeNick(svc, room, o, ev, nick);
    } else if (ev.stanza.getChild('x', MUC_NS.muc)) {
      resync(svc, room, o, ev);   // MUC-18
    } else {
      updatePresence(svc, room, o, ev);   // MUC-23
    }
  } catch (err) {
    return refused(err);
  }
  return work instanceof Promise ? work.then(() => true, refused) : true;
}

/** An error an occupant's session sent back to the room (or an occupant JID): a ghost, perhaps (MUC-25). */
function onError(svc: MucService, ev: StanzaEvent): true | Promise<true> {
  const room = svc.rooms.get(ev.to.local);
  return room ? maybeGhost(svc, room, ev).then(() => true) : true;
}

function onRoomMessage(svc: MucService, ev: StanzaEvent): boolean | Promise<boolean> {
  if (ev.type === 'error') return onError(svc, ev);
  const room = svc.roomFor(ev, true);   // MUC-28: no room, or locked to the sender → item-not-found
  if (ev.type === 'groupchat') {
    groupchat(svc, room, ev);
    return true;
  }
  return svc.fireRoomMessage(room, ev);
}

function onOccupantMessage(svc: MucService, ev: StanzaEvent): boolean | Promise<boolean> {
  if (ev.type === 'error') return onError(svc, ev);
  privateMessage(svc, svc.roomFor(ev, true), ev, ev.to.resource);
  return true;
}

function onOccupantIq(svc: MucService, proxy: OccupantIqProxy, ev: StanzaEvent): boolean {
  if (ev.type === 'result' || ev.type === 'error') return proxy.answer(ev);
  return proxy.request(svc.roomFor(ev, true), ev, ev.to.resource);
}

export const mucModule: ServerModule = {
  name: 'muc',
  spec: 'XEP-0045: Multi-User Chat (with XEP-0410, XEP-0421, XEP-0359 stanza-ids)',
  stores: [roomStore],

  async load(ctx: ModuleContext) {
    const settings = ctx.config.muc;
    if (!settings.enabled) return;
    const store = await ctx.storage.open(roomStore);
    const host = ctx.router.addHost(`${settings.subdomain}.${ctx.config.domain}`, 'service', 'Chat rooms');
    const svc = new MucService(ctx, host, store);
    for (const doc of await store.all()) svc.rooms.set(doc._id, Room.fromDoc(doc, host.domain, settings));
    services.set(ctx.router, svc);
    const proxy = new OccupantIqProxy(svc);
    const liveness = new Liveness(svc);
    svc.checkAlive = (room, full) => liveness.check(room, full);

    for (const a of ['host', 'bare', 'full'] as const) host.hook(`presence/${a}`, (ev) => onPresence(svc, ev));
    host.hook('message/host', () => true);   // nothing is addressed to the service itself; dropped like RFC 6120 §10.5
    host.hook('message/bare', (ev) => onRoomMessage(svc, ev));
    host.hook('message/full', (ev) => onOccupantMessage(svc, ev));
    host.hook('iq/full', (ev) => onOccupantIq(svc, proxy, ev), 1);
    // Answers to the room's own queries (liveness checks); anything else falls through to the iq handlers.
    host.hook('iq/bare', (ev) => (ev.type === 'result' || ev.type === 'error') && liveness.answer(ev), 1);

    host.hookIq('get', ['host'], NS.discoInfo, 'query', (ev) => serviceInfo(svc, ev));
    host.hookIq('get', ['host'], NS.discoItems, 'query', (ev) => serviceItems(svc, ev));
    svc.roomIq('get', NS.discoInfo, 'query', (room, ev) => roomInfo(room, ev), { evenLocked: true });
    svc.roomIq('get', NS.discoItems, 'query', (_room, ev) => roomItems(ev), { evenLocked: true });
    svc.roomIq('get', MUC_NS.owner, 'query', (room, ev) => ownerGet(svc, room, ev), { evenLocked: true });
    svc.roomIq('set', MUC_NS.owner, 'query', (room, ev) => ownerSet(svc, room, ev), { evenLocked: true });
    for (const install of ROOM_FEATURES) await install(svc);

    ctx.accounts.onAccountRemoved('muc', async (user) => {
      const bare = `${user}@${ctx.config.domain}`;
      for (const room of svc.rooms.values()) {
        if (room.affiliationOf(bare) === 'none') continue;
        room.setAffiliation(bare, 'none');
        await svc.save(room);
      }
    });
    registerMucAdmin(ctx.router, new MucAdminService(svc));
  },

  async stop(ctx: ModuleContext) {
    const svc = services.get(ctx.router);
    if (!svc) return;
    announceShutdown(svc);   // MUC-56
    await svc.stopFeatures();
    registerMucAdmin(ctx.router, null);
    services.delete(ctx.router);
  },
};
