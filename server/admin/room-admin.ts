// Group chat rooms as the console and the CLI manage them: list (with occupant counts), details (settings,
// occupants with their real JIDs, roles and affiliations), create, configure, destroy, kick, set an affiliation.
// With a server running every call goes to its MUC service (mucAdminOf), which tells the occupants as XEP-0045 says;
// with none (the offline CLI) persistent rooms are read, created and destroyed in the room store, and what needs
// occupants (kick, affiliations, configuration) is refused with a sentence that says to start Parley.
import type { MucSettings } from '../core/config.js';
import { mucAdminOf, MucAdminError, type MucAdminApi } from '../muc/muc-admin.js';
import { AdminError } from './admin-api.js';
import type { AdminHost } from './admin-host.js';
import type { AffiliationChange, NewRoom, OccupantKick, RoomChange, RoomInfo, RoomSettingsChange, RoomView } from './room-api.js';
import { affiliation, newRoom, nickName, personJid, reasonText, roomName, roomSettingsChange } from './room-input.js';
import { configChanges, roomInfo, roomView } from './room-view.js';
import { StoredRooms } from './stored-rooms.js';

/** Where the rooms are: the running service, or the stores of a stopped server. */
type Rooms = { live: MucAdminApi } | { stored: StoredRooms };

/** The MUC service's refusals are already sentences; they cross the transports as AdminErrors. */
async function muc<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof MucAdminError) throw new AdminError(err.message);
    throw err;
  }
}

export class RoomAdmin {
  constructor(private readonly host: AdminHost) {}

  async listRooms(): Promise<RoomInfo[]> {
    const rooms = this.rooms();
    const list = 'live' in rooms ? await muc(() => rooms.live.listRooms().map(roomInfo)) : await rooms.stored.list();
    return list.sort((a, b) => (a.jid < b.jid ? -1 : a.jid > b.jid ? 1 : 0));
  }

  async getRoom(room: string): Promise<RoomView> {
    const rooms = this.rooms();
    const local = roomName(room, this.serviceDomain(rooms));
    const found = await this.find(rooms, local);
    if (!found) throw this.noSuchRoom(rooms, local);
    return found;
  }

  async createRoom(room: string, options: NewRoom): Promise<RoomView> {
    const rooms = this.rooms();
    const service = this.serviceDomain(rooms);
    const local = roomName(room, service);
    const { settings, owner } = newRoom(options, this.host.domain, this.settings().maxOccupants);
    if (owner?.account != null && !(await this.host.accounts.exists(owner.account))) {
      throw new AdminError(`There is no account ${owner.jid} to own the room. Add it first, or choose another owner.`);
    }
    if (!('live' in rooms) && !this.settings().enabled) throw this.turnedOff();
    if (await this.find(rooms, local)) throw new AdminError(`The room ${local}@${service} already exists.`);
    if (!('live' in rooms)) return rooms.stored.create(local, settings, owner?.jid ?? null);
    const made = await muc(() => rooms.live.createRoom(local, { ...(owner ? { owner: owner.jid } : {}), config: configChanges(settings) }));
    this.log(`room ${made.jid} created${owner ? ` for ${owner.jid}` : ''}`);
    return roomView(made);
  }

  async configureRoom(room: string, changes: RoomSettingsChange): Promise<RoomView> {
    const rooms = this.rooms();
    const local = roomName(room, this.serviceDomain(rooms));
    const checked = roomSettingsChange(changes, this.settings().maxOccupants);
    const live = await this.liveRoom(rooms, local, 'change a room’s settings');
    const done = await muc(() => live.configureRoom(local, configChanges(checked)));
    this.log(`room ${done.jid} configured: ${Object.keys(checked).join(', ') || 'nothing'}`);
    return roomView(done);
  }

  async destroyRoom(room: string, reason: string): Promise<RoomChange> {
    const rooms = this.rooms();
    const service = this.serviceDomain(rooms);
    const local = roomName(room, service);
    const why = reasonText(reason);
    const jid = `${local}@${service}`;
    if (!('live' in rooms)) {
      if (!(await rooms.stored.destroy(local))) throw this.noSuchRoom(rooms, local);
      return { jid };
    }
    if (!rooms.live.getRoom(local)) throw this.noSuchRoom(rooms, local);
    await muc(() => rooms.live.destroyRoom(local, why === '' ? undefined : why));
    this.log(`room ${jid} destroyed${why ? `: ${why}` : ''}`);
    return { jid };
  }

  /** Kick an occupant by nick: they get an unavailable presence with status 307 (and the reason). */
  async kickOccupant(room: string, nick: string, reason: string): Promise<OccupantKick> {
    const rooms = this.rooms();
    const local = roomName(room, this.serviceDomain(rooms));
    const wanted = nickName(nick);
    const why = reasonText(reason);
    const live = await this.liveRoom(rooms, local, 'kick someone out of a room');
    const details = live.getRoom(local);
    const occupant = details?.occupantList.find((o) => nickName(o.nick) === wanted);
    if (!details || !occupant) throw new AdminError(`Nobody is in ${local}@${live.domain} under the nick "${nick.trim()}".`);
    await muc(() => live.kickOccupant(local, occupant.nick, why === '' ? undefined : why));
    this.log(`${occupant.nick} (${occupant.jid}) kicked from ${details.jid}`);
    return { jid: details.jid, nick: occupant.nick };
  }

  /** Make a bare JID owner, admin, member or outcast (banned, and removed if present) of a room; 'none' removes it. */
  async setRoomAffiliation(room: string, user: string, to: string, reason: string): Promise<AffiliationChange> {
    const rooms = this.rooms();
    const local = roomName(room, this.serviceDomain(rooms));
    const who = personJid(user, this.host.domain, 'The person');
    const aff = affiliation(to);
    const why = reasonText(reason);
    const live = await this.liveRoom(rooms, local, 'change who belongs to a room');
    await muc(() => live.setAffiliation(local, who.jid, aff, why === '' ? undefined : why));
    const jid = `${local}@${live.domain}`;
    this.log(`${who.jid} is now ${aff} of ${jid}`);
    return { jid, user: who.jid, affiliation: aff };
  }

  // ---- where the rooms are ----

  /** The service's settings: what the running server uses, else what a start would use. */
  private settings(): MucSettings {
    const c = this.host.runtime?.config ?? this.host.offline?.config;
    if (!c) throw new AdminError('Rooms can be managed only on a running Parley or on its data folder.');
    return c.muc;
  }

  private rooms(): Rooms {
    const runtime = this.host.runtime;
    if (runtime) {
      const live = mucAdminOf(runtime.router);
      if (!live) throw this.turnedOff();
      return { live };
    }
    const offline = this.host.offline;
    if (!offline) throw new AdminError('Rooms can be managed only on a running Parley or on its data folder.');
    return { stored: new StoredRooms(offline, `${offline.config.muc.subdomain}.${this.host.domain}`) };
  }

  private turnedOff(): AdminError {
    return new AdminError(this.settings().enabled
      ? 'The group chat service is not running on this server, so there are no rooms to manage.'
      : 'Group chat is turned off in Settings. Turn it on there and restart Parley to manage rooms.');
  }

  private serviceDomain(rooms: Rooms): string {
    return 'live' in rooms ? rooms.live.domain : rooms.stored.serviceDomain;
  }

  private async find(rooms: Rooms, local: string): Promise<RoomView | null> {
    if (!('live' in rooms)) return rooms.stored.get(local);
    const d = await muc(() => rooms.live.getRoom(local));
    return d ? roomView(d) : null;
  }

  /** The running service, for what only it can do, once the room is known to exist there. */
  private async liveRoom(rooms: Rooms, local: string, what: string): Promise<MucAdminApi> {
    if (!('live' in rooms)) {
      throw new AdminError(`Parley is not running on ${this.host.dataDir}; start it (parley serve) to ${what}.`);
    }
    if (!(await this.find(rooms, local))) throw this.noSuchRoom(rooms, local);
    return rooms.live;
  }

  private noSuchRoom(rooms: Rooms, local: string): AdminError {
    return new AdminError(`There is no room ${local}@${this.serviceDomain(rooms)}.`);
  }

  private log(message: string): void {
    this.host.runtime?.log.info('admin', message);
  }
}
