// Serialise once, address many times: a room sends one stanza to every occupant, differing only in `to`. The
// template is serialised once with a marker for `to`; each copy is a small Element (its own attrs, the template's
// children) whose toString() splices the recipient in. A copy that anything changed (a filter added an attribute,
// a child) serialises the ordinary way, so correctness never depends on nobody touching it.
import * as ltx from 'ltx';
import type { Element } from '../core/xml.js';

// U+0001 cannot occur in XML 1.0 content, so it cannot be part of any serialised attribute or text of ours.
const MARK = '\u0001';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };
function escapeAttr(s: string): string {
  return /["&'<>]/.test(s) ? s.replace(/["&'<>]/g, (c) => escapes[c]) : s;
}

interface Template {
  readonly name: string;
  readonly head: string;
  readonly tail: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly keys: number;
  readonly children: Element['children'];
  readonly childCount: number;
}

class AddressedCopy extends ltx.Element {
  constructor(private readonly template: Template, to: string) {
    super(template.name, undefined);
    const attrs: Record<string, string> = { ...template.attrs };
    attrs.to = to;
    this.attrs = attrs;
    this.children = template.children;
  }

  private untouched(): boolean {
    const t = this.template;
    if (this.children !== t.children || this.children.length !== t.childCount) return false;
    let n = 0;
    for (const k in this.attrs) {
      if (k !== 'to' && this.attrs[k] !== t.attrs[k]) return false;
      n++;
    }
    return n === t.keys;
  }

  override toString(): string {
    const to = this.attrs.to as unknown;
    if (typeof to === 'string' && this.untouched()) return this.template.head + escapeAttr(to) + this.template.tail;
    return super.toString();
  }
}

export interface SharedStanza {
  /** A copy addressed to `to`. */
  to(to: string): Element;
  /** Characters of one copy without its `to` value (XEP-0045 history's maxchars counts them). */
  readonly chars: number;
}

/** Make addressed copies of `stanza` (whose own `to` is ignored); each costs an object, not a serialisation. */
export function shareStanza(stanza: Element): SharedStanza {
  const attrs: Record<string, string> = {};
  for (const k in stanza.attrs) if (k !== 'to') attrs[k] = String(stanza.attrs[k]);
  const probe = new ltx.Element(stanza.name, { ...attrs, to: MARK });
  probe.children = stanza.children;
  const text = probe.toString();
  const at = text.indexOf(MARK);
  const template: Template = {
    head: text.slice(0, at),
    tail: text.slice(at + 1),
    name: stanza.name,
    attrs,
    keys: Object.keys(attrs).length + 1,
    children: stanza.children,
    childCount: stanza.children.length,
  };
  return { to: (to) => new AddressedCopy(template, to), chars: text.length - 1 };
}
