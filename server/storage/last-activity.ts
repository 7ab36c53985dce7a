// Last activity (XEP-0012): per account, when its last session ended and the status text of its last
// unavailable presence.
import { collection, type DocumentCollection } from './backend.js';
import { defineStore } from './storage.js';

export interface LastActivity {
  /** Milliseconds since the epoch when the account's last session ended. */
  at: number;
  /** <status/> of the last unavailable presence ('' if none). */
  status: string;
}

interface LastDoc extends LastActivity { _id: string }

export class LastActivityStore {
  constructor(private readonly col: DocumentCollection<LastDoc>) {}

  async get(user: string): Promise<LastActivity | null> {
    const d = await this.col.get(user);
    return d ? { at: d.at, status: d.status } : null;
  }

  async set(user: string, value: LastActivity): Promise<void> {
    await this.col.put({ _id: user, at: value.at, status: value.status });
  }

  async removeUser(user: string): Promise<void> {
    await this.col.remove(user);
  }
}

export const lastActivityStore = defineStore<LastActivityStore>({
  name: 'last-activity',
  async open(backend) {
    return new LastActivityStore(await backend.collection(collection<LastDoc>('last-activity')));
  },
  removeUser: (store, user) => store.removeUser(user),
});
