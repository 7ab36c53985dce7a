// MucAdminApi over the running service: what the console, IPC and the CLI do to rooms, with the same effects and
// announcements an owner's or moderator's protocol request would have, and refusals worded for people.
import { JidError, prepLocalpart, tryParseJid } from '../core/jid.js';
import type { MucService } from './muc-service.js';
import type { Room } from './room.js';
import { completeRoomConfig, type RoomConfig } from './room-config.js';
import { isAffiliation, type Affiliation } from './roles.js';
import { MucAdminError, type CreateRoomOptions, type MucAdminApi, type RoomDetails, type RoomSummary } from './muc-admin.js';
import { applyConfigChange } from './config-change.js';
import { destroyRoom } from './destroy.js';
import { changeAffiliation, changeRole } from './affiliation-change.js';
import { MAX_TEXT_FIELD } from './config-form.js';

export class MucAdminService implements MucAdminApi {
  constructor(private readonly svc: MucService) {}

  get domain(): string {
    return this.svc.domain;
  }

  watch(listener: (roomJid: string) => void): () => void {
    return this.svc.watchRooms(listener);
  }

  listRooms(): RoomSummary[] {
    return [...this.svc.rooms.values()].map((r) => this.summary(r)).sort((a, b) => a.room.localeCompare(b.room));
  }

  getRoom(room: string): RoomDetails | null {
    const r = this.find(room);
    return r ? this.details(r) : null;
  }

  async createRoom(room: string, opts: CreateRoomOptions = {}): Promise<RoomDetails> {
    const name = this.roomName(room);
    if (this.svc.rooms.has(name)) throw new MucAdminError(`There is already a room called ${name}.`);
    if (this.svc.rooms.size >= this.svc.settings.maxRooms) {
      throw new MucAdminError(`The server has ${this.svc.rooms.size} rooms, the most allowed; raise "max rooms" in the group chat settings or destroy a room.`);
    }
    const owner = opts.owner !== undefined && opts.owner !== '' ? this.bareJid(opts.owner) : null;
    const r = this.svc.newRoom(name);
    try {
      r.config = this.checkedConfig(r, opts.config ?? {});
      if (owner) r.setAffiliation(owner, 'owner');
      await this.svc.save(r);
    } catch (err) {
      this.svc.rooms.delete(name);
      throw err;
    }
    return this.details(r);
  }

  async configureRoom(room: string, changes: Partial<RoomConfig>): Promise<RoomDetails> {
    const r = this.mustFind(room);
    await applyConfigChange(this.svc, r, this.checkedConfig(r, changes), { owners: null, admins: null });
    return this.details(r);
  }

  async destroyRoom(room: string, reason?: string, alternate?: string): Promise<void> {
    const r = this.mustFind(room);
    const alt = alternate !== undefined && alternate !== '' ? this.bareJid(alternate) : undefined;
    await destroyRoom(this.svc, r, { reason: reason || undefined, alternate: alt });
  }

  async kickOccupant(room: string, nick: string, reason?: string): Promise<void> {
    const r = this.mustFind(room);
    if (!r.occupants.has(nick)) throw new MucAdminError(`Nobody called "${nick}" is in ${r.jid} now.`);
    await changeRole(this.svc, r, nick, 'none', { reason: reason || undefined });
  }

  async setAffiliation(room: string, jid: string, affiliation: Affiliation, reason?: string): Promise<void> {
    const r = this.mustFind(room);
    if (!isAffiliation(affiliation)) throw new MucAdminError(`"${String(affiliation)}" is not an affiliation; use owner, admin, member, outcast or none.`);
    const bare = this.bareJid(jid);
    if (r.affiliationOf(bare) === 'owner' && affiliation !== 'owner' && r.withAffiliation('owner').length === 1) {
      throw new MucAdminError(`${bare} is the last owner of ${r.jid}; make someone else owner first.`);
    }
    await changeAffiliation(this.svc, r, bare, affiliation, { reason: reason || undefined });
    await this.svc.save(r);
  }

  // ---- helpers ----------------------------------------------------------------------------------------------

  private roomName(room: string): string {
    const local = room.includes('@') ? room.slice(0, room.indexOf('@')) : room;
    if (room.includes('@') && room.slice(room.indexOf('@') + 1) !== this.svc.domain) {
      throw new MucAdminError(`Rooms of this server are at ${this.svc.domain}, not ${room.slice(room.indexOf('@') + 1)}.`);
    }
    try {
      return prepLocalpart(local.trim());
    } catch (err) {
      const why = err instanceof JidError ? err.message : String(err);
      throw new MucAdminError(`"${local}" cannot name a room (${why}). Use letters, digits, dots, dashes or underscores, like team or project-x.`);
    }
  }

  private find(room: string): Room | null {
    try {
      return this.svc.rooms.get(this.roomName(room)) ?? null;
    } catch {
      return null;
    }
  }

  private mustFind(room: string): Room {
    const r = this.svc.rooms.get(this.roomName(room));
    if (!r) throw new MucAdminError(`There is no room called ${room}.`);
    return r;
  }

  private bareJid(jid: string): string {
    const j = tryParseJid(jid.trim());
    if (!j || j.local === '' || j.resource !== '') throw new MucAdminError(`"${jid}" is not a user's address; write it like anna@${this.svc.ctx.config.domain}.`);
    return j.bareString();
  }

  private checkedConfig(r: Room, changes: Partial<RoomConfig>): RoomConfig {
    // The service's limits may have been lowered since the room was configured: what the room has is brought under
    // them, and only what this change asks for is refused when it passes them.
    const limits = this.svc.settings;
    const current = { ...r.config, maxUsers: Math.min(r.config.maxUsers, limits.maxOccupants), maxHistoryFetch: Math.min(r.config.maxHistoryFetch, limits.historyLength) };
    const c = completeRoomConfig({ ...current, ...changes }, limits);
    for (const k of ['name', 'description', 'password'] as const) {
      if (typeof c[k] !== 'string' || c[k].length > MAX_TEXT_FIELD) throw new MucAdminError(`The room's ${k} must be text of at most ${MAX_TEXT_FIELD} characters.`);
    }
    if (c.passwordProtected && c.password === '') throw new MucAdminError('A password-protected room needs a password.');
    if (!Number.isInteger(c.maxUsers) || c.maxUsers < 0 || c.maxUsers > this.svc.settings.maxOccupants) {
      throw new MucAdminError(`The most people in a room must be a whole number from 0 (no limit of its own) to ${this.svc.settings.maxOccupants}.`);
    }
    if (!Number.isInteger(c.maxHistoryFetch) || c.maxHistoryFetch < 0 || c.maxHistoryFetch > this.svc.settings.historyLength) {
      throw new MucAdminError(`The history sent on entering must be a whole number of messages from 0 to ${this.svc.settings.historyLength}.`);
    }
    return c;
  }

  private summary(r: Room): RoomSummary {
    const c = r.config;
    return {
      jid: r.jid, room: r.name, name: c.name, description: c.description, subject: r.subject?.text ?? '', occupants: r.size,
      public: c.public, persistent: c.persistent, membersOnly: c.membersOnly, moderated: c.moderated,
      passwordProtected: c.passwordProtected, locked: r.locked, createdAt: r.createdAt,
    };
  }

  private details(r: Room): RoomDetails {
    return {
      ...this.summary(r),
      config: { ...r.config },
      occupantList: [...r.occupants.values()].map((o) => ({
        nick: o.nick, jid: o.bare, resources: [...o.sessions.keys()], role: o.role, affiliation: r.affiliationOf(o.bare),
      })),
      affiliations: [...r.affiliations].map(([jid, a]) => ({ jid, affiliation: a.affiliation, nick: a.nick, reason: a.reason })),
    };
  }
}
