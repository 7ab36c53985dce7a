// XEP-0402 PEP Native Bookmarks kept in step with XEP-0048 bookmarks in XEP-0049 private storage (§5 "compat",
// MOD-50, MOD-51): a room bookmarked by a client of either kind is seen by clients of the other. XEP-0411 (the
// older XEP-0048-in-PEP conversion) is superseded by this and not implemented separately (MOD-52).
//
// Both stores stay authoritative for their own protocol and are written through: a `storage:bookmarks` set is
// turned into publications and retractions on `urn:xmpp:bookmarks:1` (so PEP clients are notified), and every
// change on that node rewrites the private-storage copy (keeping its <url/> bookmarks, which XEP-0402 has not).
import { el, type Element } from '../core/xml.js';
import { tryParseJid, type Jid } from '../core/jid.js';
import type { StanzaEvent } from '../core/router.js';
import type { ServerModule } from './module.js';
import { privateStore, type PrivateStore } from '../storage/private.js';
import { pepStore } from './pep/store.js';
import { pepService } from './pep/index.js';
import type { PepService } from './pep/service.js';
import { isOwnAccount } from './own-account.js';
import { parseFragment, serializeFragment } from './stored-xml.js';
import { NS_PRIVATE } from './private-storage.js';

export const NS_BOOKMARKS2 = 'urn:xmpp:bookmarks:1';
export const NS_BOOKMARKS_LEGACY = 'storage:bookmarks';
const LEGACY_KEY = { ns: NS_BOOKMARKS_LEGACY, name: 'storage' };
/** Marks the converter's own publications so they are not written back. */
const FROM_PRIVATE = 'private-bookmarks';

/** The node configuration XEP-0402 §3 requires, as publish-options. */
const BOOKMARK_OPTIONS = new Map([
  ['pubsub#persist_items', ['true']], ['pubsub#max_items', ['max']],
  ['pubsub#send_last_published_item', ['never']], ['pubsub#access_model', ['whitelist']],
]);

const truthy = (v: unknown): boolean => v === 'true' || v === '1';

/** XEP-0048 <conference jid name autojoin><nick/><password/></conference> → XEP-0402 item (id = room JID). */
function toNative(c: Element): { id: string; payload: Element } | null {
  const jid = tryParseJid(c.attrs.jid as string | undefined);
  if (!jid || jid.local === '') return null;
  const nick = c.getChildText('nick');
  const password = c.getChildText('password');
  return {
    id: jid.bareString(),
    payload: el('conference', { xmlns: NS_BOOKMARKS2, name: c.attrs.name as string | undefined, autojoin: truthy(c.attrs.autojoin) ? 'true' : undefined },
      nick ? el('nick', null, nick) : null, password ? el('password', null, password) : null),
  };
}

/** XEP-0402 item → XEP-0048 <conference/>. */
function toLegacy(id: string, c: Element): Element {
  const nick = c.getChildText('nick');
  const password = c.getChildText('password');
  return el('conference', { jid: id, name: c.attrs.name as string | undefined, autojoin: truthy(c.attrs.autojoin) ? 'true' : 'false' },
    nick ? el('nick', null, nick) : null, password ? el('password', null, password) : null);
}

class BookmarkSync {
  constructor(private readonly pep: PepService, private readonly priv: PrivateStore) {}

  /** A legacy client stored its bookmarks: publish what is new or changed, retract what is gone. */
  async fromPrivate(owner: Jid, storage: Element): Promise<void> {
    const wanted = new Map<string, Element>();
    for (const c of storage.getChildren('conference')) {
      const n = toNative(c);
      if (n) wanted.set(n.id, n.payload);
    }
    const rec = await this.pep.store.node(owner.local, NS_BOOKMARKS2);
    const have = new Map((rec ? await this.pep.store.items(rec) : []).map((i) => [i.id, i.xml]));
    for (const [id, payload] of wanted) {
      if (have.get(id) === serializeFragment(payload)) continue;
      // The options make a new node the way XEP-0402 §3 wants it; an existing node keeps its owner's settings.
      const exists = (await this.pep.store.node(owner.local, NS_BOOKMARKS2)) !== undefined;
      await this.pep.publish(owner, NS_BOOKMARKS2, [{ id, payload }], exists ? null : BOOKMARK_OPTIONS, FROM_PRIVATE);
    }
    for (const id of have.keys()) if (!wanted.has(id)) await this.pep.retract(owner, NS_BOOKMARKS2, id, true, FROM_PRIVATE);
  }

  /** The native node changed: rewrite the legacy copy from it, keeping the legacy-only <url/> entries. */
  async toPrivate(owner: Jid): Promise<void> {
    const user = owner.local;
    const rec = await this.pep.store.node(user, NS_BOOKMARKS2);
    const items = rec ? await this.pep.store.items(rec) : [];
    const old = await this.priv.get(user, LEGACY_KEY);
    const urls = old !== null ? parseFragment(old).getChildren('url') : [];
    const storage = el('storage', { xmlns: NS_BOOKMARKS_LEGACY }, items.map((i) => toLegacy(i.id, parseFragment(i.xml))), urls);
    await this.priv.set(user, LEGACY_KEY, serializeFragment(storage));
  }
}

export const bookmarksModule: ServerModule = {
  name: 'bookmarks',
  spec: 'XEP-0402: PEP Native Bookmarks, in sync with XEP-0048 in XEP-0049 private storage',
  stores: [privateStore, pepStore],
  async load(ctx) {
    const pep = pepService(ctx);
    const sync = new BookmarkSync(pep, await ctx.storage.open(privateStore));
    ctx.disco.addFeature('account', `${NS_BOOKMARKS2}#compat`);
    pep.onPublished.push(async (e) => {
      if (e.rec.node === NS_BOOKMARKS2 && e.source !== FROM_PRIVATE) await sync.toPrivate(e.owner);
    });
    pep.onRetracted.push(async (e) => {
      if (e.rec.node === NS_BOOKMARKS2 && e.source !== FROM_PRIVATE) await sync.toPrivate(e.owner);
    });
    // A private-storage set seen before the private-storage module stores it (priority above its 0).
    const onSet = async (ev: StanzaEvent): Promise<false> => {
      if (ev.to.domain !== ctx.config.domain || !isOwnAccount(ev) || !ev.payload) return false;
      const storage = ev.payload.getChild('storage', NS_BOOKMARKS_LEGACY);
      if (storage) await sync.fromPrivate(ev.from.bare, storage);
      return false;
    };
    ctx.router.hook(`iq-set/self/${NS_PRIVATE}:query`, onSet, 10);
    ctx.router.hook(`iq-set/bare/${NS_PRIVATE}:query`, onSet, 10);
  },
};
