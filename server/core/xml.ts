// Element type and a tiny builder for every stanza the server makes (DESIGN.md: never concatenate XML strings).
import * as ltx from 'ltx';

export type Element = ltx.Element;
export const Element = ltx.Element;
export type Child = Element | string | null | undefined | false;
export type Attrs = Record<string, string | number | undefined | null>;

/** Build an element; attributes whose value is undefined/null are left out, falsy children are skipped. */
export function el(name: string, attrs?: Attrs | null, ...children: (Child | Child[])[]): Element {
  const clean: Record<string, string> = {};
  if (attrs) {
    for (const key in attrs) {
      const v = attrs[key];
      if (v !== undefined && v !== null) clean[key] = String(v);
    }
  }
  const e = new ltx.Element(name, clean);
  for (const c of children) appendChild(e, c);
  return e;
}

function appendChild(parent: Element, c: Child | Child[]): void {
  if (Array.isArray(c)) {
    for (const x of c) appendChild(parent, x);
  } else if (c !== null && c !== undefined && c !== false) {
    parent.children.push(c);
    if (typeof c !== 'string') c.parent = parent;
  }
}

/** The first child element (in document order) of a stanza, or undefined. */
export function firstChildElement(e: Element): Element | undefined {
  for (const c of e.children) if (typeof c !== 'string') return c;
  return undefined;
}

export function childElements(e: Element): Element[] {
  const out: Element[] = [];
  for (const c of e.children) if (typeof c !== 'string') out.push(c);
  return out;
}
