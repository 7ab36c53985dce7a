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
import type { StanzaKind } from './router.js';
import type { LocalSession } from './session-registry.js';
import type { StreamElementHandler } from './client-stream.js';

export type { StreamElementHandler, ClientStream, ClientStage, SessionHandle, OutputFilter } from './client-stream.js';

export interface StreamFeatureProvider {
  /** Extra features after bind (e.g. <sm/>, <csi/>, <ver/>). */
  postAuthFeatures(): Element[];
  /** Extra features before authentication, next to the SASL mechanisms (e.g. XEP-0077 <register/>). */
  preAuthFeatures?(stream: PreAuthStream): Element[];
}

/** A client stream that has not authenticated yet, as pre-auth handlers see it. */
export interface PreAuthStream {
  readonly id: string;
  /** TLS is in place (STARTTLS done or direct TLS). */
  readonly secure: boolean;
  readonly remoteAddress: string;
  send(element: Element): void;
}

/**
 * Handles an iq get/set a client sends before authenticating, for one payload namespace (XEP-0077 in-band
 * registration). It answers on the stream itself; it must not throw or reject.
 */
export type PreAuthIqHandler = (stream: PreAuthStream, iq: Element) => void | Promise<void>;

/** See ServerContext.remoteRoute. Resolves once the stanza is handed on (or refused), for in-order processing. */
export type RemoteRoute = (stanza: Element, kind: StanzaKind, type: string, origin: LocalSession | null) => void | Promise<void>;

export interface ServerContext {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly router: Router;
  readonly sessions: SessionRegistry;
  readonly stores: Stores;
  readonly lockout: AuthLockout;
  /** TLS context for STARTTLS and direct TLS; null only in tests that run without certificates. */
  secureContext(): tls.SecureContext | null;
  /** Top-level non-stanza elements by "namespace|name", each with the stages it is accepted in (client-stream.ts). */
  readonly streamElements: Map<string, StreamElementHandler>;
  readonly featureProviders: StreamFeatureProvider[];
  /** Pre-auth iq handlers by payload namespace; any other stanza before authentication closes the stream. */
  readonly preAuthIq: Map<string, PreAuthIqHandler>;
  /** Served domains: the main domain and its service subdomains. */
  isLocalDomain(domain: string): boolean;
  /**
   * Sends a stanza to a domain this server does not serve, over federation (server/s2s/ sets it while s2s runs).
   * `origin` is the client session that sent it, or null for stanzas the server generates. Unset: federation is off.
   */
  remoteRoute?: RemoteRoute;
  readonly stats: { logins: number; failedLogins: number; stanzasIn: number; stanzasOut: number };
}
