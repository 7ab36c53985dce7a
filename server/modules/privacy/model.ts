// XEP-0016 privacy lists as typed data: what a list holds once parsed, and the stanza kinds an item can name.
// Shared by the store, the XML (de)serialiser, the compiled matcher and both protocols (XEP-0016, XEP-0191).

/** The stanza kinds an item may name (XEP-0016 §2.1); none named = all of them, both directions. */
export type ItemKind = 'message' | 'iq' | 'presence-in' | 'presence-out';
export const ITEM_KINDS: readonly ItemKind[] = ['message', 'iq', 'presence-in', 'presence-out'];

export type ItemType = 'jid' | 'group' | 'subscription';
export type SubscriptionValue = 'none' | 'to' | 'from' | 'both';
export const SUBSCRIPTION_VALUES: ReadonlySet<string> = new Set(['none', 'to', 'from', 'both']);

export interface PrivacyItem {
  /** Absent: the fall-through item, which matches everyone. */
  type?: ItemType;
  /** A JID (normalised, as the matcher compares it), a roster group name, or a subscription state. */
  value?: string;
  action: 'allow' | 'deny';
  /** Unique in its list, non-negative; evaluation runs in ascending order (XEP-0016 §2.2). */
  order: number;
  /** The kinds named; empty = every stanza both ways, subscription presence included. */
  kinds: ItemKind[];
}

export interface PrivacyList {
  name: string;
  /** Kept sorted by order. */
  items: PrivacyItem[];
}

/**
 * Limits on what an account may keep. A list of 10,000 items is no privacy policy anyone keeps by hand, and each
 * item is a row of the matcher: beyond these the request is refused with <policy-violation/> (a local service
 * policy, RFC 6120 §8.3.3.12) and nothing is stored.
 */
export const MAX_ITEMS_PER_LIST = 1000;
export const MAX_LISTS_PER_ACCOUNT = 50;
export const MAX_NAME_LENGTH = 1024;

/** A blocklist entry in XEP-0191's sense: a `jid` item that denies every kind (XEP-0191 §3 "Relationship"). */
export function isBlockItem(i: PrivacyItem): boolean {
  return i.type === 'jid' && i.action === 'deny' && i.kinds.length === 0;
}
