// The current avatar hash of each account (XEP-0153 §3.2 / XEP-0398 §4): the SHA-1 of the image, read from the
// XEP-0084 metadata node (its item id) or else from the vCard PHOTO; '' when the account has no avatar. Cached per
// account once read; the converters set it when the avatar changes.
import { parseFragment } from '../stored-xml.js';
import type { VcardStore } from '../../storage/vcard.js';
import type { PepStore } from '../pep/store.js';
import { NS_AVATAR_METADATA } from './namespaces.js';
import { photoOf } from './vcard-photo.js';

export class AvatarHashes {
  private readonly cache = new Map<string, string>();

  constructor(private readonly pep: PepStore, private readonly vcards: VcardStore) {}

  /** The hash if it is in memory (the presence path stays synchronous then). */
  peek(user: string): string | undefined {
    return this.cache.get(user);
  }

  async get(user: string): Promise<string> {
    const cached = this.cache.get(user);
    if (cached !== undefined) return cached;
    const hash = await this.read(user);
    if (!this.cache.has(user)) this.cache.set(user, hash);
    return this.cache.get(user)!;
  }

  private async read(user: string): Promise<string> {
    const rec = await this.pep.node(user, NS_AVATAR_METADATA);
    const last = rec ? await this.pep.last(rec) : null;
    if (last) return parseFragment(last.xml).getChild('info') ? last.id : '';
    const xml = await this.vcards.get(user);
    return (xml !== null ? photoOf(parseFragment(xml))?.sha1 : undefined) ?? '';
  }

  /** A new hash; true if it changed. */
  set(user: string, hash: string): boolean {
    const changed = this.cache.get(user) !== hash;
    this.cache.set(user, hash);
    return changed;
  }

  forget(user: string): void {
    this.cache.delete(user);
  }
}
