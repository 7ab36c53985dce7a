// Persistent rooms (XEP-0045 §4.2, MUC-55): one document per room with its configuration, affiliations (with the
// nicks reserved by registration) and subject. Temporary rooms are never written. Account removal drops the
// user's affiliations everywhere (an owner's rooms are kept: the service admin still has them in the console).
import { collection, type DocumentCollection } from '../storage/backend.js';
import { defineStore } from '../storage/storage.js';
import type { RoomConfig } from './room-config.js';
import type { Affiliation } from './roles.js';

export interface StoredAffiliation {
  /** Bare JID. */
  jid: string;
  affiliation: Exclude<Affiliation, 'none'>;
  /** Reserved nickname (registration, or a member list entry with a nick). */
  nick?: string;
  reason?: string;
}

export interface StoredSubject {
  text: string;
  /** The occupant nick that set it; '' when the room (or the service) did. */
  by: string;
  at: number;
}

export interface RoomDoc {
  /** The room's localpart (normalised). */
  _id: string;
  config: Partial<RoomConfig>;
  affiliations: StoredAffiliation[];
  subject: StoredSubject | null;
  createdAt: number;
  /** The room's vCard XML (VCARD-06: room avatars), '' for none. */
  vcard?: string;
  /** Salt of the room's occupant-ids (XEP-0421), so they stay stable across restarts. */
  salt?: string;
}

export class RoomStore {
  /** `domain`: the server's, so a removed account's localpart is known as the bare JID its affiliations name. */
  constructor(private readonly col: DocumentCollection<RoomDoc>, private readonly domain: string) {}

  all(): Promise<RoomDoc[]> {
    return this.col.find({});
  }

  get(room: string): Promise<RoomDoc | null> {
    return this.col.get(room);
  }

  /** Write the room whole; resolves once it is on disk (a change the owner is told succeeded is stored first). */
  put(doc: RoomDoc): Promise<void> {
    return this.col.put(doc);
  }

  remove(room: string): Promise<boolean> {
    return this.col.remove(room);
  }

  /** Account removal: the account loses its affiliations (and reserved nicks) in every stored room. */
  async removeUser(user: string): Promise<void> {
    const bareJid = `${user}@${this.domain}`;
    for (const doc of await this.col.find({})) {
      const kept = doc.affiliations.filter((a) => a.jid !== bareJid);
      if (kept.length !== doc.affiliations.length) await this.col.put({ ...doc, affiliations: kept });
    }
  }
}

/**
 * Opened by the MUC module; the offline CLI opens it too (`parley room list`, and account removal with no server
 * running). With a server running, the module also drops the removed account from its live rooms.
 */
export const roomStore = defineStore<RoomStore>({
  name: 'muc',
  async open(backend, env) {
    return new RoomStore(await backend.collection(collection<RoomDoc>('muc')), env.domain);
  },
  removeUser: (store, user) => store.removeUser(user),
});
