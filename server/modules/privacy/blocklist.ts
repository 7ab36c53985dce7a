// XEP-0191 mapped onto XEP-0016, as XEP-0191 §3 recommends and ejabberd does: the blocklist IS the default
// privacy list's `jid`/`deny` items that name no stanza kind (they block everything both ways), kept at the top of
// that list. Blocking with no default list creates one and makes it the default. So a block made by either
// protocol is the same stored item, enforced by the same engine, and seen by the other protocol (MOD-31).
// Prosody keeps a separate blocklist store and consults it beside privacy lists; one list is simpler to keep
// consistent and is what the spec asks for when both protocols are offered.
import { StanzaError } from '../../core/errors.js';
import { isBlockItem, MAX_ITEMS_PER_LIST, type PrivacyItem, type PrivacyList } from './model.js';
import type { AccountLists } from './store.js';

/** The name given to a default list created by a block when the account had none. */
const BLOCKLIST_NAME = 'blocklist';

function defaultList(a: AccountLists): PrivacyList | null {
  return a.defaultName === null ? null : a.lists.find((l) => l.name === a.defaultName) ?? null;
}

/** The blocked JIDs, in list order. */
export function blockedJids(a: AccountLists): string[] {
  const d = defaultList(a);
  if (!d) return [];
  const out: string[] = [];
  for (const i of d.items) if (isBlockItem(i) && !out.includes(i.value!)) out.push(i.value!);
  return out;
}

function replaceDefault(a: AccountLists, items: PrivacyItem[], name: string): AccountLists {
  if (items.length === 0) {
    // A list cannot be empty (XEP-0016 §2.6): unblocking the last entry of a list that held only blocks removes it.
    return { user: a.user, lists: a.lists.filter((l) => l.name !== name), defaultName: null };
  }
  const list: PrivacyList = { name, items };
  const exists = a.lists.some((l) => l.name === name);
  return { user: a.user, lists: exists ? a.lists.map((l) => (l.name === name ? list : l)) : [...a.lists, list], defaultName: name };
}

/** Block JIDs (already normalised): they go to the top of the default list, which is renumbered from 1. */
export function withBlocked(a: AccountLists, jids: string[]): AccountLists {
  const d = defaultList(a);
  let name = d?.name ?? BLOCKLIST_NAME;
  for (let n = 2; !d && a.lists.some((l) => l.name === name); n++) name = `${BLOCKLIST_NAME} ${n}`;
  const items = d?.items ?? [];
  const blocked = blockedJids(a);
  for (const j of jids) if (!blocked.includes(j)) blocked.push(j);
  const rest = items.filter((i) => !isBlockItem(i));
  if (blocked.length + rest.length > MAX_ITEMS_PER_LIST) {
    throw new StanzaError('policy-violation', { text: `a blocklist holds at most ${MAX_ITEMS_PER_LIST} entries` });
  }
  let order = 1;
  const next: PrivacyItem[] = blocked.map((value) => ({ type: 'jid', value, action: 'deny', order: order++, kinds: [] }));
  for (const i of rest) next.push({ ...i, order: order++ });
  return replaceDefault(a, next, name);
}

/** Unblock JIDs (null: all of them). Other items of the default list are left as they are. */
export function withoutBlocked(a: AccountLists, jids: string[] | null): AccountLists {
  const d = defaultList(a);
  if (!d) return a;
  const drop = jids === null ? null : new Set(jids);
  const items = d.items.filter((i) => !(isBlockItem(i) && (drop === null || drop.has(i.value!))));
  if (items.length === d.items.length) return a;
  return replaceDefault(a, items, d.name);
}
