// Building the result of an iq get/set handled by the server.
import { el, type Element, type Child } from '../core/xml.js';
import type { StanzaEvent } from '../core/router.js';

/** The result for an iq: same id, to = sender; from = the addressed entity, left out when the client sent no `to`. */
export function iqResult(ev: StanzaEvent, ...payload: Child[]): Element {
  const a = ev.stanza.attrs as Record<string, string | undefined>;
  return el('iq', { type: 'result', id: a.id, to: a.from, from: ev.addressing === 'self' ? undefined : a.to }, ...payload);
}

/** Reply to an iq with a result and mark it handled. */
export function replyResult(ev: StanzaEvent, ...payload: Child[]): true {
  const reply = iqResult(ev, ...payload);
  if (ev.origin) ev.origin.send(reply);
  else ev.reply?.(reply);   // a remote sender (federation)
  return true;
}
