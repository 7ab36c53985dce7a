// An in-memory MucAdminApi for unit tests of the admin side (AdminService's rooms, the socket, IPC): what the MUC
// service promises in server/muc/muc-admin.ts, without XMPP. Integration tests use the real module instead.
import type { MucSettings } from '../../server/core/config.js';
import { MucAdminError, type CreateRoomOptions, type MucAdminApi, type RoomDetails, type RoomSummary } from '../../server/muc/muc-admin.js';
import { defaultRoomConfig, type RoomConfig } from '../../server/muc/room-config.js';
import { defaultRole, type Affiliation, type Role } from '../../server/muc/roles.js';

interface FakeOccupant { nick: string; jid: string; resources: string[]; role: Role; affiliation: Affiliation }
interface FakeRoom { config: RoomConfig; occupants: FakeOccupant[]; affiliations: Map<string, Exclude<Affiliation, 'none'>>; createdAt: number }

export class FakeMuc implements MucAdminApi {
  readonly rooms = new Map<string, FakeRoom>();
  /** Every call, in order, for assertions: [method, ...arguments]. */
  readonly calls: unknown[][] = [];
  private readonly listeners = new Set<(room: string) => void>();

  constructor(readonly domain: string, private readonly muc: MucSettings) {}

  listRooms(): RoomSummary[] {
    return [...this.rooms.keys()].map((r) => this.summary(r));
  }

  getRoom(room: string): RoomDetails | null {
    const local = room.split('@')[0];
    const r = this.rooms.get(local);
    if (!r) return null;
    return {
      ...this.summary(local),
      config: { ...r.config },
      occupantList: r.occupants.map((o) => ({ ...o, resources: [...o.resources] })),
      affiliations: [...r.affiliations].map(([jid, affiliation]) => ({ jid, affiliation })),
    };
  }

  async createRoom(room: string, opts: CreateRoomOptions = {}): Promise<RoomDetails> {
    this.calls.push(['createRoom', room, opts]);
    if (this.rooms.has(room)) throw new MucAdminError(`The room ${room}@${this.domain} exists.`);
    const config = { ...defaultRoomConfig(this.muc), ...opts.config };
    const affiliations = new Map<string, Exclude<Affiliation, 'none'>>();
    if (opts.owner) affiliations.set(opts.owner, 'owner');
    this.rooms.set(room, { config, occupants: [], affiliations, createdAt: Date.now() });
    this.changed(room);
    return this.getRoom(room)!;
  }

  async configureRoom(room: string, changes: Partial<RoomConfig>): Promise<RoomDetails> {
    this.calls.push(['configureRoom', room, changes]);
    const r = this.room(room);
    r.config = { ...r.config, ...changes };
    this.changed(room);
    return this.getRoom(room)!;
  }

  async destroyRoom(room: string, reason?: string, alternate?: string): Promise<void> {
    this.calls.push(['destroyRoom', room, reason, alternate]);
    this.room(room);
    this.rooms.delete(room);
    this.changed(room);
  }

  async kickOccupant(room: string, nick: string, reason?: string): Promise<void> {
    this.calls.push(['kickOccupant', room, nick, reason]);
    const r = this.room(room);
    const i = r.occupants.findIndex((o) => o.nick === nick);
    if (i < 0) throw new MucAdminError(`Nobody is in ${room} as ${nick}.`);
    r.occupants.splice(i, 1);
    this.changed(room);
  }

  async setAffiliation(room: string, jid: string, affiliation: Affiliation, reason?: string): Promise<void> {
    this.calls.push(['setAffiliation', room, jid, affiliation, reason]);
    const r = this.room(room);
    if (affiliation === 'none') r.affiliations.delete(jid);
    else r.affiliations.set(jid, affiliation);
    if (affiliation === 'outcast') r.occupants = r.occupants.filter((o) => o.jid !== jid);
    for (const o of r.occupants) if (o.jid === jid) o.affiliation = affiliation;
    this.changed(room);
  }

  watch(listener: (room: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A user enters (what a client's presence would do in the real service). */
  join(room: string, nick: string, fullJid: string): void {
    const r = this.room(room);
    const bare = fullJid.split('/')[0];
    const affiliation = r.affiliations.get(bare) ?? 'none';
    const role = defaultRole(affiliation, r.config) ?? 'none';
    r.occupants.push({ nick, jid: bare, resources: [fullJid], role, affiliation });
    this.changed(room);
  }

  private room(room: string): FakeRoom {
    const r = this.rooms.get(room);
    if (!r) throw new MucAdminError(`There is no room ${room}@${this.domain}.`);
    return r;
  }

  private summary(local: string): RoomSummary {
    const r = this.room(local);
    const c = r.config;
    return {
      jid: `${local}@${this.domain}`, room: local, name: c.name, description: c.description, subject: '', occupants: r.occupants.length,
      public: c.public, persistent: c.persistent, membersOnly: c.membersOnly, moderated: c.moderated,
      passwordProtected: c.passwordProtected, locked: false, createdAt: r.createdAt,
    };
  }

  private changed(room: string): void {
    for (const l of this.listeners) l(`${room}@${this.domain}`);
  }
}
