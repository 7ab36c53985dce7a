// Last activity (XEP-0012): per account, when its last session ended and the status text of its last
// unavailable presence.
import { Collection } from './collection.js';

export interface LastActivity {
  /** Milliseconds since the epoch when the account's last session ended. */
  at: number;
  /** <status/> of the last unavailable presence ('' if none). */
  status: string;
}

interface LastDoc extends LastActivity { _id: string }

export class LastActivityStore {
  private constructor(private readonly col: Collection<LastDoc>) {}

  static async open(dataDir: string | null): Promise<LastActivityStore> {
    return new LastActivityStore(await Collection.open<LastDoc>(dataDir, 'last-activity'));
  }

  async get(user: string): Promise<LastActivity | null> {
    const d = await this.col.findOne({ _id: user });
    return d ? { at: d.at, status: d.status } : null;
  }

  async set(user: string, value: LastActivity): Promise<void> {
    await this.col.put({ _id: user, at: value.at, status: value.status });
  }

  async removeUser(user: string): Promise<void> {
    await this.col.remove({ _id: user });
  }
}
