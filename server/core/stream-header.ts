// Stream headers (RFC 6120 §4.7–4.8): checking the initiator's header and writing the response header.
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

/** The response header. `to` echoes the initiator's `from` when it sent one (CORE-04). */
export function responseHeader(opts: { ns: string; from: string; id: string; version: string | null; lang: string; to?: string; withDecl: boolean }): string {
  let s = opts.withDecl ? "<?xml version='1.0'?>" : '';
  s += `<stream:stream xmlns='${opts.ns}' xmlns:stream='${NS.streams}' id='${opts.id}' from='${escapeXML(opts.from)}'`;
  if (opts.to !== undefined) s += ` to='${escapeXML(opts.to)}'`;
  if (opts.version) s += ` version='${opts.version}'`;
  s += ` xml:lang='${escapeXML(opts.lang)}'>`;
  return s;
}
