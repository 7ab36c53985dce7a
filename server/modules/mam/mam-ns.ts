// Namespaces of message archives: XEP-0313 (MAM, with its #extended feature), XEP-0059 (RSM), XEP-0297
// (forwarding) and XEP-0203 (delay). Shared by every archive (rooms now, users' own archives later).
export const MAM_NS = {
  mam: 'urn:xmpp:mam:2',
  /** XEP-0313 §7: before-id, after-id, ids, flipped pages and the metadata query. */
  extended: 'urn:xmpp:mam:2#extended',
  rsm: 'http://jabber.org/protocol/rsm',
  forward: 'urn:xmpp:forward:0',
  delay: 'urn:xmpp:delay',
  /** XEP-0122, for the open list of the 'ids' field. */
  validate: 'http://jabber.org/protocol/xdata-validate',
} as const;

/** The disco#info features of an entity hosting an archive (XEP-0313 §7: both, always together). */
export const MAM_FEATURES: readonly string[] = [MAM_NS.mam, MAM_NS.extended];
