// XEP-0054: vcard-temp — the owner's vCard stored exactly as set; others' vCards answered by the server on the
// owner's behalf (never forwarded), with one and the same error for "no such user" and "no vCard" (BAD-33).
import { el, firstChildElement } from '../core/xml.js';
import { StanzaError } from '../core/errors.js';
import type { StanzaEvent } from '../core/router.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';
import { isOwnAccount } from './own-account.js';
import { serializeFragment, parseFragment, byteLength } from './stored-xml.js';
import { vcardStore } from '../storage/vcard.js';
import { ensureQuota } from './storage-quota.js';

export const NS_VCARD = 'vcard-temp';

/** Default size limit of one stored vCard (mostly its PHOTO), in bytes of UTF-8. */
export const DEFAULT_MAX_VCARD_BYTES = 64 * 1024;

export const vcardModule: ServerModule = {
  name: 'vcard',
  spec: 'XEP-0054: vcard-temp',
  stores: [vcardStore],
  async load(ctx) {
    ctx.disco.addFeature('host', NS_VCARD);
    const store = await ctx.storage.open(vcardStore);
    // Other served domains (conference.<domain>…) answer for their own entities (VCARD-06).
    const mine = (ev: StanzaEvent): boolean => ev.to.domain === ctx.config.domain;
    const emptyVcard = () => el('vCard', { xmlns: NS_VCARD });
    const maxBytes = (): number => ctx.config.limits.maxVcardBytes ?? DEFAULT_MAX_VCARD_BYTES;

    // §3.1 own vCard: the stored one, or an empty <vCard/> if none was set (VCARD-01).
    // §3.3 someone else's: the stored one, else service-unavailable whether or not the account exists (VCARD-04).
    ctx.router.hookIq('get', ['self', 'bare'], NS_VCARD, 'vCard', async (ev) => {
      if (!mine(ev)) return false;
      const user = ev.to.local;
      const xml = await store.get(user);
      if (xml !== null) return replyResult(ev, parseFragment(xml));
      if (isOwnAccount(ev)) return replyResult(ev, emptyVcard());
      throw new StanzaError('service-unavailable');
    });

    // §3.2 the whole vCard is replaced by what the owner sends, stored unmodified (VCARD-02); anyone else's →
    // forbidden (VCARD-03).
    ctx.router.hookIq('set', ['self', 'bare'], NS_VCARD, 'vCard', async (ev) => {
      if (!mine(ev)) return false;
      if (!isOwnAccount(ev)) throw new StanzaError('forbidden', { text: 'you can only change your own vCard' });
      const vcard = firstChildElement(ev.stanza)!;
      const xml = serializeFragment(vcard);
      const limit = maxBytes();
      if (byteLength(xml) > limit) {
        throw new StanzaError('not-acceptable', { text: `the vCard is larger than this server's limit of ${limit} bytes; use a smaller photo` });
      }
      await ensureQuota(ctx, ev.from.local, byteLength(xml), await store.size(ev.from.local));
      await store.set(ev.from.local, xml);
      return replyResult(ev);
    });

    // The server itself has no vCard of its own to offer; it may not be changed by clients.
    ctx.router.hookIq('get', ['host'], NS_VCARD, 'vCard', (ev) => mine(ev) && replyResult(ev, emptyVcard()));
    ctx.router.hookIq('set', ['host'], NS_VCARD, 'vCard', (ev) => {
      if (!mine(ev)) return false;
      throw new StanzaError('forbidden', { text: 'you can only change your own vCard' });
    });
  },
};
