// Reading a XEP-0313 archive query (§4: the query form of §4.1 with start/end/with and the #extended
// before-id/after-id/ids, XEP-0059 paging, flip-page of §4.3) and the form an iq get returns (§4.1.5). Generic: it
// knows nothing of who keeps the archive (a room, a user). Errors follow the XEPs: a field this server does not know
// → feature-not-implemented (§4.1.5); a value that is not what the field takes → bad-request.
import { el, type Element } from '../../core/xml.js';
import { StanzaError } from '../../core/errors.js';
import { NS } from '../../core/namespaces.js';
import { tryParseJid, type Jid } from '../../core/jid.js';
import { dataForm, field, formFields, type FieldSpec } from '../data-form.js';
import { MAM_NS } from './mam-ns.js';

/** XEP-0059 request: what the client asked of the page. */
export interface RsmRequest {
  /** Items at most (null: none asked; the archive's default applies). */
  max: number | null;
  /** The page starts after this UID. */
  after: string | null;
  /** The page ends before this UID; '' (an empty <before/>): the last page. */
  before: string | null;
  /** The page starts at this position of the result set (XEP-0059 §2.5). */
  index: number | null;
}

export interface MamQuery {
  queryid: string | undefined;
  /** Milliseconds since the epoch; inclusive bounds (§4.1.2). */
  start: number | null;
  end: number | null;
  with: Jid | null;
  /** #extended (§4.1.3): bounds by archive UID, exclusive, and a list of UIDs. */
  afterId: string | null;
  beforeId: string | null;
  ids: string[] | null;
  rsm: RsmRequest;
  /** <flip-page/> (§4.3.5): the page is sent newest first. */
  flip: boolean;
  /** Values of the archive's own fields (those it passed as `extraFields`), by var. */
  extra: Map<string, string[]>;
}

/** XEP-0082 DateTime: CCYY-MM-DDThh:mm:ss[.sss]TZD. */
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function bad(text: string): StanzaError {
  return new StanzaError('bad-request', { text });
}

/** Read an XEP-0082 DateTime; anything else is a bad request. */
export function parseDateTime(name: string, v: string): number {
  const ms = DATETIME.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) throw bad(`${name} takes a date and time like 2010-06-07T00:00:00Z, not "${v}"`);
  return ms;
}

/** The one value of a single-valued field; null when it has none (a form's empty field is no filter). */
function single(name: string, values: string[]): string | null {
  const given = values.filter((v) => v !== '');
  if (given.length > 1) throw bad(`${name} takes one value`);
  return given[0] ?? null;
}

function count(name: string, text: string): number {
  if (!/^\d{1,9}$/.test(text.trim())) throw bad(`<${name}/> takes a whole number, not "${text}"`);
  return Number(text.trim());
}

/** XEP-0059 <set/> of a request (absent: nothing asked). */
export function parseRsm(set: Element | undefined): RsmRequest {
  const r: RsmRequest = { max: null, after: null, before: null, index: null };
  if (!set) return r;
  const max = set.getChild('max');
  if (max) r.max = count('max', max.getText());
  const index = set.getChild('index');
  if (index) r.index = count('index', index.getText());
  const after = set.getChild('after');
  if (after) {
    r.after = after.getText();
    if (r.after === '') throw bad('<after/> takes the UID of an item');
  }
  const before = set.getChild('before');
  if (before) r.before = before.getText();
  return r;
}

/**
 * Read a query (<query xmlns='urn:xmpp:mam:2'/> of an iq set). `extraFields`: fields this archive adds to the
 * XEP's (their values come back in `extra`); any other field is refused with feature-not-implemented.
 */
export function parseMamQuery(query: Element, extraFields: readonly string[] = []): MamQuery {
  const q: MamQuery = {
    queryid: query.attrs.queryid as string | undefined,
    start: null, end: null, with: null, afterId: null, beforeId: null, ids: null,
    rsm: parseRsm(query.getChild('set', MAM_NS.rsm)),
    flip: query.getChild('flip-page', MAM_NS.mam) !== undefined,
    extra: new Map(),
  };
  const x = query.getChild('x', NS.dataForms);
  if (!x) return q;
  const type = x.attrs.type as string | undefined;
  if (type !== undefined && type !== 'submit') throw bad('the query form must be of type submit');
  for (const [name, values] of formFields(x)) {
    switch (name) {
      case 'FORM_TYPE':
        if (single(name, values) !== MAM_NS.mam) throw bad(`the query form's FORM_TYPE is ${MAM_NS.mam}`);
        break;
      case 'start': {
        const v = single(name, values);
        q.start = v === null ? null : parseDateTime(name, v);
        break;
      }
      case 'end': {
        const v = single(name, values);
        q.end = v === null ? null : parseDateTime(name, v);
        break;
      }
      case 'with': {
        const v = single(name, values);
        if (v === null) break;
        q.with = tryParseJid(v);
        if (!q.with) throw bad(`with takes an address, not "${v}"`);
        break;
      }
      case 'after-id': q.afterId = single(name, values); break;
      case 'before-id': q.beforeId = single(name, values); break;
      case 'ids': {
        const ids = values.filter((v) => v !== '');
        if (ids.length > 0) q.ids = ids;
        break;
      }
      default:
        if (!extraFields.includes(name)) throw new StanzaError('feature-not-implemented', { text: `this archive has no query field ${name}` });
        q.extra.set(name, values);
    }
  }
  return q;
}

/** The fields a query may use (§4.1.5), as the answer to an iq get; `extra`: the archive's own. */
export function mamQueryForm(extra: readonly FieldSpec[] = []): Element {
  const form = dataForm('form', MAM_NS.mam, [
    { var: 'with', type: 'jid-single', values: [] },
    { var: 'start', type: 'text-single', values: [] },
    { var: 'end', type: 'text-single', values: [] },
    { var: 'before-id', type: 'text-single', values: [] },
    { var: 'after-id', type: 'text-single', values: [] },
  ]);
  // 'ids' is list-multi with no options: an open list (XEP-0122 <validate><open/></validate>, §4.1.5).
  const ids = field({ var: 'ids', type: 'list-multi', values: [] });
  ids.cnode(el('validate', { xmlns: MAM_NS.validate, datatype: 'xs:string' }, el('open')));
  form.cnode(ids);
  for (const f of extra) form.cnode(field(f));
  return el('query', { xmlns: MAM_NS.mam }, form);
}
