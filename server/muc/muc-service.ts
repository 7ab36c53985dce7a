// The group chat service's state and the sending every handler shares: its rooms, its policy (config.muc, read on
// use so console changes apply at once), the store, and broadcasting through the router (the one chokepoint:
// every copy passes the recipient's privacy rules and filters like any stanza).
import type { ModuleContext } from '../modules/module.js';
import type { Host } from '../core/hosts.js';
import type { MucSettings } from '../core/config.js';
import type { Element } from '../core/xml.js';
import { tryParseJid } from '../core/jid.js';
import { StanzaError } from '../core/errors.js';
import type { StanzaEvent } from '../core/router.js';
import { Room, type HistoryEntry } from './room.js';
import type { RoomStore } from './room-store.js';
import type { Occupant } from './occupant.js';
import { occupantPresence, type PresenceDetails } from './occupant-xml.js';
import { shareStanza, type SharedStanza } from './shared-stanza.js';
import { defaultRoomConfig } from './room-config.js';

/** A handler of something addressed to a room (an iq payload, a non-groupchat message); resolves true when handled. */
export type RoomHandler = (room: Room, ev: StanzaEvent) => boolean | Promise<boolean>;

export class MucService {
  readonly rooms = new Map<string, Room>();
  private readonly roomMessageHandlers: RoomHandler[] = [];
  /** Told when a room's occupants, configuration or existence changed (the console's Rooms page follows it). */
  private readonly changeListeners = new Set<(roomJid: string) => void>();
  /**
   * Told of every groupchat message with a body and every subject change after it was reflected, unless it asked
   * not to be stored (XEP-0334): the archive keeps them. Synchronous, must not throw.
   */
  private readonly reflectedListeners: ((room: Room, entry: HistoryEntry) => void)[] = [];
  /** Told when a moderator retracted a message (XEP-0425): whoever keeps it puts the tombstone in its place. */
  private readonly retractedListeners: ((room: Room, stanzaId: string, tombstone: Element) => void)[] = [];
  /** Told when a room is gone for good (destroyed, or temporary and empty): what a feature kept for it goes too. */
  private readonly goneListeners: ((room: Room) => Promise<void>)[] = [];
  /** Work a feature finishes when the service stops, before the stores close (queued archive writes). */
  private readonly stopHooks: (() => Promise<void>)[] = [];

  /** Ask whether an occupant's session is still there (liveness.ts, set by the module); a no-op until then. */
  checkAlive: (room: Room, full: string) => void = () => undefined;

  constructor(readonly ctx: ModuleContext, readonly host: Host, readonly store: RoomStore) {}

  get domain(): string {
    return this.host.domain;
  }

  get settings(): MucSettings {
    return this.ctx.config.muc;
  }

  // ---- extension points: features (features.ts) add their room iqs and room messages here -----------------------

  /**
   * Handle an iq payload addressed to a room's bare JID. The room must exist and, unless `evenLocked`, be open to
   * the sender (a locked room is its owner's alone, MUC-17): otherwise item-not-found.
   */
  roomIq(type: 'get' | 'set', ns: string, name: string, handler: RoomHandler, opts: { evenLocked?: boolean } = {}): void {
    this.host.hookIq(type, ['bare'], ns, name, (ev) => handler(this.roomFor(ev, opts.evenLocked === true), ev));
  }

  /**
   * The room a stanza is addressed to; item-not-found when there is none, or it is locked (created, not configured
   * yet: MUC-17) to the sender — to everyone when `ownerMayUseLocked` is false, else to all but its owners.
   */
  roomFor(ev: StanzaEvent, ownerMayUseLocked: boolean): Room {
    const room = this.rooms.get(ev.to.local);
    if (!room || (room.locked && !(ownerMayUseLocked && room.affiliationOf(ev.from.bareString()) === 'owner'))) {
      throw new StanzaError('item-not-found', { text: `there is no room ${ev.to.bareString()}` });
    }
    return room;
  }

  /** Handle messages to a room that are not groupchat (invitations, declines, voice requests): first true wins. */
  roomMessage(handler: RoomHandler): void {
    this.roomMessageHandlers.push(handler);
  }

  fireRoomMessage(room: Room, ev: StanzaEvent): boolean | Promise<boolean> {
    const list = this.roomMessageHandlers;
    const next = (i: number): boolean | Promise<boolean> => {
      for (; i < list.length; i++) {
        const r = list[i](room, ev);
        if (r === true) return true;
        if (r instanceof Promise) return r.then((handled) => handled || next(i + 1));
      }
      throw new StanzaError('bad-request', { text: 'send groupchat messages to the room, or private messages to an occupant' });
    };
    return next(0);
  }

  watchRooms(listener: (roomJid: string) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Someone watches the rooms: tell them this one changed. Costs a size check when nobody does. */
  roomChanged(room: Room): void {
    if (this.changeListeners.size === 0) return;
    this.notify(this.changeListeners, (l) => l(room.jid), 'a watcher of the rooms');
  }

  /** Call each listener; one that throws is logged and the others still run (listeners are synchronous). */
  private notify<L>(listeners: Iterable<L>, call: (listener: L) => void, who: string): void {
    for (const l of listeners) {
      try {
        call(l);
      } catch (err) {
        this.ctx.log.warn('muc', `${who} failed: ${String(err)}`);
      }
    }
  }

  onReflected(listener: (room: Room, entry: HistoryEntry) => void): void {
    this.reflectedListeners.push(listener);
  }

  /** Set by the room archive: finds a message older than the join history (XEP-0425 retraction of old messages). */
  private archiveLookup: ((room: Room, stanzaId: string) => Promise<HistoryEntry | null>) | null = null;

  setArchiveLookup(lookup: (room: Room, stanzaId: string) => Promise<HistoryEntry | null>): void {
    this.archiveLookup = lookup;
  }

  /** A message of the room's archive by its stanza-id; null when there is no archive or it holds no such message. */
  findArchived(room: Room, stanzaId: string): Promise<HistoryEntry | null> {
    return this.archiveLookup ? this.archiveLookup(room, stanzaId) : Promise.resolve(null);
  }

  onRetracted(listener: (room: Room, stanzaId: string, tombstone: Element) => void): void {
    this.retractedListeners.push(listener);
  }

  /** The message `stanzaId` was retracted: whoever keeps messages replaces it with `tombstone`. */
  retractedMessage(room: Room, stanzaId: string, tombstone: Element): void {
    this.notify(this.retractedListeners, (l) => l(room, stanzaId, tombstone), `a listener of ${room.jid}'s retractions`);
  }

  onRoomGone(listener: (room: Room) => Promise<void>): void {
    this.goneListeners.push(listener);
  }

  onStop(hook: () => Promise<void>): void {
    this.stopHooks.push(hook);
  }

  /** The service stops: features finish their work (the module's stop). */
  async stopFeatures(): Promise<void> {
    for (const hook of this.stopHooks) {
      await hook().catch((err: unknown) => this.ctx.log.warn('muc', `a room feature did not stop cleanly: ${String(err)}`));
    }
  }

  /** A groupchat message went to every occupant: whoever keeps messages (history, the archive) hears of it. */
  reflectedMessage(room: Room, entry: HistoryEntry): void {
    this.notify(this.reflectedListeners, (l) => l(room, entry), `a listener of ${room.jid}'s messages`);
  }

  /** Everything the room sends goes through the router as the server's own stanza. */
  send(stanza: Element): void {
    const r = this.ctx.router.submit(stanza, 'server');
    if (r instanceof Promise) r.catch((err: unknown) => this.ctx.log.warn('muc', `sending failed: ${String(err)}`));
  }

  /** Bare JID of a local account, or of a user on another server: is it a server administrator here? */
  async isServiceAdmin(bare: string): Promise<boolean> {
    const j = tryParseJid(bare);
    if (!j || j.domain !== this.ctx.config.domain || !j.local) return false;
    return this.ctx.accounts.isAdmin(j.local);
  }

  newRoom(name: string): Room {
    const room = new Room(name, `${name}@${this.domain}`, defaultRoomConfig(this.settings));
    this.rooms.set(name, room);
    this.roomChanged(room);
    return room;
  }

  /** Persist a persistent room (on disk before the caller answers); a temporary one is dropped from the store. */
  async save(room: Room): Promise<void> {
    this.roomChanged(room);
    if (room.config.persistent) await this.store.put(room.toDoc());
    else await this.store.remove(room.name);
  }

  /** Drop a room from memory and disk (destroyed, or a temporary room's last occupant left). */
  async forget(room: Room): Promise<void> {
    if (this.rooms.get(room.name) === room) this.rooms.delete(room.name);
    this.roomChanged(room);
    await this.store.remove(room.name);
    for (const l of this.goneListeners) {
      await l(room).catch((err: unknown) => this.ctx.log.warn('muc', `could not drop what was kept for ${room.jid}: ${String(err)}`));
    }
  }

  /** A temporary room whose last occupant left, or a locked room its owner left (MUC-24, MUC-50), goes away. */
  async dropIfAbandoned(room: Room): Promise<void> {
    if (room.size > 0) return;
    if (!room.config.persistent || room.locked) await this.forget(room);
  }

  // ---- sending to occupants ---------------------------------------------------------------------------------

  /** Send one stanza (from the room or an occupant JID) to every session of every occupant: serialised once. */
  broadcast(room: Room, stanza: Element): SharedStanza {
    const copy = shareStanza(stanza);
    for (const o of room.occupants.values()) {
      for (const full of o.sessions.keys()) this.send(copy.to(full));
    }
    return copy;
  }

  /** Send to every session of one occupant. */
  sendTo(o: Occupant, stanza: Element): void {
    if (o.sessions.size === 1) {
      stanza.attrs.to = o.firstSession;
      this.send(stanza);
      return;
    }
    const copy = shareStanza(stanza);
    for (const full of o.sessions.keys()) this.send(copy.to(full));
  }

  /**
   * Tell everyone about occupant `o` (joined, changed, left, kicked…): three variants at most (with real JID, without,
   * and its own with 110 and `selfCodes`), each serialised once. Others only see it when its role's presence is
   * broadcast (muc#roomconfig_presencebroadcast) or it leaves.
   */
  broadcastPresence(room: Room, o: Occupant, details: PresenceDetails, selfCodes: readonly number[] = [], onlySession?: string): void {
    this.presenceToOthers(room, o, details);
    this.sendSelfPresence(room, o, details, selfCodes, onlySession);
    this.roomChanged(room);
  }

  /**
   * Occupant `o`'s presence to everyone else in the room (not to `o`), as broadcastPresence sends it. Apart so
   * muc#admin can tell a removed occupant first and the others after the requester's answer (XEP-0045 §8.2).
   */
  presenceToOthers(room: Room, o: Occupant, details: PresenceDetails): void {
    if (!details.unavailable && !room.broadcastsPresenceOf(o.role)) return;
    let withJid: SharedStanza | null = null;
    let withoutJid: SharedStanza | null = null;
    for (const r of room.occupants.values()) {
      if (r === o) continue;
      let copy: SharedStanza;
      if (room.canSeeRealJids(r)) copy = withJid ??= shareStanza(occupantPresence(room, o, true, details, null));
      else copy = withoutJid ??= shareStanza(occupantPresence(room, o, false, details, null));
      for (const full of r.sessions.keys()) this.send(copy.to(full));
    }
  }

  /** The occupant's own presence (110 first, then `selfCodes`): to each of its sessions, or only to `only`. */
  sendSelfPresence(room: Room, o: Occupant, details: PresenceDetails, selfCodes: readonly number[], only?: string): void {
    const self = occupantPresence(room, o, true, details, selfCodes);
    if (only !== undefined) {
      self.attrs.to = only;
      this.send(self);
    } else {
      this.sendTo(o, self);
    }
  }
}
