// XEP-0049: Private XML Storage (`jabber:iq:private`) — each element a user stores is kept per (namespace,
// element name), unmodified, readable and writable by that user only (MOD-49).
import { el, childElements, firstChildElement, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';
import { StanzaError } from '../core/errors.js';
import type { StanzaEvent } from '../core/router.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';
import { isOwnAccount } from './own-account.js';
import { serializeFragment, parseFragment, byteLength } from './stored-xml.js';
import { ensureQuota } from './storage-quota.js';
import { privateStore, type PrivateKey } from '../storage/private.js';

export const NS_PRIVATE = 'jabber:iq:private';

/** Namespaces that cannot be stored: the stanza namespaces and this protocol's own (XEP-0049 §2.3). */
const RESERVED = new Set<string>([NS.client, NS.server, NS.streams, NS_PRIVATE]);

/** Default cap on everything one account keeps in private storage, in bytes. */
export const DEFAULT_MAX_PRIVATE_BYTES = 1024 * 1024;

function keyOf(e: Element): PrivateKey {
  const ns = e.getNS();
  // An element without a namespace of its own inherits jabber:iq:private, which is reserved.
  if (ns === undefined || RESERVED.has(ns)) {
    throw new StanzaError('not-acceptable', { text: `<${e.getName()}/> needs a namespace of its own that is not reserved` });
  }
  return { ns, name: e.getName() };
}

/** A child that only says which element is meant (no content, no attributes but its namespace): a deletion. */
function isEmpty(e: Element): boolean {
  return e.children.length === 0 && Object.keys(e.attrs).every((a) => a === 'xmlns' || a.startsWith('xmlns:'));
}

export const privateStorageModule: ServerModule = {
  name: 'private-storage',
  spec: 'XEP-0049: Private XML Storage',
  stores: [privateStore],
  async load(ctx) {
    ctx.disco.addFeature('host', NS_PRIVATE);
    const store = await ctx.storage.open(privateStore);
    const check = (ev: StanzaEvent): Element[] | false => {
      if (ev.to.domain !== ctx.config.domain) return false;
      // Only the account itself may read or write its private data (§2.3, §4); same answer for any other account.
      if (!isOwnAccount(ev)) throw new StanzaError('forbidden', { text: 'private data can only be used by its owner' });
      const items = childElements(firstChildElement(ev.stanza)!);
      // At least one child element is required (§2.3: not-acceptable).
      if (items.length === 0) throw new StanzaError('not-acceptable', { text: 'name the element to store or retrieve' });
      return items;
    };

    ctx.router.hookIq('get', ['self', 'bare'], NS_PRIVATE, 'query', async (ev) => {
      const items = check(ev);
      if (!items) return false;
      const user = ev.from.local;
      const out: Element[] = [];
      for (const item of items) {
        const stored = await store.get(user, keyOf(item));
        // Nothing stored: the requested (empty) element comes back as it was asked for.
        out.push(stored !== null ? parseFragment(stored) : parseFragment(serializeFragment(item)));
      }
      return replyResult(ev, el('query', { xmlns: NS_PRIVATE }, out));
    });

    ctx.router.hookIq('set', ['self', 'bare'], NS_PRIVATE, 'query', async (ev) => {
      const items = check(ev);
      if (!items) return false;
      const user = ev.from.local;
      const writes = items.map((item) => ({ key: keyOf(item), xml: isEmpty(item) ? null : serializeFragment(item) }));
      const limit = ctx.config.limits.maxPrivateBytes ?? DEFAULT_MAX_PRIVATE_BYTES;
      const added = writes.reduce((n, w) => n + (w.xml === null ? 0 : byteLength(w.xml)), 0);
      if (added > 0 && (await store.size(user, writes.map((w) => w.key))) + added > limit) {
        throw new StanzaError('not-acceptable', { text: `private storage is limited to ${limit} bytes per account` });
      }
      const replaced = (await store.size(user)) - (await store.size(user, writes.map((w) => w.key)));
      await ensureQuota(ctx, user, added, replaced);
      for (const w of writes) await store.set(user, w.key, w.xml);
      return replyResult(ev);
    });
  },
};
