// vcard-temp storage (XEP-0054): one document per account holding the <vCard/> element exactly as the owner
// serialised it when setting it, so a get returns what was set (VCARD-02).
import { collection, type DocumentCollection } from './backend.js';
import { defineStore } from './storage.js';

interface VcardDoc {
  _id: string;     // normalised localpart
  xml: string;     // the <vCard xmlns='vcard-temp'>…</vCard> element
  updatedAt: number;
}

export class VcardStore {
  constructor(private readonly col: DocumentCollection<VcardDoc>) {}

  /** The stored vCard XML of a user, or null if none was ever set. */
  async get(user: string): Promise<string | null> {
    return (await this.col.get(user))?.xml ?? null;
  }

  /** Replace the user's vCard; resolves once it is on disk. */
  async set(user: string, xml: string): Promise<void> {
    await this.col.put({ _id: user, xml, updatedAt: Date.now() });
  }

  /** Bytes (UTF-8) of the user's vCard, 0 when none is set. */
  async size(user: string): Promise<number> {
    const xml = await this.get(user);
    return xml === null ? 0 : Buffer.byteLength(xml, 'utf8');
  }

  /** Drop the user's vCard (account removal). */
  async removeUser(user: string): Promise<void> {
    await this.col.remove(user);
  }
}

/** Opened by the vcard module (and by anything else that reads vCards, e.g. avatar conversion). */
export const vcardStore = defineStore<VcardStore>({
  name: 'vcard',
  async open(backend) {
    return new VcardStore(await backend.collection(collection<VcardDoc>('vcard')));
  },
  removeUser: (store, user) => store.removeUser(user),
  sizeOf: (store, user) => store.size(user),
});
