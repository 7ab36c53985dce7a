// vcard-temp storage (XEP-0054): one document per account holding the <vCard/> element exactly as the owner
// serialised it when setting it, so a get returns what was set (VCARD-02).
import { Collection } from './collection.js';

interface VcardDoc {
  _id: string;     // normalised localpart
  xml: string;     // the <vCard xmlns='vcard-temp'>…</vCard> element
  updatedAt: number;
}

export class VcardStore {
  private constructor(private readonly col: Collection<VcardDoc>) {}

  static async open(dataDir: string | null): Promise<VcardStore> {
    return new VcardStore(await Collection.open<VcardDoc>(dataDir, 'vcard'));
  }

  /** The stored vCard XML of a user, or null if none was ever set. */
  async get(user: string): Promise<string | null> {
    return (await this.col.findOne({ _id: user }))?.xml ?? null;
  }

  /** Replace the user's vCard; resolves once it is on disk. */
  async set(user: string, xml: string): Promise<void> {
    await this.col.put({ _id: user, xml, updatedAt: Date.now() });
  }

  /** Drop the user's vCard (account removal). */
  async removeUser(user: string): Promise<void> {
    await this.col.remove({ _id: user });
  }
}
