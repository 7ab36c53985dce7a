// The XEP-0060 / XEP-0163 namespaces and the pubsub features this PEP service implements (PEP-18: only those).
export const NS_PUBSUB = 'http://jabber.org/protocol/pubsub';
export const NS_PUBSUB_EVENT = 'http://jabber.org/protocol/pubsub#event';
export const NS_PUBSUB_OWNER = 'http://jabber.org/protocol/pubsub#owner';
export const NS_PUBSUB_ERRORS = 'http://jabber.org/protocol/pubsub#errors';
export const NS_DATA = 'jabber:x:data';
export const FORM_NODE_CONFIG = 'http://jabber.org/protocol/pubsub#node_config';
export const FORM_PUBLISH_OPTIONS = 'http://jabber.org/protocol/pubsub#publish-options';

/** `http://jabber.org/protocol/pubsub#<name>` for each feature advertised on an account (PEP-18, DISCO 11b). */
export const PUBSUB_FEATURES: readonly string[] = [
  'access-open', 'access-presence', 'access-roster', 'access-whitelist', 'auto-create', 'auto-subscribe',
  'config-node', 'config-node-max', 'create-nodes', 'delete-items', 'delete-nodes', 'filtered-notifications',
  'item-ids', 'last-published', 'multi-items', 'persistent-items', 'presence-notifications', 'publish',
  'publish-options', 'purge-nodes', 'retract-items', 'retrieve-affiliations', 'retrieve-items',
  'retrieve-subscriptions', 'subscribe', 'modify-affiliations',
].map((f) => `${NS_PUBSUB}#${f}`);
