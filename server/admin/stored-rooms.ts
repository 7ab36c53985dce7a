// Rooms with no server running (the offline CLI, under the data folder's lock): persistent rooms are documents in
// the room store, so they can be listed, shown, created and destroyed there; the MUC service loads them at its next
// start exactly as if it had written them. Temporary rooms exist only in a running service, so none are made here.
import type { ServerConfig } from '../core/config.js';
import { defaultRoomConfig } from '../muc/room-config.js';
import { roomStore, type RoomDoc, type RoomStore } from '../muc/room-store.js';
import { AdminError } from './admin-api.js';
import type { OfflineData } from './admin-host.js';
import type { RoomInfo, RoomSettingsChange, RoomView } from './room-api.js';
import { configChanges, storedRoomInfo, storedRoomView } from './room-view.js';

export class StoredRooms {
  constructor(private readonly offline: OfflineData, readonly serviceDomain: string) {}

  private get config(): ServerConfig {
    return this.offline.config;
  }

  private store(): Promise<RoomStore> {
    return this.offline.storage.open(roomStore);
  }

  async list(): Promise<RoomInfo[]> {
    const docs = await (await this.store()).all();
    return docs.map((d) => storedRoomInfo(d, this.serviceDomain, this.config.muc));
  }

  async get(room: string): Promise<RoomView | null> {
    const doc = await (await this.store()).get(room);
    return doc ? this.view(doc) : null;
  }

  /** Store a new persistent room with the service's defaults under `settings`; the caller checked it is new. */
  async create(room: string, settings: RoomSettingsChange, owner: string | null): Promise<RoomView> {
    const muc = this.config.muc;
    const config = { ...defaultRoomConfig(muc), ...configChanges(settings) };
    if (!config.persistent) {
      throw new AdminError('A temporary room ends when its last occupant leaves, so it cannot be made while Parley is stopped. Start Parley first, or make the room persistent.');
    }
    const store = await this.store();
    const count = (await store.all()).length;
    if (count >= muc.maxRooms) {
      throw new AdminError(`The service already has ${count} room${count === 1 ? '' : 's'}, its limit (Settings, group chat). Raise the limit or destroy a room first.`);
    }
    const doc: RoomDoc = {
      _id: room,
      config,
      affiliations: owner ? [{ jid: owner, affiliation: 'owner' }] : [],
      subject: null,
      createdAt: Date.now(),
    };
    await store.put(doc);
    return this.view(doc);
  }

  /** Remove a stored room; false when there is none. */
  async destroy(room: string): Promise<boolean> {
    return (await this.store()).remove(room);
  }

  private view(doc: RoomDoc): RoomView {
    return storedRoomView(doc, this.serviceDomain, this.config.muc);
  }
}
