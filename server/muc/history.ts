// History sent to a newcomer (XEP-0045 §7.2.13–7.2.14, MUC-20): the smallest set meeting every limit it asked for
// (maxchars, maxstanzas, seconds, since), whole stanzas only, each with a XEP-0203 delay stamp from the room, never
// more than the room's muc#maxhistoryfetch.
import { el, type Element } from '../core/xml.js';
import { MUC_NS } from './muc-ns.js';
import type { HistoryEntry, Room } from './room.js';

export interface HistoryRequest {
  maxchars?: number;
  maxstanzas?: number;
  seconds?: number;
  since?: number;
}

function nonNegativeInt(v: unknown): number | undefined {
  if (typeof v !== 'string' || !/^\d{1,10}$/.test(v)) return undefined;
  return Number(v);
}

/** Read <history/> from a join's <x xmlns='…muc'/> (absent or malformed attributes are no limit). */
export function parseHistoryRequest(x: Element | undefined): HistoryRequest {
  const h = x?.getChild('history');
  if (!h) return {};
  const a = h.attrs as Record<string, string | undefined>;
  const since = a.since !== undefined ? Date.parse(a.since) : NaN;
  return {
    maxchars: nonNegativeInt(a.maxchars),
    maxstanzas: nonNegativeInt(a.maxstanzas),
    seconds: nonNegativeInt(a.seconds),
    since: Number.isFinite(since) ? since : undefined,
  };
}

/** The entries to send, oldest first. */
export function selectHistory(room: Room, req: HistoryRequest, now = Date.now()): HistoryEntry[] {
  const cap = Math.min(room.config.maxHistoryFetch, req.maxstanzas ?? Infinity);
  const out: HistoryEntry[] = [];
  let chars = 0;
  const oldest = Math.max(req.since ?? -Infinity, req.seconds !== undefined ? now - req.seconds * 1000 : -Infinity);
  for (let i = room.history.length - 1; i >= 0 && out.length < cap; i--) {
    const e = room.history[i];
    if (e.retracted) continue;   // XEP-0425: a moderated message is not handed to newcomers, not even as a tombstone
    if (e.at < oldest) break;
    if (req.maxchars !== undefined && chars + e.chars > req.maxchars) break;
    chars += e.chars;
    out.push(e);
  }
  return out.reverse();
}

/** A history entry as sent to `to`: the stored stanza with a delay stamp (and the real JID when `withJid`). */
export function historyStanza(room: Room, e: HistoryEntry, to: string, withJid: boolean): Element {
  const m = el('message', { ...e.stanza.attrs, to },
    e.stanza.children,
    el('delay', { xmlns: MUC_NS.delay, from: room.jid, stamp: new Date(e.at).toISOString() }),
    withJid ? el('x', { xmlns: MUC_NS.user }, el('item', { jid: e.realJid })) : null);
  return m;
}
