// A PEP node's configuration (XEP-0060 §8.2, §16.4.3 pubsub#node_config) as typed data, its data form in both
// directions, and the publish-options preconditions (XEP-0060 §7.1.5, PEP-04, PEP-17).
import { formFields } from '../data-form.js';
import { el, type Element } from '../../core/xml.js';
import { StanzaError } from '../../core/errors.js';
import { NS_DATA, NS_PUBSUB_ERRORS, FORM_NODE_CONFIG } from './namespaces.js';

export type AccessModel = 'presence' | 'open' | 'roster' | 'whitelist';
export type SendLast = 'never' | 'on_sub' | 'on_sub_and_presence';

export interface NodeConfig {
  access_model: AccessModel;
  persist_items: boolean;
  /** Items kept; MAX_ITEMS_CAP stands for the form value `max`. */
  max_items: number;
  send_last_published_item: SendLast;
  notify_retract: boolean;
  notify_delete: boolean;
  deliver_payloads: boolean;
  roster_groups_allowed: string[];
  title: string;
}

/** The most items one node keeps: what `max` means (PEP-14), and a bound on one node's storage. */
export const MAX_ITEMS_CAP = 1000;

/** Defaults of a new PEP node (XEP-0163 §5 / XEP-0060 defaults; one item, as PEP cares for the latest). */
export function defaultConfig(): NodeConfig {
  return {
    access_model: 'presence', persist_items: true, max_items: 1, send_last_published_item: 'on_sub_and_presence',
    notify_retract: true, notify_delete: true, deliver_payloads: true, roster_groups_allowed: [], title: '',
  };
}

const ACCESS_MODELS: readonly AccessModel[] = ['presence', 'open', 'roster', 'whitelist'];
const SEND_LAST: readonly SendLast[] = ['never', 'on_sub', 'on_sub_and_presence'];

/** `<conflict/>` + `<precondition-not-met/>` (XEP-0060 §7.1.5). */
export function preconditionNotMet(text: string): StanzaError {
  return new StanzaError('conflict', { text, appCondition: el('precondition-not-met', { xmlns: NS_PUBSUB_ERRORS }) });
}

function bool(v: string, field: string): boolean {
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new StanzaError('not-acceptable', { text: `${field} takes a boolean, not "${v}"` });
}

export { formFields };

/** A data form of FORM_TYPE `formType` in `parent`, or null; a form of another type is a bad request. */
export function findForm(parent: Element | undefined, formType: string): Map<string, string[]> | null {
  const x = parent?.getChild('x', NS_DATA);
  if (!x) return null;
  const fields = formFields(x);
  const ft = fields.get('FORM_TYPE')?.[0];
  if (ft !== formType) throw new StanzaError('bad-request', { text: `expected a form of FORM_TYPE ${formType}` });
  fields.delete('FORM_TYPE');
  return fields;
}

/** Apply one field to a config; false when the field is not one this service knows. */
function applyField(c: NodeConfig, name: string, values: string[]): boolean {
  const v = values[0] ?? '';
  switch (name) {
    case 'pubsub#access_model':
      if (!(ACCESS_MODELS as readonly string[]).includes(v)) throw new StanzaError('not-acceptable', { text: `unsupported access model "${v}"`, appCondition: el('unsupported-access-model', { xmlns: NS_PUBSUB_ERRORS }) });
      c.access_model = v as AccessModel;
      return true;
    case 'pubsub#persist_items': c.persist_items = bool(v, name); return true;
    case 'pubsub#notify_retract': c.notify_retract = bool(v, name); return true;
    case 'pubsub#notify_delete': c.notify_delete = bool(v, name); return true;
    case 'pubsub#deliver_payloads': c.deliver_payloads = bool(v, name); return true;
    case 'pubsub#max_items': {
      if (v === 'max') c.max_items = MAX_ITEMS_CAP;
      else {
        const n = Number(v);
        if (!/^\d+$/.test(v) || n < 1) throw new StanzaError('not-acceptable', { text: `max_items takes a positive number or "max", not "${v}"` });
        c.max_items = Math.min(n, MAX_ITEMS_CAP);
      }
      return true;
    }
    case 'pubsub#send_last_published_item':
      if (!(SEND_LAST as readonly string[]).includes(v)) throw new StanzaError('not-acceptable', { text: `send_last_published_item takes never, on_sub or on_sub_and_presence` });
      c.send_last_published_item = v as SendLast;
      return true;
    case 'pubsub#roster_groups_allowed': c.roster_groups_allowed = values.slice(); return true;
    case 'pubsub#title': c.title = v; return true;
    default: return false;
  }
}

/** A node configuration form submitted by the owner (§8.2.4): unknown fields are refused, nothing half-applied. */
export function applyConfigForm(base: NodeConfig, fields: Map<string, string[]>): NodeConfig {
  const c: NodeConfig = { ...base, roster_groups_allowed: [...base.roster_groups_allowed] };
  for (const [name, values] of fields) {
    if (!applyField(c, name, values)) throw new StanzaError('not-acceptable', { text: `unknown configuration field ${name}` });
  }
  return c;
}

/** The value of a config field as the form carries it (for comparing preconditions and building forms). */
function fieldValues(c: NodeConfig, name: string): string[] | null {
  switch (name) {
    case 'pubsub#access_model': return [c.access_model];
    case 'pubsub#persist_items': return [c.persist_items ? '1' : '0'];
    case 'pubsub#notify_retract': return [c.notify_retract ? '1' : '0'];
    case 'pubsub#notify_delete': return [c.notify_delete ? '1' : '0'];
    case 'pubsub#deliver_payloads': return [c.deliver_payloads ? '1' : '0'];
    case 'pubsub#max_items': return [c.max_items >= MAX_ITEMS_CAP ? 'max' : String(c.max_items)];
    case 'pubsub#send_last_published_item': return [c.send_last_published_item];
    case 'pubsub#roster_groups_allowed': return [...c.roster_groups_allowed].sort();
    case 'pubsub#title': return [c.title];
    default: return null;
  }
}

/**
 * Publish-options against an existing node (§7.1.5): every field is a precondition that must equal the node's
 * value, compared on normalised values (so `true` matches `1`, `max` matches the cap). A field this service does
 * not know can never be met (PEP-04).
 */
export function checkPreconditions(c: NodeConfig, fields: Map<string, string[]>): void {
  for (const [name, values] of fields) {
    const have = fieldValues(c, name);
    if (have === null) throw preconditionNotMet(`unknown publish option ${name}`);
    // Normalise the wanted value the same way the node's is.
    const probe: NodeConfig = { ...c, roster_groups_allowed: [...c.roster_groups_allowed] };
    applyField(probe, name, values);
    const want = fieldValues(probe, name)!;
    if (want.join('\n') !== have.join('\n')) throw preconditionNotMet(`the node's ${name} is ${have.join(',')}, not ${values.join(',')}`);
  }
}

/** Publish-options for a node about to be auto-created (§7.1.5): the new node's configuration. */
export function configFromOptions(fields: Map<string, string[]> | null): NodeConfig {
  const c = defaultConfig();
  if (!fields) return c;
  for (const [name, values] of fields) if (!applyField(c, name, values)) throw preconditionNotMet(`unknown publish option ${name}`);
  return c;
}

/** The configuration form (§8.2.1) as the owner sees it. */
export function configForm(c: NodeConfig): Element {
  const field = (v: string, type: string, label: string, values: string[], options?: readonly string[]) =>
    el('field', { var: v, type, label }, options?.map((o) => el('option', null, el('value', null, o))), values.map((x) => el('value', null, x)));
  return el('x', { xmlns: NS_DATA, type: 'form' },
    el('field', { var: 'FORM_TYPE', type: 'hidden' }, el('value', null, FORM_NODE_CONFIG)),
    field('pubsub#title', 'text-single', 'A friendly name for the node', [c.title]),
    field('pubsub#access_model', 'list-single', 'Who may subscribe and retrieve items', [c.access_model], ACCESS_MODELS),
    field('pubsub#roster_groups_allowed', 'list-multi', 'Roster groups allowed to subscribe', [...c.roster_groups_allowed]),
    field('pubsub#persist_items', 'boolean', 'Persist items to storage', fieldValues(c, 'pubsub#persist_items')!),
    field('pubsub#max_items', 'text-single', 'Max number of items to persist', fieldValues(c, 'pubsub#max_items')!),
    field('pubsub#send_last_published_item', 'list-single', 'When to send the last published item', [c.send_last_published_item], SEND_LAST),
    field('pubsub#notify_retract', 'boolean', 'Notify subscribers when items are removed', fieldValues(c, 'pubsub#notify_retract')!),
    field('pubsub#notify_delete', 'boolean', 'Notify subscribers when the node is deleted', fieldValues(c, 'pubsub#notify_delete')!),
    field('pubsub#deliver_payloads', 'boolean', 'Deliver payloads with event notifications', fieldValues(c, 'pubsub#deliver_payloads')!));
}

/** A stored config read back, with defaults for fields added later (forward-compatible documents). */
export function normaliseConfig(stored: Partial<NodeConfig> | undefined): NodeConfig {
  return { ...defaultConfig(), ...(stored ?? {}) };
}
