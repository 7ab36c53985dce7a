// XEP-0398 §3 (VCARD-07, VCARD-09): an avatar published with XEP-0084 becomes the vCard PHOTO, and a vCard PHOTO
// becomes an XEP-0084 avatar (data + metadata, item id = SHA-1 of the image). PEP → vCard only when the data node
// is open: a vCard is readable by anyone, so converting a contacts-only avatar would widen who sees it (§5).
import { el } from '../../core/xml.js';
import type { Jid } from '../../core/jid.js';
import type { ModuleContext } from '../module.js';
import type { VcardStore } from '../../storage/vcard.js';
import { DEFAULT_MAX_VCARD_BYTES } from '../vcard.js';
import { byteLength, parseFragment } from '../stored-xml.js';
import type { PepService, PublishedEvent } from '../pep/service.js';
import type { AvatarHashes } from './hashes.js';
import { NS_AVATAR_DATA, NS_AVATAR_METADATA } from './namespaces.js';
import { decodeBase64, sha1Hex, withPhoto, type Photo } from './vcard-photo.js';
import { rebroadcast } from './presence-hash.js';

/** Marks the converter's own publications, so they are not converted back. */
export const FROM_VCARD = 'vcard';

const OPEN = new Map([['pubsub#access_model', ['open']]]);

export class AvatarConversion {
  constructor(private readonly ctx: ModuleContext, private readonly pep: PepService, private readonly vcards: VcardStore, private readonly hashes: AvatarHashes) {}

  /** A metadata item was published (XEP-0084 §4.2): copy the image it names into the vCard. */
  async onPublished(e: PublishedEvent): Promise<void> {
    if (e.rec.node !== NS_AVATAR_METADATA || e.source === FROM_VCARD) return;
    const user = e.owner.local;
    const infos = e.payload.getChildren('info');
    if (infos.length === 0) {
      // An empty <metadata/> switches the avatar off (§4.5): the vCard loses its photo too.
      await this.vcards.set(user, withPhoto(await this.vcards.get(user), null));
      await this.changed(e.owner, '');
      return;
    }
    const dataNode = await this.pep.store.node(user, NS_AVATAR_DATA);
    if (!dataNode || dataNode.config.access_model !== 'open') return;   // VCARD-09
    const items = await this.pep.store.items(dataNode);
    for (const info of infos) {
      // §3.1: the info that does not point to an external URL, whose data is on the data node and whose SHA-1 is
      // its id.
      const id = info.attrs.id as string | undefined;
      if (!id || info.attrs.url !== undefined) continue;
      const item = items.find((i) => i.id === id);
      if (!item) continue;
      const bytes = decodeBase64(parseFragment(item.xml).getText());
      if (!bytes || sha1Hex(bytes) !== id.toLowerCase()) continue;
      const xml = withPhoto(await this.vcards.get(user), { type: String(info.attrs.type ?? 'image/png'), base64: bytes.toString('base64') });
      if (byteLength(xml) > (this.ctx.config.limits.maxVcardBytes ?? DEFAULT_MAX_VCARD_BYTES)) return;
      await this.vcards.set(user, xml);
      await this.changed(e.owner, sha1Hex(bytes));
      return;
    }
  }

  /** The owner set a vCard (before it is stored): publish its photo as the XEP-0084 avatar if it is a new one. */
  async onVcardSet(owner: Jid, photo: Photo | null): Promise<void> {
    const current = await this.hashes.get(owner.local);
    if (photo) {
      if (photo.sha1 === current) return;
      // Open unless the owner configured the node otherwise (publish-options are only used for a new node).
      const opts = async (node: string) => ((await this.pep.store.node(owner.local, node)) ? null : OPEN);
      await this.pep.publish(owner, NS_AVATAR_DATA, [{ id: photo.sha1, payload: el('data', { xmlns: NS_AVATAR_DATA }, photo.base64) }], await opts(NS_AVATAR_DATA), FROM_VCARD);
      await this.pep.publish(owner, NS_AVATAR_METADATA, [{ id: photo.sha1, payload: el('metadata', { xmlns: NS_AVATAR_METADATA },
        el('info', { id: photo.sha1, bytes: photo.bytes.length, type: photo.type })) }], await opts(NS_AVATAR_METADATA), FROM_VCARD);
      await this.changed(owner, photo.sha1);
    } else if (current !== '' && (await this.pep.store.node(owner.local, NS_AVATAR_METADATA))) {
      await this.pep.publish(owner, NS_AVATAR_METADATA, [{ id: 'none', payload: el('metadata', { xmlns: NS_AVATAR_METADATA }) }], null, FROM_VCARD);
      await this.changed(owner, '');
    }
  }

  private async changed(owner: Jid, hash: string): Promise<void> {
    const previous = this.hashes.peek(owner.local) ?? '';
    if (this.hashes.set(owner.local, hash)) await rebroadcast(this.ctx, owner, previous);
  }
}
