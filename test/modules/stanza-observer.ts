// Test-only module: a filter on the router's outbound (`pre-<kind>/<addressing>`) and inbound (`<kind>/<addressing>`)
// events of the main host, above every other handler. It records what it sees and drops what `drop` picks,
// answering as XEP-0016 says a server answers a blocked stanza: outbound message/iq → <not-acceptable/>, inbound
// message/iq → <service-unavailable/>, presence never answered.
import type { StanzaEvent } from '../../server/core/router.js';
import type { ModuleContext, ServerModule } from '../../server/modules/module.js';

export interface Seen {
  dir: 'out' | 'in';
  kind: string;
  type: string;
  from: string;
  to: string;
}

/** Above the presence module's checks (100) and the console's message counter (MAX_SAFE_INTEGER is above us). */
const FILTER_PRIORITY = 1000;

export class StanzaObserver implements ServerModule {
  readonly name = 'stanza-observer';
  readonly spec = 'test only: sees and drops stanzas on the outbound and inbound router events';
  readonly seen: Seen[] = [];
  recording = false;
  drop: ((s: Seen) => boolean) | null = null;

  load(ctx: ModuleContext): void {
    for (const kind of ['message', 'presence', 'iq'] as const) {
      for (const a of ['host', 'self', 'bare', 'full'] as const) {
        ctx.router.hook(`pre-${kind}/${a}`, (ev) => this.see(ctx, 'out', ev), FILTER_PRIORITY);
        ctx.router.hook(`${kind}/${a}`, (ev) => this.see(ctx, 'in', ev), FILTER_PRIORITY);
      }
    }
  }

  private see(ctx: ModuleContext, dir: 'out' | 'in', ev: StanzaEvent): boolean {
    const s: Seen = { dir, kind: ev.kind, type: ev.type, from: ev.from.toString(), to: ev.to.toString() };
    if (this.recording) this.seen.push(s);
    if (!this.drop?.(s)) return false;
    if (ev.kind !== 'presence') ctx.router.replyError(ev, dir === 'out' ? 'not-acceptable' : 'service-unavailable');
    return true;
  }

  /** What was seen since the last take, and forget it. */
  take(): Seen[] {
    return this.seen.splice(0);
  }
}
