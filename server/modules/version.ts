// XEP-0092: Software Version — the server's name and version (the OS is left out: it tells attackers too much).
import { NS } from '../core/namespaces.js';
import { el } from '../core/xml.js';
import type { ServerModule } from './module.js';
import { replyResult } from './iq-reply.js';
import { PARLEY_VERSION } from '../version.js';

export const versionModule: ServerModule = {
  name: 'version',
  spec: 'XEP-0092: Software Version',
  load(ctx) {
    ctx.disco.addFeature('host', NS.version);
    ctx.router.hookIq('get', ['host'], NS.version, 'query', (ev) =>
      replyResult(ev, el('query', { xmlns: NS.version }, el('name', null, 'Parley'), el('version', null, PARLEY_VERSION))));
  },
};
