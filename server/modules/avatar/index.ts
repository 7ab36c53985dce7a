// Avatars: XEP-0084 on PEP, XEP-0153 hashes in presence and XEP-0398 conversion between the two (VCARD-07…09).
// Needs the pep module (loaded before it) and the vCard store.
import type { StanzaEvent } from '../../core/router.js';
import type { ServerModule } from '../module.js';
import { vcardStore } from '../../storage/vcard.js';
import { pepStore } from '../pep/store.js';
import { pepService } from '../pep/index.js';
import { isOwnAccount } from '../own-account.js';
import { byteLength, serializeFragment } from '../stored-xml.js';
import { DEFAULT_MAX_VCARD_BYTES, NS_VCARD } from '../vcard.js';
import { AvatarHashes } from './hashes.js';
import { AvatarConversion } from './conversion.js';
import { hookPresenceHash } from './presence-hash.js';
import { NS_PEP_VCARD_CONVERSION } from './namespaces.js';
import { photoOf } from './vcard-photo.js';

export const avatarModule: ServerModule = {
  name: 'avatar',
  spec: 'XEP-0084 / XEP-0153 / XEP-0398: user avatars, vCard-based avatar hashes and their conversion',
  stores: [vcardStore, pepStore],
  async load(ctx) {
    const vcards = await ctx.storage.open(vcardStore);
    const pep = pepService(ctx);
    const hashes = new AvatarHashes(pep.store, vcards);
    const conversion = new AvatarConversion(ctx, pep, vcards, hashes);
    ctx.disco.addFeature('account', NS_PEP_VCARD_CONVERSION);
    pep.onPublished.push((e) => conversion.onPublished(e));
    hookPresenceHash(ctx, hashes);
    // A vCard set by its owner, seen before the vcard module stores it (priority above its 0): the photo is
    // published to PEP first, then the vcard module stores the vCard and answers. A vCard the vcard module will
    // refuse (too big) is left alone.
    const onSet = async (ev: StanzaEvent): Promise<false> => {
      if (ev.to.domain !== ctx.config.domain || !isOwnAccount(ev) || !ev.payload) return false;
      const limit = ctx.config.limits.maxVcardBytes ?? DEFAULT_MAX_VCARD_BYTES;
      if (byteLength(serializeFragment(ev.payload)) > limit) return false;
      await conversion.onVcardSet(ev.from.bare, photoOf(ev.payload));
      return false;
    };
    ctx.router.hook(`iq-set/self/${NS_VCARD}:vCard`, onSet, 10);
    ctx.router.hook(`iq-set/bare/${NS_VCARD}:vCard`, onSet, 10);
    // A removed account's cached hash goes with it (its stores are purged by their own definitions).
    ctx.accounts.onAccountRemoved('avatar-hashes', (user) => Promise.resolve(hashes.forget(user)));
  },
};
