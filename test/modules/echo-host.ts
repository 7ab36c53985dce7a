// Test-only module: a host `echo.<domain>` (or `<label>.<domain>`) that answers messages with their body and
// disco#info with its own identity. It is added through the server's `modules` option and removed with remove(): nothing in server/core/
// knows it, which is what the seams issue asks a host to need.
import { EventEmitter } from 'node:events';
import { el, type Element } from '../../server/core/xml.js';
import { NS } from '../../server/core/namespaces.js';
import type { ModuleContext, ServerModule } from '../../server/modules/module.js';
import { replyResult } from '../../server/modules/iq-reply.js';

export const NS_ECHO = 'urn:parley:test:echo';

export class EchoHostModule implements ServerModule {
  readonly name = 'echo-host';
  readonly spec = 'test only: a service host that echoes messages';
  private ctx: ModuleContext | null = null;
  /** 'presence-error': a presence error that came to the host (as a room gets one for an unreachable occupant). */
  readonly events = new EventEmitter<{ 'presence-error': [Element] }>();

  /** `label`: the host's first label; federation tests use "conference", a name the server's certificate covers. */
  constructor(private readonly label = 'echo') {}

  get domain(): string {
    return `${this.label}.${this.ctx!.config.domain}`;
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
    for (const a of ['host', 'bare', 'full'] as const) {
      host.hook(`presence/${a}`, (ev) => {
        if (ev.type === 'error') this.events.emit('presence-error', ev.stanza);
        return true;
      });
    }
    host.hookIq('get', ['host'], NS.discoInfo, 'query', (ev) => replyResult(ev, el('query', { xmlns: NS.discoInfo },
      el('identity', { category: 'component', type: 'generic', name: 'Echo' }),
      el('feature', { var: NS.discoInfo }),
      el('feature', { var: NS_ECHO }))));
  }

  /** A directed presence from the host to `to`, routed like any the server sends (as a room's to an occupant). */
  sendPresence(to: string): void {
    void this.ctx!.router.submit(el('presence', { from: this.domain, to }), 'server');
  }

  /** Stop serving echo.<domain>: addresses on it are then on no host. */
  remove(): void {
    this.ctx?.router.removeHost(this.domain);
  }
}
