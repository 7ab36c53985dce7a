// XEP-0163 §6 service discovery of the PEP service on an account: the pubsub/pep identity and the features on the
// owner's disco#info (PEP-01, PEP-18), the nodes a requester may read in disco#items (PEP-13; a private node is
// never listed to anyone but the owner, PEP-19), and a node's own disco#info.
import { el } from '../../core/xml.js';
import { NS } from '../../core/namespaces.js';
import type { StanzaEvent } from '../../core/router.js';
import type { ModuleContext } from '../module.js';
import type { RosterStore } from '../../storage/roster.js';
import { replyResult } from '../iq-reply.js';
import { isOwnAccount } from '../own-account.js';
import type { PepStore } from './store.js';
import { mayRead, seesOwner } from './access.js';
import { NS_PUBSUB, PUBSUB_FEATURES } from './namespaces.js';

export function hookDisco(ctx: ModuleContext, store: PepStore, roster: RosterStore): void {
  ctx.disco.addIdentity('account', { category: 'pubsub', type: 'pep' });
  ctx.disco.addFeature('account', NS_PUBSUB);
  for (const f of PUBSUB_FEATURES) ctx.disco.addFeature('account', f);

  /** Which of the account's nodes the requester may see; null: not someone the account shares presence with. */
  const visible = async (ev: StanzaEvent) => {
    const owner = ev.to.bare;
    if (ev.to.domain !== ctx.config.domain) return null;
    if (isOwnAccount(ev)) return [...(await store.nodes(owner.local)).values()];
    const requester = ev.from.bareString();
    const item = await roster.get(owner.local, requester);
    // Strangers learn nothing here, not even that the account exists (the disco module's answer stands).
    if (!seesOwner(item)) return null;
    return [...(await store.nodes(owner.local)).values()].filter((n) => mayRead(n, requester, item));
  };

  for (const a of ['self', 'bare'] as const) {
    ctx.router.hook(`iq-get/${a}/${NS.discoItems}:query`, async (ev) => {
      const node = ev.payload?.attrs.node as string | undefined;
      const nodes = await visible(ev);
      if (!nodes) return false;
      const jid = ev.to.bare.toString();
      if (node === undefined) {
        return replyResult(ev, el('query', { xmlns: NS.discoItems }, nodes.map((n) => el('item', { jid, node: n.node, name: n.config.title || undefined }))));
      }
      // The items of one node (XEP-0060 §5.5): their ids as names.
      const rec = nodes.find((n) => n.node === node);
      if (!rec) return false;
      return replyResult(ev, el('query', { xmlns: NS.discoItems, node }, (await store.items(rec)).map((i) => el('item', { jid, name: i.id }))));
    }, 10);
    ctx.router.hook(`iq-get/${a}/${NS.discoInfo}:query`, async (ev) => {
      const node = ev.payload?.attrs.node as string | undefined;
      if (node === undefined) return false;
      const nodes = await visible(ev);
      const rec = nodes?.find((n) => n.node === node);
      if (!rec) return false;
      return replyResult(ev, el('query', { xmlns: NS.discoInfo, node },
        el('identity', { category: 'pubsub', type: 'leaf' }), el('feature', { var: NS_PUBSUB })));
    }, 10);
  }
}
