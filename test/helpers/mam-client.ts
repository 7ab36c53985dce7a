// XEP-0313 message archive queries from a test client's side (rooms now, users' archives later): build a query
// with its form, RSM set and flip-page, send it, and read every result up to the iq answer, in order.
import assert from 'node:assert/strict';
import type { ImClient } from './im-client.js';
import { escapeXml, nextId, type Element } from './raw-client.js';

export const MAM = 'urn:xmpp:mam:2';
export const MAM_EXTENDED = 'urn:xmpp:mam:2#extended';
export const RSM = 'http://jabber.org/protocol/rsm';
export const FORWARD = 'urn:xmpp:forward:0';
export const DELAY = 'urn:xmpp:delay';

export interface QueryOptions {
  queryid?: string;
  /** Form fields (FORM_TYPE is added): var → value(s). */
  fields?: Record<string, string | string[]>;
  /** The children of the RSM <set/>, raw (e.g. "<max>10</max><before/>"). */
  rsm?: string;
  flip?: boolean;
}

export function queryXml(id: string, to: string, o: QueryOptions = {}): string {
  const qid = o.queryid !== undefined ? ` queryid='${escapeXml(o.queryid)}'` : '';
  let form = '';
  if (o.fields) {
    const fields = Object.entries(o.fields).map(([k, v]) => `<field var='${escapeXml(k)}'>${(Array.isArray(v) ? v : [v]).map((x) => `<value>${escapeXml(x)}</value>`).join('')}</field>`).join('');
    form = `<x xmlns='jabber:x:data' type='submit'><field var='FORM_TYPE' type='hidden'><value>${MAM}</value></field>${fields}</x>`;
  }
  const set = o.rsm !== undefined ? `<set xmlns='${RSM}'>${o.rsm}</set>` : '';
  return `<iq type='set' id='${id}' to='${to}'><query xmlns='${MAM}'${qid}>${form}${set}${o.flip ? '<flip-page/>' : ''}</query></iq>`;
}

export interface Answer {
  /** The result messages, in the order they came. */
  results: Element[];
  /** The iq answer (result with <fin/>, or error). */
  iq: Element;
  /** Anything else read meanwhile. */
  other: Element[];
}

/** Query `to`'s archive and read everything up to the iq answer. */
export async function query(c: ImClient, to: string, o: QueryOptions = {}): Promise<Answer> {
  const id = nextId('mam');
  c.send(queryXml(id, to, o));
  const r = await c.until((e) => e.name === 'iq' && e.attrs.id === id, `the answer to archive query ${id}`);
  const isResult = (e: Element): boolean => e.name === 'message' && e.getChild('result', MAM) !== undefined;
  return { results: r.before.filter(isResult), iq: r.stop, other: r.before.filter((e) => !isResult(e)) };
}

/** Query expecting success; returns the answer with its <fin/>. */
export async function queryOk(c: ImClient, to: string, o: QueryOptions = {}): Promise<Answer & { fin: Element }> {
  const a = await query(c, to, o);
  assert.equal(a.iq.attrs.type, 'result', a.iq.toString());
  const fin = a.iq.getChild('fin', MAM);
  assert.ok(fin, `no <fin/> in ${a.iq.toString()}`);
  return { ...a, fin };
}

/** The archived message a result forwards. */
export function forwardedMessage(result: Element): Element {
  const m = result.getChild('result', MAM)?.getChild('forwarded', FORWARD)?.getChild('message');
  assert.ok(m, `no forwarded message in ${result.toString()}`);
  return m;
}

export const bodies = (a: Answer): string[] => a.results.map((r) => forwardedMessage(r).getChildText('body') ?? '');
export const ids = (a: Answer): string[] => a.results.map((r) => String(r.getChild('result', MAM)!.attrs.id));

/** The RSM <set/> of a <fin/> as plain values. */
export function rsmOf(fin: Element): { first: string | null; index: string | undefined; last: string | null; count: string | null } {
  const set = fin.getChild('set', RSM);
  assert.ok(set, `no RSM set in ${fin.toString()}`);
  return { first: set.getChildText('first'), index: set.getChild('first')?.attrs.index as string | undefined, last: set.getChildText('last'), count: set.getChildText('count') };
}

/** An element as plain data (name, attributes, children; whitespace-only text left out), for exact comparisons. */
export interface Shape { name: string; attrs: Record<string, string>; children: (Shape | string)[] }
export function shape(e: Element): Shape {
  return {
    name: e.name,
    attrs: { ...(e.attrs as Record<string, string>) },
    children: e.children.filter((c) => typeof c !== 'string' || c.trim() !== '').map((c) => (typeof c === 'string' ? c : shape(c))),
  };
}
