// XEP-0030: Service Discovery for the server domain and for accounts (their owners see the account features;
// anyone else gets the same answer whether or not the account exists, BAD-33).
import { NS } from '../core/namespaces.js';
import { el } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';
import { StanzaError } from '../core/errors.js';
import type { ServerModule, ModuleContext } from './module.js';
import { replyResult } from './iq-reply.js';
import { isOwnAccount } from './own-account.js';
import type { DiscoScope } from './disco-registry.js';

function infoQuery(ctx: ModuleContext, scope: DiscoScope, node: string | undefined) {
  const d = ctx.disco;
  return el('query', { xmlns: NS.discoInfo, node },
    d.identitiesOf(scope).map((i) => el('identity', { category: i.category, type: i.type, name: i.name })),
    d.featuresOf(scope).map((f) => el('feature', { var: f })),
    scope === 'host' ? d.formsOf() : null);
}

export const discoModule: ServerModule = {
  name: 'disco',
  spec: 'XEP-0030: Service Discovery',
  load(ctx) {
    const d = ctx.disco;
    d.addIdentity('host', { category: 'server', type: 'im', name: ctx.config.serverName });
    d.addIdentity('account', { category: 'account', type: 'registered' });
    for (const scope of ['host', 'account'] as const) {
      d.addFeature(scope, NS.discoInfo);
      d.addFeature(scope, NS.discoItems);
    }
    const nodeOf = (ev: StanzaEvent): string | undefined => ev.stanza.getChild('query')?.attrs.node as string | undefined;

    ctx.router.hookIq('get', ['host'], NS.discoInfo, 'query', (ev) => {
      if (nodeOf(ev) !== undefined) throw new StanzaError('item-not-found');
      return replyResult(ev, infoQuery(ctx, 'host', undefined));
    });
    ctx.router.hookIq('get', ['host'], NS.discoItems, 'query', (ev) => {
      if (nodeOf(ev) !== undefined) throw new StanzaError('item-not-found');
      // Every other host this server serves (conference., upload., components) is an item of the domain (SVC-02).
      const hosts = ctx.router.allHosts().filter((h) => h !== ctx.router.main).map((h) => ({ jid: h.domain, name: h.name, node: undefined }));
      return replyResult(ev, el('query', { xmlns: NS.discoItems }, [...hosts, ...d.itemsOf()].map((i) => el('item', { jid: i.jid, name: i.name, node: i.node }))));
    });
    ctx.router.hookIq('get', ['self', 'bare'], NS.discoInfo, 'query', (ev) => {
      // Others asking about an account learn nothing, existing or not (RFC 6121 §8.5.1 anti-harvesting).
      if (!isOwnAccount(ev) || nodeOf(ev) !== undefined) throw new StanzaError('service-unavailable');
      return replyResult(ev, infoQuery(ctx, 'account', undefined));
    });
    ctx.router.hookIq('get', ['self', 'bare'], NS.discoItems, 'query', (ev) => {
      if (!isOwnAccount(ev) || nodeOf(ev) !== undefined) throw new StanzaError('service-unavailable');
      return replyResult(ev, el('query', { xmlns: NS.discoItems }));
    });
  },
};
