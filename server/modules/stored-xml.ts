// Keeping client XML verbatim (vcard-temp, private XML storage): serialise an element out of its stanza so it
// stands on its own (the namespace prefixes it uses but inherits from the stanza are declared on it), and
// parse it back for answers. The element's names, attributes, text and order are kept as the client sent them.
import * as ltx from 'ltx';
import type { Element } from '../core/xml.js';

function prefixOf(qname: string): string | null {
  const i = qname.indexOf(':');
  return i > 0 ? qname.slice(0, i) : null;
}

function collectPrefixes(e: Element, used: Set<string>, declared: Set<string>): void {
  const p = prefixOf(e.name);
  if (p) used.add(p);
  for (const a of Object.keys(e.attrs)) {
    if (a.startsWith('xmlns:')) declared.add(a.slice(6));
    else {
      const ap = prefixOf(a);
      if (ap && ap !== 'xml' && ap !== 'xmlns') used.add(ap);
    }
  }
  for (const c of e.children) if (typeof c !== 'string') collectPrefixes(c, used, declared);
}

function cloneTree(e: Element): Element {
  const copy = new ltx.Element(e.name, { ...e.attrs });
  for (const c of e.children) {
    if (typeof c === 'string') copy.children.push(c);
    else {
      const cc = cloneTree(c);
      cc.parent = copy;
      copy.children.push(cc);
    }
  }
  return copy;
}

/** The element as a self-contained XML string (its namespace declared on it even when inherited). */
export function serializeFragment(e: Element): string {
  const copy = cloneTree(e);
  if (prefixOf(e.name) === null && copy.attrs.xmlns === undefined) {
    const ns = e.getNS();
    if (ns) copy.attrs.xmlns = ns;
  }
  const used = new Set<string>();
  const declared = new Set<string>();
  collectPrefixes(e, used, declared);
  for (const p of used) {
    if (declared.has(p)) continue;
    const uri = e.parent ? e.parent.findNS(p) : undefined;
    if (uri !== undefined) copy.attrs[`xmlns:${p}`] = uri;
  }
  return copy.toString();
}

/** Parse stored XML back into an element (it was produced by serializeFragment, so it is well-formed). */
export function parseFragment(xml: string): Element {
  return ltx.parse(xml) as Element;
}

/** UTF-8 size of a string, for storage limits. */
export function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
