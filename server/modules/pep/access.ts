// Who may read a PEP node (XEP-0060 §4.5 access models, XEP-0163 §5; PEP-05, PEP-12, PEP-19). Decided from the
// owner's roster at the moment of each request or notification, never remembered: a contact who loses its `from`
// subscription or its roster group loses access at once, with nothing to recompute (PEP-12).
import { el } from '../../core/xml.js';
import { StanzaError } from '../../core/errors.js';
import type { RosterItem } from '../../storage/roster.js';
import type { NodeRec } from './store.js';
import { NS_PUBSUB_ERRORS } from './namespaces.js';

/** The contact's presence subscription to the owner (RFC 6121 `from` / `both`). */
export function seesOwner(item: RosterItem | null | undefined): boolean {
  return item?.subscription === 'from' || item?.subscription === 'both';
}

/**
 * Whether `requesterBare` (not the owner) may read `rec`, given the owner's roster item for it (null: none);
 * the reason as the error XEP-0060 §6.5.9 gives when not.
 */
export function accessError(rec: NodeRec, requesterBare: string, item: RosterItem | null | undefined): StanzaError | null {
  const c = rec.config;
  switch (c.access_model) {
    case 'open': return null;
    case 'presence':
      return seesOwner(item) ? null : new StanzaError('not-authorized', { text: 'this node is for contacts with a presence subscription', appCondition: el('presence-subscription-required', { xmlns: NS_PUBSUB_ERRORS }) });
    case 'roster':
      return seesOwner(item) && item!.groups.some((g) => c.roster_groups_allowed.includes(g)) ? null
        : new StanzaError('not-authorized', { text: 'this node is for some roster groups only', appCondition: el('not-in-roster-group', { xmlns: NS_PUBSUB_ERRORS }) });
    case 'whitelist':
      return rec.members.includes(requesterBare) ? null : new StanzaError('not-allowed', { text: 'this node is private', appCondition: el('closed-node', { xmlns: NS_PUBSUB_ERRORS }) });
  }
}

export function mayRead(rec: NodeRec, requesterBare: string, item: RosterItem | null | undefined): boolean {
  return accessError(rec, requesterBare, item) === null;
}
