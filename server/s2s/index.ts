// Federation: server-to-server streams (RFC 6120), Server Dialback (XEP-0220), SASL EXTERNAL for servers (XEP-0178).
export { S2sService, type S2sOptions } from './service.js';
export type { S2sEvents, VerifyOutcome } from './types.js';
export { DialbackKeys } from './dialback-key.js';
export { resolveTargets, RemoteNotFoundError, type Target, type DnsLookups } from './resolve.js';
export { parseHostPort } from './settings.js';
