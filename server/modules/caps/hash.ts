// XEP-0115 §5.1 / §5.4: the verification string of a disco#info result and the checks that must pass before a
// caps hash may be trusted (and cached for everyone who advertises it).
import { createHash } from 'node:crypto';
import type { Element } from '../../core/xml.js';

const NS_DATA = 'jabber:x:data';

/** Hash names of the IANA registry (XEP-0115 §5.1 "hash") that Node can compute; sha-1 is mandatory. */
const ALGORITHMS: Record<string, string> = { 'sha-1': 'sha1', 'sha-224': 'sha224', 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' };

export function supportedHash(name: string): boolean {
  return Object.hasOwn(ALGORITHMS, name);
}

/**
 * The string S of §5.1 for a disco#info <query/>, or null when the result is one §5.4 says must not be trusted
 * (duplicate identities or features, several forms of one FORM_TYPE, a FORM_TYPE that is not hidden).
 */
export function verificationString(query: Element): string | null {
  const ids: string[] = [];
  for (const i of query.getChildren('identity')) {
    const a = i.attrs as Record<string, string | undefined>;
    ids.push(`${a.category ?? ''}/${a.type ?? ''}/${a['xml:lang'] ?? ''}/${a.name ?? ''}`);
  }
  const features = query.getChildren('feature').map((f) => String(f.attrs.var ?? ''));
  if (new Set(ids).size !== ids.length || new Set(features).size !== features.length) return null;
  ids.sort();
  features.sort();
  let s = ids.map((x) => x + '<').join('') + features.map((x) => x + '<').join('');
  const forms: { type: string; text: string }[] = [];
  for (const x of query.getChildren('x', NS_DATA)) {
    const fields = x.getChildren('field');
    const ft = fields.find((f) => f.attrs.var === 'FORM_TYPE');
    if (!ft) continue;   // §5.4 3.6: a form without FORM_TYPE is ignored
    if (ft.attrs.type !== undefined && ft.attrs.type !== 'hidden') return null;
    const type = ft.getChildText('value') ?? '';
    const rest = fields.filter((f) => f !== ft).map((f) => {
      const values = f.getChildren('value').map((v) => v.getText()).sort();
      return String(f.attrs.var ?? '') + '<' + values.map((v) => v + '<').join('');
    }).sort();
    forms.push({ type, text: type + '<' + rest.join('') });
  }
  if (new Set(forms.map((f) => f.type)).size !== forms.length) return null;
  forms.sort((a, b) => (a.type < b.type ? -1 : a.type > b.type ? 1 : 0));
  s += forms.map((f) => f.text).join('');
  return s;
}

/** The `ver` attribute for a disco#info result with this hash, or null if it cannot be computed or trusted. */
export function capsVer(query: Element, hash: string): string | null {
  const algo = ALGORITHMS[hash];
  const s = verificationString(query);
  if (!algo || s === null) return null;
  return createHash(algo).update(s, 'utf8').digest('base64');
}
