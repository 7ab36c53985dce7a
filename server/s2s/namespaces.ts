// Namespaces and constants of federation (RFC 6120 jabber:server, XEP-0220 Server Dialback).
export const NS_DIALBACK = 'jabber:server:dialback';
/** XEP-0220 §2.4.2: dialback with error handling, advertised as <dialback xmlns=…><errors/></dialback>. */
export const NS_DIALBACK_FEATURE = 'urn:xmpp:features:dialback';
/** The IANA port for server-to-server streams, used when DNS gives no SRV record (RFC 6120 §3.2.2). */
export const DEFAULT_S2S_PORT = 5269;
