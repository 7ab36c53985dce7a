// XEP-0199: XMPP Ping — the server answers pings addressed to it or sent without `to` (CORE-13).
import { NS } from '../core/namespaces.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';

export const pingModule: ServerModule = {
  name: 'ping',
  spec: 'XEP-0199: XMPP Ping',
  load(ctx) {
    ctx.disco.addFeature('host', NS.ping);
    ctx.router.hookIq('get', ['host', 'self'], NS.ping, 'ping', (ev) => replyResult(ev));
  },
};
