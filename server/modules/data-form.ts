// XEP-0004 data forms: reading a submitted form and building fields, shared by every module that takes a form
// (pubsub node configuration, MUC room configuration and registration, voice requests).
import { el, type Element } from '../core/xml.js';
import { NS } from '../core/namespaces.js';

/** The submitted fields of a form: var → values (FORM_TYPE kept, so callers can check it). */
export function formFields(x: Element): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const f of x.getChildren('field')) {
    const name = f.attrs.var as string | undefined;
    if (name === undefined) continue;
    out.set(name, f.getChildren('value').map((v) => v.getText()));
  }
  return out;
}

export type FieldType = 'boolean' | 'fixed' | 'hidden' | 'jid-multi' | 'jid-single' | 'list-multi' | 'list-single' | 'text-multi' | 'text-private' | 'text-single';

export interface FieldSpec {
  var: string;
  type: FieldType;
  label?: string;
  values: readonly string[];
  /** list-single / list-multi choices: [value, label]. */
  options?: readonly (readonly [string, string])[];
}

export function field(f: FieldSpec): Element {
  return el('field', { var: f.var, type: f.type, label: f.label },
    (f.options ?? []).map(([value, label]) => el('option', { label }, el('value', null, value))),
    f.values.map((v) => el('value', null, v)));
}

/** A form (type form or result) of FORM_TYPE `formType`. */
export function dataForm(type: 'form' | 'result' | 'submit', formType: string, fields: readonly FieldSpec[], title?: string): Element {
  return el('x', { xmlns: NS.dataForms, type },
    title ? el('title', null, title) : null,
    field({ var: 'FORM_TYPE', type: 'hidden', values: [formType] }),
    fields.map(field));
}
