// Choosing the page a XEP-0313 query asks for (§4.1: filters; §4.3: paging with XEP-0059 RSM, complete), over an
// archive held in chronological order. Generic: the archive hands its items and a predicate for what only it can
// judge (XEP-0313 'with' means one thing for a user and another for a room). Every UID a query names must be in the
// archive, else item-not-found (§4.1.3 for before-id/after-id/ids, §4.3.2 for RSM after/before).
import { StanzaError } from '../../core/errors.js';
import type { MamQuery } from './mam-query.js';

export interface ArchiveItem {
  /** The archive UID (for MUC and users alike, the XEP-0359 stanza-id the message was given). */
  readonly id: string;
  /** When it was archived, ms since the epoch. */
  readonly at: number;
}

/** An archive as the page selection reads it. */
export interface ArchiveView<T extends ArchiveItem> {
  /** Every item, in chronological order (§3.1). */
  readonly items: readonly T[];
  /** Position of the item with this UID in `items`, or -1 when the archive has none. */
  indexOf(id: string): number;
}

export interface PageLimits {
  /** Items per page when the query has no <max/>. */
  readonly defaultMax: number;
  /** Items per page at most, whatever <max/> says (§4.3.1: a server MAY limit). */
  readonly maxMax: number;
}

export interface Page<T extends ArchiveItem> {
  /** In chronological order (a flipped page is reversed when sent, §4.3.5). */
  readonly items: T[];
  /** Position of the first item in the result set (RSM <first index/>). */
  readonly firstIndex: number;
  /** Items in the whole result set (RSM <count/>). */
  readonly count: number;
  /** No more items in the direction of paging (§4.3.2: <fin complete='true'/>). */
  readonly complete: boolean;
}

function position<T extends ArchiveItem>(view: ArchiveView<T>, id: string, what: string): number {
  const i = view.indexOf(id);
  if (i < 0) throw new StanzaError('item-not-found', { text: `the archive has no item ${id} (${what})` });
  return i;
}

/** First k with positions[k] >= p (positions ascending). */
function lowerBound(positions: readonly number[], p: number): number {
  let lo = 0;
  let hi = positions.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (positions[mid] < p) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The page of `view` that query `q` asks for. `matches`: the archive's own filters ('with', …). Paging backwards
 * (RSM <before/>, empty or not) takes the `max` items nearest the bound and is complete when it reaches the start
 * of the result set; forwards, when it reaches the end. RSM after and before together bound both sides.
 */
export function selectPage<T extends ArchiveItem>(view: ArchiveView<T>, q: MamQuery, matches: (item: T) => boolean, limits: PageLimits): Page<T> {
  const items = view.items;
  let lo = 0;
  let hi = items.length;
  if (q.afterId !== null) lo = Math.max(lo, position(view, q.afterId, 'after-id') + 1);
  if (q.beforeId !== null) hi = Math.min(hi, position(view, q.beforeId, 'before-id'));
  let wanted: Set<string> | null = null;
  if (q.ids !== null) {
    for (const id of q.ids) position(view, id, 'ids');
    wanted = new Set(q.ids);
  }
  const rsm = q.rsm;
  const afterPos = rsm.after !== null ? position(view, rsm.after, 'RSM <after/>') : -1;
  const beforePos = rsm.before !== null && rsm.before !== '' ? position(view, rsm.before, 'RSM <before/>') : items.length;

  // The result set: positions in the archive of every item that passes the filters.
  const set: number[] = [];
  for (let i = lo; i < hi; i++) {
    const it = items[i];
    if (q.start !== null && it.at < q.start) continue;
    if (q.end !== null && it.at > q.end) continue;
    if (wanted !== null && !wanted.has(it.id)) continue;
    if (matches(it)) set.push(i);
  }

  const max = Math.min(rsm.max ?? limits.defaultMax, limits.maxMax);
  let from = lowerBound(set, afterPos + 1);
  const to = Math.max(from, lowerBound(set, beforePos));
  if (rsm.index !== null && rsm.after === null && rsm.before === null) from = Math.min(rsm.index, set.length);
  const backwards = rsm.before !== null;
  const pageFrom = backwards ? Math.max(from, to - max) : from;
  const pageTo = backwards ? to : Math.max(from, Math.min(to, from + max));
  return {
    items: set.slice(pageFrom, pageTo).map((i) => items[i]),
    firstIndex: pageFrom,
    count: set.length,
    complete: backwards ? pageFrom <= from : pageTo >= to,
  };
}
