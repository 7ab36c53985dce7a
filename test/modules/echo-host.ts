// Test-only module: a host `echo.<domain>` that answers messages with their body and disco#info with its own
// identity. It is added through the server's `modules` option and removed with remove(): nothing in server/core/
// knows it, which is what the seams issue asks a host to need.
import { el } from '../../server/core/xml.js';
import { NS } from '../../server/core/namespaces.js';
import type { ModuleContext, ServerModule } from '../../server/modules/module.js';
import { replyResult } from '../../server/modules/iq-reply.js';

export const NS_ECHO = 'urn:parley:test:echo';

export class EchoHostModule implements ServerModule {
  readonly name = 'echo-host';
  readonly spec = 'test only: a service host that echoes messages';
  private ctx: ModuleContext | null = null;

  get domain(): string {
    return `echo.${this.ctx!.config.domain}`;
  }

  load(ctx: ModuleContext): void {
    this.ctx = ctx;
    const host = ctx.router.addHost(this.domain, 'service', 'Echo');
    for (const a of ['host', 'bare', 'full'] as const) {
      host.hook(`message/${a}`, (ev) => {
        if (ev.type === 'error') return true;
        const a = ev.stanza.attrs as Record<string, string | undefined>;
        // Routed like any stanza the server sends: outbound events on this host, then the user's inbound ones.
        void ctx.router.submit(el('message', { from: ev.to.toString(), to: ev.from.toString(), type: ev.type, id: a.id },
          el('body', null, `echo: ${ev.stanza.getChildText('body') ?? ''}`)), 'server');
        return true;
      });
    }
    host.hookIq('get', ['host'], NS.discoInfo, 'query', (ev) => replyResult(ev, el('query', { xmlns: NS.discoInfo },
      el('identity', { category: 'component', type: 'generic', name: 'Echo' }),
      el('feature', { var: NS.discoInfo }),
      el('feature', { var: NS_ECHO }))));
  }

  /** Stop serving echo.<domain>: addresses on it are then on no host. */
  remove(): void {
    this.ctx?.router.removeHost(this.domain);
  }
}
