// XEP-0016 §2.1 list syntax: `<list name>` with `<item type value action order>` children (and their stanza-kind
// children) parsed into a PrivacyList, refusing what the spec refuses (§2.1, §2.6–2.7, BAD-42), and written back.
// Parsing never touches stored state: a list either parses whole or the request fails with nothing changed.
import { el, childElements, type Element } from '../../core/xml.js';
import { tryParseJid } from '../../core/jid.js';
import { StanzaError } from '../../core/errors.js';
import {
  ITEM_KINDS, MAX_ITEMS_PER_LIST, MAX_NAME_LENGTH, SUBSCRIPTION_VALUES,
  type ItemKind, type ItemType, type PrivacyItem, type PrivacyList,
} from './model.js';

export const NS_PRIVACY = 'jabber:iq:privacy';

const KIND_SET: ReadonlySet<string> = new Set(ITEM_KINDS);
/** order is an xs:unsignedInt. */
const MAX_ORDER = 4294967295;

function bad(text: string): StanzaError {
  return new StanzaError('bad-request', { text });
}

/** A list name as the protocol carries it: present, non-empty, bounded. */
export function listName(e: Element): string {
  const name = e.attrs.name as string | undefined;
  if (name === undefined || name === '') throw bad(`<${e.name}/> needs a name`);
  if (name.length > MAX_NAME_LENGTH) throw bad(`a list name is at most ${MAX_NAME_LENGTH} characters`);
  return name;
}

/** A JID item's value, normalised (RFC 7622) so that matching compares like with like. */
export function normaliseJidValue(value: string): string {
  const jid = tryParseJid(value);
  if (!jid) throw new StanzaError('jid-malformed', { text: `"${value.slice(0, 100)}" is not a valid address` });
  return jid.toString();
}

function parseItem(item: Element, index: number): PrivacyItem {
  const a = item.attrs as Record<string, string | undefined>;
  const where = `item ${index + 1}`;
  if (a.action !== 'allow' && a.action !== 'deny') throw bad(`${where}: action must be "allow" or "deny"`);
  if (a.order === undefined || !/^\d{1,10}$/.test(a.order) || Number(a.order) > MAX_ORDER) {
    throw bad(`${where}: order must be a non-negative integer`);
  }
  const out: PrivacyItem = { action: a.action, order: Number(a.order), kinds: [] };
  if (a.type !== undefined) {
    if (a.type !== 'jid' && a.type !== 'group' && a.type !== 'subscription') throw bad(`${where}: type must be jid, group or subscription`);
    if (a.value === undefined || a.value === '') throw bad(`${where}: an item of type "${a.type}" needs a value`);
    const type: ItemType = a.type;
    out.type = type;
    if (type === 'jid') out.value = normaliseJidValue(a.value);
    else if (type === 'subscription') {
      if (!SUBSCRIPTION_VALUES.has(a.value)) throw bad(`${where}: subscription must be none, to, from or both`);
      out.value = a.value;
    } else {
      if (a.value.length > MAX_NAME_LENGTH) throw bad(`${where}: a group name is at most ${MAX_NAME_LENGTH} characters`);
      out.value = a.value;
    }
  } else if (a.value !== undefined) {
    throw bad(`${where}: a value needs a type`);
  }
  const kinds = new Set<ItemKind>();
  for (const c of childElements(item)) {
    if (!KIND_SET.has(c.name) || childElements(c).length > 0) throw bad(`${where}: <${c.name}/> is not a stanza kind (message, iq, presence-in, presence-out)`);
    kinds.add(c.name as ItemKind);
  }
  // All four named is the same as none named, except that "none" also covers subscription presence: keep as sent.
  out.kinds = ITEM_KINDS.filter((k) => kinds.has(k));
  return out;
}

/**
 * A `<list>` with at least one item, as sent in a set (create or replace, §2.6). Throws the spec's error:
 * bad-request for malformed items and duplicate orders, jid-malformed for a JID that does not parse,
 * policy-violation beyond MAX_ITEMS_PER_LIST.
 */
export function parseList(list: Element): PrivacyList {
  const name = listName(list);
  const children = childElements(list);
  if (children.length > MAX_ITEMS_PER_LIST) {
    throw new StanzaError('policy-violation', { text: `a privacy list holds at most ${MAX_ITEMS_PER_LIST} items` });
  }
  const items: PrivacyItem[] = [];
  const orders = new Set<number>();
  children.forEach((c, i) => {
    if (c.name !== 'item') throw bad(`<list/> holds only <item/> elements, not <${c.name}/>`);
    const item = parseItem(c, i);
    if (orders.has(item.order)) throw bad(`two items have order ${item.order}; orders are unique in a list`);
    orders.add(item.order);
    items.push(item);
  });
  items.sort((x, y) => x.order - y.order);
  return { name, items };
}

export function itemElement(i: PrivacyItem): Element {
  return el('item', { type: i.type, value: i.value, action: i.action, order: i.order }, i.kinds.map((k) => el(k)));
}

export function listElement(l: PrivacyList): Element {
  return el('list', { name: l.name }, l.items.map(itemElement));
}
