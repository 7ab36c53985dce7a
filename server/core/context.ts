// What streams and modules get to see of the running server. Kept as an interface so that sessions, modules and
// the server object do not import each other.
import type tls from 'node:tls';
import type { ServerConfig } from './config.js';
import type { Logger } from './log.js';
import type { Router } from './router.js';
import type { SessionRegistry } from './session-registry.js';
import type { Storage } from '../storage/storage.js';
import type { AccountService } from '../accounts/account-service.js';
import type { AuthLockout } from './limits.js';
import type { Element } from './xml.js';
import type { StreamElementHandler } from './client-stream.js';
import type { PendingWork } from './pending-work.js';

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


export interface ServerContext {
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly router: Router;
  readonly sessions: SessionRegistry;
  /** Open stores: `await ctx.storage.open(def)` (one shared instance per definition), e.g. in a module's load(). */
  readonly storage: Storage;
  /** The account lifecycle: logins read credentials here; creation, re-keying, removal and its event. */
  readonly accounts: AccountService;
  readonly lockout: AuthLockout;
  /** TLS context for STARTTLS and direct TLS; null only in tests that run without certificates. */
  secureContext(): tls.SecureContext | null;
  /** Top-level non-stanza elements by "namespace|name", each with the stages it is accepted in (client-stream.ts). */
  readonly streamElements: Map<string, StreamElementHandler>;
  readonly featureProviders: StreamFeatureProvider[];
  /** Pre-auth iq handlers by payload namespace; any other stanza before authentication closes the stream. */
  readonly preAuthIq: Map<string, PreAuthIqHandler>;
  /** Served domains: the main domain and every host a module added (Router.addHost). */
  isLocalDomain(domain: string): boolean;
  readonly stats: { logins: number; failedLogins: number; stanzasIn: number; stanzasOut: number };
  /** Work the server does on its own that a shutdown waits for (bounded) before federation stops. */
  readonly pending: PendingWork;
}
