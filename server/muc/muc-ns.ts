// XML namespaces of group chat (XEP-0045 and the XEPs around it), one constant each.
export const MUC_NS = {
  muc: 'http://jabber.org/protocol/muc',
  user: 'http://jabber.org/protocol/muc#user',
  admin: 'http://jabber.org/protocol/muc#admin',
  owner: 'http://jabber.org/protocol/muc#owner',
  roomconfig: 'http://jabber.org/protocol/muc#roomconfig',
  roominfo: 'http://jabber.org/protocol/muc#roominfo',
  register: 'http://jabber.org/protocol/muc#register',
  request: 'http://jabber.org/protocol/muc#request',
  stableId: 'http://jabber.org/protocol/muc#stable_id',
  selfPing: 'http://jabber.org/protocol/muc#self-ping-optimization',
  /** XEP-0421 */
  occupantId: 'urn:xmpp:occupant-id:0',
  /** XEP-0359 */
  sid: 'urn:xmpp:sid:0',
  /** XEP-0203 */
  delay: 'urn:xmpp:delay',
  /** XEP-0249 */
  conference: 'jabber:x:conference',
  dataForms: 'jabber:x:data',
  register77: 'jabber:iq:register',
  vcard: 'vcard-temp',
  ping: 'urn:xmpp:ping',
  /** XEP-0425 (moderated retraction), XEP-0424 (retraction), XEP-0422 (fastening, for v0 clients) */
  moderation: 'urn:xmpp:message-moderate:1',
  moderation0: 'urn:xmpp:message-moderate:0',
  retract: 'urn:xmpp:message-retract:1',
  retract0: 'urn:xmpp:message-retract:0',
  fasten: 'urn:xmpp:fasten:0',
  /** XEP-0334 hints */
  hints: 'urn:xmpp:hints',
} as const;
