// The router (DESIGN.md "Routing by event key", as Prosody does it): every stanza becomes an event whose key is
// derived from kind, type, addressing and payload namespace, e.g. `iq-get/host/urn:xmpp:ping:ping`,
// `message/full`, `presence/bare`. Modules hook keys; the first handler that returns true has handled it.
// Unhandled iq get/set are answered service-unavailable (RFC 6120 §8.4, CORE-50).
import { EventEmitter } from 'node:events';
import { type Element, firstChildElement } from './xml.js';
import type { Jid } from './jid.js';
import { NS } from './namespaces.js';
import { StanzaError, stanzaErrorReply, type StanzaErrorCondition, type StanzaErrorOptions } from './errors.js';
import type { LocalSession, SessionRegistry } from './session-registry.js';
import type { Logger } from './log.js';

export type StanzaKind = 'message' | 'presence' | 'iq';
/** host: the server domain; self: no `to` from a local client (acts on its own account); bare/full: an account. */
export type Addressing = 'host' | 'self' | 'bare' | 'full';

export interface StanzaEvent {
  stanza: Element;
  kind: StanzaKind;
  /** The stanza's type with RFC defaults applied (message: 'normal', presence: 'available'). */
  type: string;
  from: Jid;
  to: Jid;
  addressing: Addressing;
  /** The local session the stanza came from, if any. */
  origin: LocalSession | null;
  /** How to answer a sender that has no local session (a remote server's user: set by server/s2s/). */
  reply?: (stanza: Element) => void;
}

export type Handler = (ev: StanzaEvent) => boolean | void | Promise<boolean | void>;
interface Hooked { handler: Handler; priority: number }

export interface RouterEvents {
  'session-bound': [LocalSession];
  'session-ended': [LocalSession];
}

export class Router {
  private readonly hooks = new Map<string, Hooked[]>();
  /** Lifecycle events for modules (presence broadcast on disconnect etc.). */
  readonly events = new EventEmitter<RouterEvents>();

  constructor(readonly domain: string, readonly sessions: SessionRegistry, readonly log: Logger) {
    this.events.setMaxListeners(100);
  }

  /** Hook a key; higher priority runs first. Returns a function that unhooks it. */
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

  addressingOf(to: Jid, origin: LocalSession | null, hadTo: boolean): Addressing {
    if (!hadTo && origin) return 'self';
    if (to.local === '') return 'host';
    return to.resource === '' ? 'bare' : 'full';
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
      if (r instanceof Promise) return this.continueAsync(list.slice(i + 1), ev, r);
    }
    return false;
  }

  private async continueAsync(rest: Hooked[], ev: StanzaEvent, pending: Promise<boolean | void>): Promise<boolean> {
    if ((await pending) === true) return true;
    for (const h of rest) if ((await h.handler(ev)) === true) return true;
    return false;
  }

  /** Route a stanza whose from/to are already validated. Errors thrown by handlers become error replies. */
  route(ev: StanzaEvent): void | Promise<void> {
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
    if (ev.kind === 'iq' && (ev.type === 'get' || ev.type === 'set')) {
      const payload = firstChildElement(ev.stanza)!;
      const key = `iq-${ev.type}/${ev.addressing}/${payload.getNS() ?? NS.client}:${payload.getName()}`;
      const r = this.fire(key, ev);
      if (r === true) return true;
      if (r instanceof Promise) return r.then((h) => h || this.fireGeneric(ev));
    }
    return this.fireGeneric(ev);
  }

  private fireGeneric(ev: StanzaEvent): boolean | Promise<boolean> {
    return this.fire(`${ev.kind}/${ev.addressing}`, ev);
  }

  /** What happens to a stanza nobody handled (RFC 6120 §10.3–10.5; the IM rules of RFC 6121 come from modules). */
  private unhandled(ev: StanzaEvent): void {
    if (ev.addressing === 'full') {
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

  /** Send a reply to the sender: its own session when local. */
  deliverToOrigin(ev: StanzaEvent, reply: Element): void {
    if (ev.origin) ev.origin.send(reply);
    else if (ev.reply) ev.reply(reply);
    else {
      const s = this.sessions.get(ev.from);
      if (s) s.send(reply);
    }
  }
}
