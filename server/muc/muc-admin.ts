// What the group chat service offers the admin console, IPC and the CLI (AdminService's rooms part calls it):
// plain data in, plain data out, errors as sentences (MucAdminError). The running MUC module implements it and
// registers itself per router, so AdminService finds it through its runtime's router without importing the module.
import type { Router } from '../core/router.js';
import type { RoomConfig } from './room-config.js';
import type { Affiliation } from './roles.js';
import type { AffiliationInfo, OccupantInfo, RoomSummary } from './room-summary.js';

export type { AffiliationInfo, OccupantInfo, RoomSummary } from './room-summary.js';

export interface RoomDetails extends RoomSummary {
  config: RoomConfig;
  occupantList: OccupantInfo[];
  affiliations: AffiliationInfo[];
}

export interface CreateRoomOptions {
  /** Bare JID made owner; none: the room has no owner but the service admin (the console). */
  owner?: string;
  config?: Partial<RoomConfig>;
}

/** A refusal worded for people (the console and CLI show the message as it is). */
export class MucAdminError extends Error {}

export interface MucAdminApi {
  /** The service's domain, e.g. conference.office.local. */
  readonly domain: string;
  listRooms(): RoomSummary[];
  /** By localpart or bare JID; null when there is no such room. */
  getRoom(room: string): RoomDetails | null;
  /** Created unlocked (the admin configured it); refused when it exists or the name is not a valid localpart. */
  createRoom(room: string, opts?: CreateRoomOptions): Promise<RoomDetails>;
  /** Changes only the given fields; occupants are told as the owner's form would tell them (status 104, 170-174). */
  configureRoom(room: string, changes: Partial<RoomConfig>): Promise<RoomDetails>;
  /** Occupants get the destroy presence (MUC-54) with the reason and the alternate venue, if given. */
  destroyRoom(room: string, reason?: string, alternate?: string): Promise<void>;
  /** Kick by nick: status 307 with the reason, actor the service. */
  kickOccupant(room: string, nick: string, reason?: string): Promise<void>;
  /** Set a bare JID's affiliation ('none' removes it); 'outcast' bans and removes them (301). */
  setAffiliation(room: string, jid: string, affiliation: Affiliation, reason?: string): Promise<void>;
  /**
   * Optional: call `listener` with the room's bare JID whenever what listRooms/getRoom answer changes (an occupant
   * enters, leaves, changes nick or role; a room is created, configured or destroyed), so the console's Rooms page
   * follows without polling. Returns the function that stops it. Without it the page refreshes every few seconds.
   */
  watch?(listener: (roomJid: string) => void): () => void;
}

const services = new WeakMap<Router, MucAdminApi>();

export function registerMucAdmin(router: Router, api: MucAdminApi | null): void {
  if (api) services.set(router, api);
  else services.delete(router);
}

/** The running group chat service of this server, or null (off in the settings, or not loaded). */
export function mucAdminOf(router: Router): MucAdminApi | null {
  return services.get(router) ?? null;
}
