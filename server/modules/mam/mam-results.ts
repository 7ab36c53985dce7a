// Building XEP-0313 answers: one <message/> per result (§4.2: <result queryid id><forwarded><delay stamp/>the
// message</forwarded></result>), the <fin/> of the iq result with its RSM <set/> (§4.3: first/last/count,
// complete='true' on the last page), and the archive metadata (§5). Generic: the archive supplies the messages.
import { el, type Element } from '../../core/xml.js';
import { MAM_NS } from './mam-ns.js';
import type { ArchiveItem, Page } from './mam-page.js';

/** XEP-0082 DateTime of an archive time (with milliseconds: results of one second keep their order for clients). */
export function archiveStamp(ms: number): string {
  return new Date(ms).toISOString();
}

export interface ResultOptions {
  /** The archive's address (a room's or user's bare JID). */
  from: string;
  /** The requester's full JID. */
  to: string;
  queryid: string | undefined;
  item: ArchiveItem;
  /** The archived message, qualified by jabber:client (it is inside a forwarded element). */
  message: Element;
}

/** One result of a query (§4.2). */
export function resultMessage(o: ResultOptions): Element {
  return el('message', { from: o.from, to: o.to },
    el('result', { xmlns: MAM_NS.mam, queryid: o.queryid, id: o.item.id },
      el('forwarded', { xmlns: MAM_NS.forward },
        el('delay', { xmlns: MAM_NS.delay, stamp: archiveStamp(o.item.at) }),
        o.message)));
}

/** The <fin/> of the iq result, sent after every result (§4.3). */
export function finElement(page: Page<ArchiveItem>): Element {
  const first = page.items[0];
  const last = page.items[page.items.length - 1];
  return el('fin', { xmlns: MAM_NS.mam, complete: page.complete ? 'true' : undefined },
    el('set', { xmlns: MAM_NS.rsm },
      first ? el('first', { index: String(page.firstIndex) }, first.id) : null,
      last ? el('last', null, last.id) : null,
      el('count', null, String(page.count))));
}

/** The archive's first and last items (§5); an empty <metadata/> when it holds none. */
export function metadataElement(first: ArchiveItem | undefined, last: ArchiveItem | undefined): Element {
  return el('metadata', { xmlns: MAM_NS.mam },
    first ? el('start', { id: first.id, timestamp: archiveStamp(first.at) }) : null,
    last ? el('end', { id: last.id, timestamp: archiveStamp(last.at) }) : null);
}
