// What streams and modules get to see of the running server. Kept as an interface so that sessions, modules and
// the server object do not import each other.
import type tls from 'node:tls';
import type { ServerConfig } from './config.js';
import type { Logger } from './log.js';
import type { Router } from './router.js';
import type { SessionRegistry } from './session-registry.js';
import type { Stores } from '../storage/stores.js';
import type { AuthLockout } from './limits.js';
import type { Element } from './xml.js';
import type { Jid } from './jid.js';

/** A top-level element other than a stanza (e.g. XEP-0198 <enable/>), handled by a module once bound. */
export type StreamElementHandler = (session: StreamOwner, element: Element) => void;

/** The parts of a client stream that stream-element handlers may use. */
export interface StreamOwner {
  readonly jid: Jid;
  send(element: Element): void;
}

export interface StreamFeatureProvider {
  /** Extra features after bind (e.g. <sm/>, <csi/>, <ver/>). */
  postAuthFeatures(): Element[];
}

export interface ServerContext {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly router: Router;
  readonly sessions: SessionRegistry;
  readonly stores: Stores;
  readonly lockout: AuthLockout;
  /** TLS context for STARTTLS and direct TLS; null only in tests that run without certificates. */
  secureContext(): tls.SecureContext | null;
  readonly streamElements: Map<string, StreamElementHandler>;
  readonly featureProviders: StreamFeatureProvider[];
  /** Served domains: the main domain and its service subdomains. */
  isLocalDomain(domain: string): boolean;
  readonly stats: { logins: number; failedLogins: number; stanzasIn: number; stanzasOut: number };
}
