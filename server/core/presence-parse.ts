// The one reading of a presence's <show/>, <priority/> and <status/> children (RFC 6121 §4.7): the router checks
// every presence a client sends with checkPresence (IM-28, BAD-38), and modules read the priority with priorityOf.
// Children in other namespaces are extensions and never looked at.
import type { Element } from './xml.js';
import { NS } from './namespaces.js';

const SHOW_VALUES = new Set(['away', 'chat', 'dnd', 'xa']);

function isCoreChild(c: Element): boolean {
  const ns = c.attrs.xmlns as string | undefined;
  return ns === undefined || ns === NS.client;
}

/**
 * What is wrong with a presence, or null: at most one <show/> with a defined value, at most one <priority/> holding
 * an integer in −128…127, several <status/> only with distinct xml:lang.
 */
export function checkPresence(stanza: Element): string | null {
  let shows = 0;
  let priorities = 0;
  let langs: Set<string> | null = null;
  for (const c of stanza.children) {
    if (typeof c === 'string' || !isCoreChild(c)) continue;
    if (c.name === 'show') {
      if (++shows > 1) return 'a presence carries at most one <show/>';
      if (!SHOW_VALUES.has(c.getText())) return '<show/> must be away, chat, dnd or xa';
    } else if (c.name === 'priority') {
      if (++priorities > 1) return 'a presence carries at most one <priority/>';
      const t = c.getText().trim();
      if (!/^[+-]?\d+$/.test(t)) return '<priority/> must be an integer';
      const n = Number(t);
      if (n < -128 || n > 127) return '<priority/> must be between -128 and 127';
    } else if (c.name === 'status') {
      const lang = (c.attrs['xml:lang'] as string | undefined) ?? '';
      langs ??= new Set();
      if (langs.has(lang)) return 'several <status/> elements need distinct xml:lang values';
      langs.add(lang);
    }
  }
  return null;
}

/** The priority of a checked presence; 0 when absent (§4.7.2.3). */
export function priorityOf(stanza: Element): number {
  for (const c of stanza.children) {
    if (typeof c === 'string' || c.name !== 'priority' || !isCoreChild(c)) continue;
    const n = Number(c.getText().trim());
    return Number.isInteger(n) ? Math.max(-128, Math.min(127, n)) : 0;
  }
  return 0;
}
