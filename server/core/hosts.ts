// Hosts (DESIGN.md "The seams"): every domain this server answers for is a Host with its own table of event
// handlers, as Prosody keeps one per virtual host. The account domain is one host; a module adds others
// (conference.<domain>, upload.<domain>, a component) with Router.addHost and hooks its handlers on that host only,
// so the server's own modules (ping, version, disco…) never answer for another host's addresses.
import type { Addressing, HostKind, ServedHost, StanzaEvent } from './stanza-event.js';
import { NS } from './namespaces.js';

export type Handler = (ev: StanzaEvent) => boolean | void | Promise<boolean | void>;
interface Hooked { handler: Handler; priority: number }

export type { HostKind } from './stanza-event.js';

export class Host implements ServedHost {
  private readonly hooks = new Map<string, Hooked[]>();

  constructor(readonly domain: string, readonly kind: HostKind, readonly name?: string) {
    // Generic before specific (Prosody's mod_iq): `iq/<addressing>` fires first, so a filter hooked above 0 sees every
    // iq; at priority 0 this dispatcher fires the payload key `iq-get/<addressing>/<ns>:<name>`; handlers below 0
    // (delivery to a full JID) run when no payload handler took it.
    for (const a of ['host', 'self', 'bare', 'full'] as const) this.hook(`iq/${a}`, (ev) => this.firePayload(ev, a));
  }

  /** Hook a key; higher priority runs first, equal priorities in the order hooked. Returns a function that unhooks. */
  hook(key: string, handler: Handler, priority = 0): () => void {
    let list = this.hooks.get(key);
    if (!list) {
      list = [];
      this.hooks.set(key, list);
    }
    const h = { handler, priority };
    list.push(h);
    list.sort((a, b) => b.priority - a.priority);
    return () => {
      const l = this.hooks.get(key);
      if (!l) return;
      const i = l.indexOf(h);
      if (i >= 0) l.splice(i, 1);
    };
  }

  /** Hook an iq payload for get or set on several addressings at once. */
  hookIq(type: 'get' | 'set', addressing: Addressing[], ns: string, name: string, handler: Handler): () => void {
    const offs = addressing.map((a) => this.hook(`iq-${type}/${a}/${ns}:${name}`, handler));
    return () => offs.forEach((f) => f());
  }

  hasHandlers(key: string): boolean {
    return (this.hooks.get(key)?.length ?? 0) > 0;
  }

  /**
   * Fire the handlers of one key in priority order. Resolves true if one of them handled the event. Runs
   * synchronously while handlers are synchronous, so the common message path allocates no promise.
   */
  fire(key: string, ev: StanzaEvent): boolean | Promise<boolean> {
    const list = this.hooks.get(key);
    if (!list) return false;
    for (let i = 0; i < list.length; i++) {
      const r = list[i].handler(ev);
      if (r === true) return true;
      if (r instanceof Promise) return continueAsync(list.slice(i + 1), ev, r);
    }
    return false;
  }

  private firePayload(ev: StanzaEvent, addressing: Addressing): boolean | Promise<boolean> {
    if (ev.type !== 'get' && ev.type !== 'set') return false;
    // The router checked that an iq get/set carries exactly one payload element.
    const payload = ev.payload!;
    return this.fire(`iq-${ev.type}/${addressing}/${payload.getNS() ?? NS.client}:${payload.getName()}`, ev);
  }
}

async function continueAsync(rest: Hooked[], ev: StanzaEvent, pending: Promise<boolean | void>): Promise<boolean> {
  if ((await pending) === true) return true;
  for (const h of rest) if ((await h.handler(ev)) === true) return true;
  return false;
}
