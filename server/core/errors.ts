// Stream and stanza error conditions (RFC 6120 §4.9.3, §8.3.3) and the builders for both.
import { el, type Element } from './xml.js';
import { NS } from './namespaces.js';

export type StreamErrorCondition =
  | 'bad-format' | 'bad-namespace-prefix' | 'conflict' | 'connection-timeout' | 'host-gone' | 'host-unknown'
  | 'improper-addressing' | 'internal-server-error' | 'invalid-from' | 'invalid-namespace' | 'invalid-xml'
  | 'not-authorized' | 'not-well-formed' | 'policy-violation' | 'remote-connection-failed' | 'reset'
  | 'resource-constraint' | 'restricted-xml' | 'see-other-host' | 'system-shutdown' | 'undefined-condition'
  | 'unsupported-encoding' | 'unsupported-feature' | 'unsupported-stanza-type' | 'unsupported-version';

export type StanzaErrorType = 'auth' | 'cancel' | 'continue' | 'modify' | 'wait';

/** Each condition with the error type RFC 6120 §8.3.3 recommends for it (CORE-52). */
export const STANZA_ERROR_TYPES = {
  'bad-request': 'modify',
  'conflict': 'cancel',
  'feature-not-implemented': 'cancel',
  'forbidden': 'auth',
  'gone': 'cancel',
  'internal-server-error': 'cancel',
  'item-not-found': 'cancel',
  'jid-malformed': 'modify',
  'not-acceptable': 'modify',
  'not-allowed': 'cancel',
  'not-authorized': 'auth',
  'policy-violation': 'modify',
  'recipient-unavailable': 'wait',
  'redirect': 'modify',
  'registration-required': 'auth',
  'remote-server-not-found': 'cancel',
  'remote-server-timeout': 'wait',
  'resource-constraint': 'wait',
  'service-unavailable': 'cancel',
  'subscription-required': 'auth',
  'undefined-condition': 'cancel',
  'unexpected-request': 'wait',
} as const satisfies Record<string, StanzaErrorType>;

export type StanzaErrorCondition = keyof typeof STANZA_ERROR_TYPES;

export function streamErrorElement(condition: StreamErrorCondition, text?: string, appCondition?: Element): Element {
  return el('stream:error', null,
    el(condition, { xmlns: NS.streamErrors }),
    text ? el('text', { xmlns: NS.streamErrors, 'xml:lang': 'en' }, text) : null,
    appCondition);
}

export interface StanzaErrorOptions { text?: string; type?: StanzaErrorType; appCondition?: Element; by?: string }

/**
 * The error reply to a stanza: same name and id, from/to swapped, type='error'. The original payload is not
 * echoed back (RFC 6120 §8.3.1 allows leaving it out; echoing can reflect unsafe content to the sender).
 */
export function stanzaErrorReply(stanza: Element, condition: StanzaErrorCondition, opts: StanzaErrorOptions = {}): Element {
  const a = stanza.attrs as Record<string, string | undefined>;
  return el(stanza.name, { id: a.id, from: a.to, to: a.from, type: 'error' },
    stanzaErrorElement(condition, opts));
}

export function stanzaErrorElement(condition: StanzaErrorCondition, opts: StanzaErrorOptions = {}): Element {
  return el('error', { type: opts.type ?? STANZA_ERROR_TYPES[condition], by: opts.by },
    el(condition, { xmlns: NS.stanzaErrors }),
    opts.text ? el('text', { xmlns: NS.stanzaErrors, 'xml:lang': 'en' }, opts.text) : null,
    opts.appCondition);
}

/** The defined condition of an error stanza (`service-unavailable`, …), or null when it carries none. */
export function stanzaErrorCondition(stanza: Element): string | null {
  const condition = stanza.getChild('error')?.children.find((c) => typeof c !== 'string' && c.attrs.xmlns === NS.stanzaErrors);
  return condition && typeof condition !== 'string' ? condition.name : null;
}

/** Thrown by handlers to answer the stanza being processed with an error. */
export class StanzaError extends Error {
  constructor(readonly condition: StanzaErrorCondition, readonly options: StanzaErrorOptions = {}) {
    super(options.text ?? condition);
  }
}
