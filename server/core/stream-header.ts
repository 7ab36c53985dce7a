// Stream headers (RFC 6120 §4.7–4.8): checking the initiator's header and writing ours (client and server streams).
import { randomBytes } from 'node:crypto';
import { escapeXML } from 'ltx';
import { NS } from './namespaces.js';
import type { StreamHeader } from './framing.js';
import type { StreamErrorCondition } from './errors.js';

/** An unpredictable stream id, fresh for every header we send (CORE-03; dialback depends on it). */
export function newStreamId(): string {
  return randomBytes(15).toString('base64url');
}

export interface HeaderCheck {
  error?: { condition: StreamErrorCondition; text: string };
  /** Negotiated version, or null for a pre-1.0 (0.9) stream. */
  version: string | null;
  lang: string;
}

const LANG = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

export function checkHeader(h: StreamHeader, expectedNs: string, isLocalDomain: (d: string) => boolean, normaliseDomain: (d: string) => string | null): HeaderCheck {
  const rawLang = h.attrs['xml:lang'];
  const lang = rawLang && LANG.test(rawLang) ? rawLang : 'en';
  const versionAttr = h.attrs.version;
  let version: string | null = null;
  if (versionAttr !== undefined) {
    const m = /^(\d+)\.(\d+)$/.exec(versionAttr);
    if (!m) return { version: '1.0', lang, error: { condition: 'unsupported-version', text: `"${versionAttr}" is not a version number` } };
    // Compare numerically per part (1.10 > 1.9); we speak 1.0 and answer with min(theirs, ours) (CORE-06).
    const major = Number(m[1]);
    if (major < 1) return { version: null, lang, error: { condition: 'unsupported-version', text: 'XMPP 1.0 or later is required' } };
    version = '1.0';
  }
  if (h.uri !== NS.streams) return { version, lang, error: { condition: 'invalid-namespace', text: `the stream element must be in ${NS.streams}` } };
  if (h.prefix !== 'stream') return { version, lang, error: { condition: 'bad-namespace-prefix', text: 'the stream namespace must use the prefix "stream"' } };
  if (h.defaultNs !== expectedNs) return { version, lang, error: { condition: 'invalid-namespace', text: `the default namespace must be ${expectedNs}` } };
  if (version === null) return { version, lang, error: { condition: 'unsupported-version', text: 'XMPP 1.0 (a version attribute) is required' } };
  const to = h.attrs.to;
  const domain = to === undefined ? null : normaliseDomain(to);
  if (domain === null || !isLocalDomain(domain)) {
    return { version, lang, error: { condition: 'host-unknown', text: to === undefined ? 'the stream header must name the server in "to"' : `this server does not serve ${to}` } };
  }
  return { version, lang };
}

/** What an opening stream header says (RFC 6120 §4.7); attributes left undefined are not written. */
export interface StreamOpening {
  /** The content namespace: jabber:client or jabber:server. */
  ns: string;
  id?: string;
  from?: string;
  /** On a response header: the initiator's `from` when it sent one (CORE-04). */
  to?: string;
  /** null: a pre-1.0 stream (no version attribute, CORE-06). */
  version: string | null;
  lang: string;
  /** More prefixes to declare on the root, prefix → namespace (server streams: db, XEP-0220 §2.4.1). */
  declare?: Readonly<Record<string, string>>;
}

/** `<?xml?><stream:stream …>`: the one writer of stream headers, for client and server streams alike. */
export function streamHeader(o: StreamOpening): string {
  let s = `<?xml version='1.0'?><stream:stream xmlns='${o.ns}' xmlns:stream='${NS.streams}'`;
  if (o.declare) for (const p in o.declare) s += ` xmlns:${p}='${o.declare[p]}'`;
  if (o.id !== undefined) s += ` id='${escapeXML(o.id)}'`;
  if (o.from !== undefined) s += ` from='${escapeXML(o.from)}'`;
  if (o.to !== undefined) s += ` to='${escapeXML(o.to)}'`;
  if (o.version !== null) s += ` version='${o.version}'`;
  return s + ` xml:lang='${escapeXML(o.lang)}'>`;
}
