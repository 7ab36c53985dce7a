// The router: the one chokepoint every stanza passes (DESIGN.md "The seams", as Prosody's stanza router). Whatever
// its origin — a client stream, a server stream, the server itself — a stanza enters through submit(), which
// validates and stamps it and builds its event once. Then, in this order:
//   1. outbound: `pre-<kind>/<addressing>` on the sender's host, when the sender is on a host of ours (filters for
//      privacy, blocking, carbons, MAM see everything a local entity sends, broadcasts and probes included);
//   2. inbound: `<kind>/<addressing>` on the host of `to` (filters above priority 0 see every stanza before it is
//      delivered; iq get/set then go to `iq-get/<addressing>/<ns>:<name>` payload handlers, see hosts.ts), or
//      `route/remote` when `to` is on no host of ours (federation hooks it);
//   3. nobody handled it: RFC 6120 §10 defaults (unhandled iq get/set → service-unavailable, CORE-50).
// The first handler that returns true has handled it. The path stays synchronous while handlers are (no promise
// per ordinary message).
import { EventEmitter, captureRejectionSymbol } from 'node:events';
import { type Element, childElements } from './xml.js';
import { type Jid, tryParseJid } from './jid.js';
import { NS } from './namespaces.js';
import { StanzaError, stanzaErrorReply, type StanzaErrorCondition, type StanzaErrorOptions } from './errors.js';
import type { LocalSession, SessionRegistry } from './session-registry.js';
import type { Logger } from './log.js';
import { Host, type Handler, type HostKind } from './hosts.js';
import { checkPresence } from './presence-parse.js';
import type { Addressing, StanzaEvent, StanzaKind } from './stanza-event.js';

export type { Addressing, StanzaEvent, StanzaKind } from './stanza-event.js';
export type { Handler } from './hosts.js';

export interface RouterEvents {
  'session-bound': [LocalSession];
  'session-ended': [LocalSession];
  /** A resource sent initial presence (RFC 6121 §4.2): it is "available" now. Fired by the presence module. */
  'resource-available': [LocalSession];
  /** An available resource went unavailable, by presence or by losing its connection. Fired by the presence module. */
  'resource-unavailable': [LocalSession];
  'host-added': [Host];
  'host-removed': [Host];
}

/** Where a stanza comes from: a bound client session, an authenticated server stream, or the server itself. */
export type StanzaSource = LocalSession | 'peer' | 'server';

/** The key `route/remote` fires for a stanza to a domain on no host of ours; federation hooks it. */
export const REMOTE_KEY = 'route/remote';

const IQ_TYPES = new Set(['get', 'set', 'result', 'error']);
const PRESENCE_TYPES = new Set(['unavailable', 'subscribe', 'subscribed', 'unsubscribe', 'unsubscribed', 'probe', 'error']);
const MESSAGE_TYPES = new Set(['chat', 'error', 'groupchat', 'headline', 'normal']);

type KeyTable = Record<StanzaKind, Record<Addressing, string>>;
function keyTable(prefix: string): KeyTable {
  const t = {} as KeyTable;
  for (const k of ['message', 'presence', 'iq'] as const) t[k] = { host: `${prefix}${k}/host`, self: `${prefix}${k}/self`, bare: `${prefix}${k}/bare`, full: `${prefix}${k}/full` };
  return t;
}
/** Event keys built once, not per stanza. */
const INBOUND_KEYS = keyTable('');
const OUTBOUND_KEYS = keyTable('pre-');

function addressingOf(to: Jid): Addressing {
  if (to.local === '') return 'host';
  return to.resource === '' ? 'bare' : 'full';
}

/** A stanza the router refuses on entry: the error to answer with (none: dropped silently). */
class Refusal {
  constructor(readonly condition: StanzaErrorCondition | null, readonly text: string) {}
}

export class Router {
  private readonly hosts = new Map<string, Host>();
  /** The host of the server's own domain, where accounts live. */
  readonly main: Host;
  /**
   * Lifecycle events for modules (presence broadcast on disconnect etc.). A listener that is async and rejects is
   * logged here (captureRejections), never left as an unhandled rejection that would end the process.
   */
  readonly events = new EventEmitter<RouterEvents>({ captureRejections: true });
  /** Answers to senders with no local session go through submit() like any stanza (made once, not per event). */
  private readonly routeReply = (stanza: Element): void => {
    const r = this.submit(stanza, 'server');
    if (r instanceof Promise) r.catch((err: unknown) => this.log.error('router', `routing a reply failed: ${String(err)}`));
  };

  constructor(readonly domain: string, readonly sessions: SessionRegistry, readonly log: Logger) {
    this.events.setMaxListeners(100);
    this.events[captureRejectionSymbol] = <K>(err: Error, event: K | keyof RouterEvents, ..._args: K extends keyof RouterEvents ? RouterEvents[K] : never) => {
      this.log.error('router', `a ${String(event)} listener failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    };
    this.main = new Host(domain, 'accounts');
    this.hosts.set(domain, this.main);
  }

  // ---- hosts --------------------------------------------------------------------------------------------------

  /** Serve another domain (e.g. conference.<domain>); its handlers are hooked on the returned host. */
  addHost(domain: string, kind: HostKind = 'service', name?: string): Host {
    if (this.hosts.has(domain)) throw new Error(`${domain} is served already`);
    const host = new Host(domain, kind, name);
    this.hosts.set(domain, host);
    this.events.emit('host-added', host);
    return host;
  }

  removeHost(domain: string): void {
    const host = this.hosts.get(domain);
    if (!host || host === this.main) return;
    this.hosts.delete(domain);
    this.events.emit('host-removed', host);
  }

  hostOf(domain: string): Host | undefined {
    return this.hosts.get(domain);
  }

  /** Every served host, the main one first. */
  allHosts(): Host[] {
    return [...this.hosts.values()];
  }

  // ---- hooks on the main host (what the server's own modules use) ------------------------------------------------

  hook(key: string, handler: Handler, priority = 0): () => void {
    return this.main.hook(key, handler, priority);
  }

  hookIq(type: 'get' | 'set', addressing: Addressing[], ns: string, name: string, handler: Handler): () => void {
    return this.main.hookIq(type, addressing, ns, name, handler);
  }

  hasHandlers(key: string): boolean {
    return this.main.hasHandlers(key);
  }

  fire(key: string, ev: StanzaEvent): boolean | Promise<boolean> {
    return this.main.fire(key, ev);
  }

  // ---- entry ------------------------------------------------------------------------------------------------------

  /**
   * The one way in. A client's stanza is checked and stamped here (CORE-47 `from`, CORE-56 no `to`); a peer's stanza
   * arrives with its addressing checked by its stream (S2S-07/08); the server's own stanzas carry `from` and `to`.
   * Resolves once the stanza is handed on, for in-order processing (CORE-55). `onBehalfOf`: the session a
   * server-sent stanza is for (see StanzaEvent.onBehalfOf).
   */
  submit(stanza: Element, source: StanzaSource, onBehalfOf: LocalSession | null = null): void | Promise<void> {
    const kind = stanza.name as StanzaKind;
    const client = typeof source === 'object' ? source : null;
    const a = stanza.attrs as Record<string, string | undefined>;
    let from: Jid | null;
    let to: Jid | null;
    let addressing: Addressing;
    const hadTo = a.to !== undefined;
    if (client) {
      a.from = client.jid.toString();   // CORE-47: the server sets from; whatever the client wrote is overwritten
      from = client.jid;
    } else {
      from = tryParseJid(a.from);
    }
    const checked = this.check(stanza, kind, client, hadTo);
    if (checked instanceof Refusal) return this.refuse(stanza, checked, client, false);
    if (client && !hadTo) {
      to = client.jid.bare;
      addressing = kind === 'message' ? 'bare' : 'self';   // CORE-56
    } else {
      to = tryParseJid(a.to);
      if (!to) return this.refuse(stanza, new Refusal('jid-malformed', `"${String(a.to)}" is not a valid address`), client, true);
      addressing = addressingOf(to);
    }
    if (!from) {
      this.log.debug('router', `dropped a ${kind} without a valid from (${String(a.from)})`);
      return;
    }
    const host = this.hosts.get(to.domain) ?? null;
    const senderHost = this.hosts.get(from.domain) ?? null;
    const ev: StanzaEvent = {
      stanza, kind, type: checked.type, from, to, addressing, host, senderHost, origin: client, onBehalfOf, payload: checked.payload,
      reply: client ? undefined : this.routeReply,
    };
    return this.route(ev);
  }

  /** RFC 6120 §8 / RFC 6121 checks on entry; the type with its defaults, or why the stanza is refused. */
  private check(stanza: Element, kind: StanzaKind, client: LocalSession | null, hadTo: boolean): { type: string; payload: Element | null } | Refusal {
    const rawType = stanza.attrs.type as string | undefined;
    if (kind === 'iq') {
      // Without an id no reply could be correlated: drop it rather than answer (RFC 6120 §8.2.3, BAD-34).
      if (stanza.attrs.id === undefined) return new Refusal(null, 'an iq without id');
      if (rawType === undefined || !IQ_TYPES.has(rawType)) return new Refusal('bad-request', 'an iq needs type get, set, result or error');
      if (rawType !== 'get' && rawType !== 'set') return { type: rawType, payload: null };
      const payload = childElements(stanza);
      if (payload.length !== 1) return new Refusal('bad-request', 'an iq get or set carries exactly one payload element');
      // A resource is bound already; RFC 6120 has no second bind on one stream (BAD-22).
      if (client && !hadTo && payload[0].getName() === 'bind' && payload[0].getNS() === NS.bind) return new Refusal('not-allowed', 'a resource is already bound to this stream');
      return { type: rawType, payload: payload[0] };
    }
    if (kind === 'presence') {
      if (rawType !== undefined && !PRESENCE_TYPES.has(rawType)) return new Refusal('bad-request', `unknown presence type "${rawType}"`);
      if (client && rawType !== 'error') {
        const problem = checkPresence(stanza);   // IM-28, BAD-38
        if (problem) return new Refusal('bad-request', problem);
      }
      return { type: rawType ?? 'available', payload: null };
    }
    // Unknown or missing message types are treated as normal (RFC 6121 §5.2.2, BAD-39).
    return { type: rawType !== undefined && MESSAGE_TYPES.has(rawType) ? rawType : 'normal', payload: null };
  }

  /** Answer a stanza refused on entry: to the client on its stream, or routed back to a peer's or the server's sender. */
  private refuse(stanza: Element, r: Refusal, client: LocalSession | null, dropFrom: boolean): void {
    if (r.condition === null || stanza.attrs.type === 'error') {
      this.log.debug('router', `dropped ${r.text}`);
      return;
    }
    const reply = stanzaErrorReply(stanza, r.condition, { text: r.text });
    if (client) {
      if (dropFrom) delete reply.attrs.from;
      delete reply.attrs.to;
      client.send(reply);
    } else if (reply.attrs.to !== undefined && tryParseJid(reply.attrs.to as string)) {
      this.routeReply(reply);
    }
  }

  /** Route a stanza whose event is built. Errors thrown by handlers become error replies. */
  private route(ev: StanzaEvent): void | Promise<void> {
    let result: boolean | Promise<boolean>;
    try {
      result = this.dispatch(ev);
    } catch (err) {
      this.handlerFailed(ev, err);
      return;
    }
    if (result instanceof Promise) {
      return result.then((handled) => {
        if (!handled) this.unhandled(ev);
      }, (err: unknown) => this.handlerFailed(ev, err));
    }
    if (!result) this.unhandled(ev);
  }

  private dispatch(ev: StanzaEvent): boolean | Promise<boolean> {
    const sender = ev.senderHost !== null ? this.hosts.get(ev.from.domain) : undefined;
    if (sender) {
      const r = sender.fire(OUTBOUND_KEYS[ev.kind][ev.addressing], ev);
      if (r === true) return true;
      if (r instanceof Promise) return r.then((handled) => handled || this.inbound(ev));
    }
    return this.inbound(ev);
  }

  private inbound(ev: StanzaEvent): boolean | Promise<boolean> {
    // A host may have been removed while an outbound handler waited.
    const host = ev.host !== null ? this.hosts.get(ev.to.domain) : undefined;
    if (!host || host !== ev.host) {
      ev.host = null;
      return this.main.fire(REMOTE_KEY, ev);
    }
    return host.fire(INBOUND_KEYS[ev.kind][ev.addressing], ev);
  }

  /** What happens to a stanza nobody handled (RFC 6120 §10.3–10.5; the IM rules of RFC 6121 come from modules). */
  private unhandled(ev: StanzaEvent): void {
    if (ev.host === null) {
      // No federation (or it refused): CORE-58. Presence, errors and iq results are dropped: nobody acts on them.
      if (ev.kind === 'presence' || ev.type === 'error' || ev.type === 'result') return;
      this.replyError(ev, 'service-unavailable', { text: 'this server does not federate with other servers' });
      return;
    }
    if (ev.addressing === 'full' && ev.host === this.main) {
      const target = this.sessions.get(ev.to);
      if (target) {
        target.send(ev.stanza);
        return;
      }
    }
    if (ev.kind === 'iq' && (ev.type === 'get' || ev.type === 'set')) {
      this.replyError(ev, 'service-unavailable');
    } else if (ev.kind === 'message' && ev.type !== 'error' && ev.type !== 'groupchat' && ev.type !== 'headline' && ev.addressing !== 'host') {
      this.replyError(ev, 'service-unavailable');
    }
    // Presence, iq results/errors, headlines and groupchat nobody wants are dropped silently (RFC 6121 §8.5).
  }

  private handlerFailed(ev: StanzaEvent, err: unknown): void {
    if (err instanceof StanzaError) {
      this.replyError(ev, err.condition, err.options);
      return;
    }
    this.log.error('router', `handler for ${ev.kind}/${ev.addressing} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    this.replyError(ev, 'internal-server-error');
  }

  /** Send an error reply to the sender of a stanza, unless it is itself an error (never answer errors, §8.3.1). */
  replyError(ev: StanzaEvent, condition: StanzaErrorCondition, opts: StanzaErrorOptions = {}): void {
    if (ev.type === 'error') return;
    if (ev.kind === 'iq' && ev.type !== 'get' && ev.type !== 'set') return;
    const reply = stanzaErrorReply(ev.stanza, condition, opts);
    if (ev.addressing === 'self') delete reply.attrs.from;
    this.deliverToOrigin(ev, reply);
  }

  /** Send a reply to the sender: straight to its own session when it is a local client, else routed. */
  deliverToOrigin(ev: StanzaEvent, reply: Element): void {
    if (ev.origin) ev.origin.send(reply);
    else this.routeReply(reply);
  }
}
