// Resource binding (RFC 6120 §7). Conflict policy (CORE-43), documented in the README: by default a client that
// asks for a resource already in use gets that name with a random suffix, so neither device is kicked and no
// reconnect ping-pong starts (RFC 6120 §7.7.2.2 recommends this); 'kick-old' and 'refuse' can be configured.
import { randomBytes } from 'node:crypto';
import { el, type Element } from './xml.js';
import { NS } from './namespaces.js';
import { prepResourcepart, JidError, type Jid } from './jid.js';
import { stanzaErrorReply, type StanzaErrorCondition, type StreamErrorCondition } from './errors.js';
import type { ServerContext } from './context.js';

/** What binding needs of the connection it runs on (C2sConnection), so this file does not import it. */
export interface BindingStream {
  readonly ctx: ServerContext;
  /** The authenticated account's bare JID. */
  readonly account: Jid;
  /** Failed bind attempts on this stream (CORE-45). */
  bindFailures: number;
  writeElement(e: Element): void;
  closeWithError(condition: StreamErrorCondition, text?: string): void;
  /** Bound as `jid`: the connection creates the session and registers it. */
  bound(jid: Jid): void;
}

/** A resource nobody else has, for empty bind requests (CORE-41): unpredictable, URL-safe. */
export function randomResource(): string {
  return randomBytes(9).toString('base64url');
}

export function bindResource(s: BindingStream, iq: Element, bind: Element): void {
  const a = iq.attrs as Record<string, string | undefined>;
  const fail = (condition: StanzaErrorCondition, text: string): void => {
    const reply = stanzaErrorReply(iq, condition, { text });
    delete reply.attrs.from;
    delete reply.attrs.to;
    s.writeElement(reply);
    s.bindFailures++;
    if (s.bindFailures >= s.ctx.config.limits.bindAttempts) s.closeWithError('policy-violation', 'too many failed bind attempts');
  };
  if (a.type !== 'set' || a.id === undefined) return fail('bad-request', 'bind with an iq of type set and an id');
  const bare = s.account;
  const max = s.ctx.config.limits.maxResourcesPerAccount;
  if (s.ctx.sessions.countOf(bare) >= max) return fail('resource-constraint', `this account already has ${max} connected devices`);
  const requested = bind.getChildText('resource');
  let resource: string;
  if (requested === null || requested.trim() === '') {
    resource = randomResource();
  } else {
    try {
      resource = prepResourcepart(requested);
    } catch (err) {
      return fail('bad-request', err instanceof JidError ? err.message : 'invalid resource');
    }
  }
  const existing = s.ctx.sessions.get(bare.withResource(resource));
  if (existing) {
    switch (s.ctx.config.resourceConflict) {
      case 'refuse':
        return fail('conflict', 'that resource is in use');
      case 'kick-old':
        existing.closeWithError('conflict', 'replaced by a new connection with the same resource');
        s.ctx.sessions.remove(existing);
        break;
      default:
        do resource = `${resource}.${randomResource().slice(0, 6)}`;
        while (s.ctx.sessions.hasResource(bare, resource));
    }
  }
  const jid = bare.withResource(resource);
  s.writeElement(el('iq', { type: 'result', id: a.id }, el('bind', { xmlns: NS.bind }, el('jid', null, jid.toString()))));
  s.bound(jid);
}
