// XEP-0115: Entity Capabilities — the caps each client advertises in its presence, verified and cached for PEP's
// filtered notifications (PEP-07, PEP-21), and the server's own caps in the stream features (PEP-20).
import { el } from '../../core/xml.js';
import { NS } from '../../core/namespaces.js';
import type { StanzaEvent } from '../../core/router.js';
import type { ModuleContext, ServerModule } from '../module.js';
import { replyResult } from '../iq-reply.js';
import { capsService, NS_CAPS } from './service.js';
import { capsVer } from './hash.js';

/** The node URI naming this server software in its caps (XEP-0115 §4). */
export const SERVER_CAPS_NODE = 'urn:parley:server';

/** The server domain's disco#info as disco.ts answers it, for hashing (the two must agree: PEP-20). */
function hostInfo(ctx: ModuleContext, node?: string) {
  const d = ctx.disco;
  return el('query', { xmlns: NS.discoInfo, node },
    d.identitiesOf('host').map((i) => el('identity', { category: i.category, type: i.type, name: i.name })),
    d.featuresOf('host').map((f) => el('feature', { var: f })),
    d.formsOf());
}

export const capsModule: ServerModule = {
  name: 'caps',
  spec: 'XEP-0115: Entity Capabilities',
  load(ctx) {
    const caps = capsService(ctx.router, ctx.config.domain, ctx.log);
    ctx.disco.addFeature('host', NS_CAPS);
    // A resource's broadcast presence (available) carries its caps; the last one is kept for the session.
    const observe = (ev: StanzaEvent): false => {
      if (ev.origin && ev.type === 'available' && (ev.addressing === 'self' || ev.to.equals(ev.from.bare))) caps.observe(ev.origin, ev.stanza);
      return false;
    };
    ctx.router.hook('pre-presence/self', observe, 90);
    ctx.router.hook('pre-presence/bare', observe, 90);
    // Answers to the server's disco#info queries come back to the domain.
    ctx.router.hook('iq/host', (ev) => (ev.type === 'result' || ev.type === 'error') && ev.to.domain === ctx.config.domain && caps.answer(ev.stanza), 100);

    // Hashed again only when what it covers changed: the registry's features and identities, or a form (forms are
    // built from live settings, so they are compared as text). Every login's stream features carry it.
    let cached: { revision: number; forms: string; ver: string } | null = null;
    const ver = (): string => {
      const forms = ctx.disco.formsOf().map(String).join('');
      if (cached === null || cached.revision !== ctx.disco.revision || cached.forms !== forms) {
        cached = { revision: ctx.disco.revision, forms, ver: capsVer(hostInfo(ctx), 'sha-1') ?? '' };
      }
      return cached.ver;
    };
    ctx.featureProviders.push({ postAuthFeatures: () => [el('c', { xmlns: NS_CAPS, hash: 'sha-1', node: SERVER_CAPS_NODE, ver: ver() })] });
    // disco#info on `node#ver` is the same answer as without a node (XEP-0115 §6.2).
    ctx.router.hook(`iq-get/host/${NS.discoInfo}:query`, (ev) => {
      const node = ev.payload?.attrs.node as string | undefined;
      if (ev.to.domain !== ctx.config.domain || node !== `${SERVER_CAPS_NODE}#${ver()}`) return false;
      return replyResult(ev, hostInfo(ctx, node));
    }, 10);
  },
};
