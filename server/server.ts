// ParleyServer: wires config, stores, certificates, router, modules and listeners together, and stops them
// gracefully (every stream gets <system-shutdown/>, CORE-63; stores are flushed).
import path from 'node:path';
import tls from 'node:tls';
import type { ServerConfig } from './core/config.js';
import { Logger } from './core/log.js';
import { Router } from './core/router.js';
import { SessionRegistry } from './core/session-registry.js';
import { AuthLockout } from './core/limits.js';
import type { StreamElementHandler, StreamFeatureProvider } from './core/context.js';
import { openStores, type Stores } from './storage/stores.js';
import { ensureCertificates, type CertBundle } from './certs/index.js';
import { startC2sListeners, type C2sListeners } from './core/listeners.js';
import { DiscoRegistry } from './modules/disco-registry.js';
import type { ModuleContext, ServerModule } from './modules/module.js';
import { DEFAULT_MODULES } from './modules/index.js';

export interface ServerOptions {
  modules?: ServerModule[];
  logger?: Logger;
}

export class ParleyServer {
  readonly log: Logger;
  private ctx: ModuleContext | null = null;
  private listeners: C2sListeners | null = null;
  private certs: CertBundle | null = null;
  private context: tls.SecureContext | null = null;
  stores: Stores | null = null;
  readonly startedAt = Date.now();

  constructor(readonly config: ServerConfig, private readonly options: ServerOptions = {}) {
    this.log = options.logger ?? new Logger(config.logLevel);
  }

  get ports(): Record<string, number> {
    return this.listeners?.ports ?? {};
  }

  get certificate(): CertBundle | null {
    return this.certs;
  }

  get context_(): ModuleContext {
    if (!this.ctx) throw new Error('server not started');
    return this.ctx;
  }

  async start(): Promise<void> {
    const { config, log } = this;
    this.stores = await openStores(config.dataDir, { scramIterations: config.scramIterations });
    this.certs = await ensureCertificates(path.join(config.dataDir, 'certs'), config.domain, {
      onProgress: (step) => log.info('certs', step),
    });
    this.context = this.makeSecureContext(this.certs);
    const sessions = new SessionRegistry();
    const router = new Router(config.domain, sessions, log);
    const streamElements = new Map<string, StreamElementHandler>();
    const featureProviders: StreamFeatureProvider[] = [];
    const localDomains = new Set([config.domain]);
    const ctx: ModuleContext = {
      config,
      log,
      router,
      sessions,
      stores: this.stores,
      lockout: new AuthLockout(config.limits.authFailuresBeforeLockout, config.limits.lockoutBaseSeconds, config.limits.lockoutMaxSeconds),
      secureContext: () => this.context,
      streamElements,
      featureProviders,
      isLocalDomain: (d) => localDomains.has(d),
      stats: { logins: 0, failedLogins: 0, stanzasIn: 0, stanzasOut: 0 },
      disco: new DiscoRegistry(),
    };
    this.ctx = ctx;
    for (const m of this.options.modules ?? DEFAULT_MODULES) {
      await m.load(ctx);
      log.debug('modules', `loaded ${m.name} (${m.spec})`);
    }
    this.listeners = await startC2sListeners(ctx);
    log.info('server', `Parley is serving ${config.domain}`);
  }

  private makeSecureContext(c: CertBundle): tls.SecureContext {
    // Node's defaults already follow RFC 7525 (forward-secret AEAD suites first); TLS 1.0/1.1 are refused (CORE-21).
    return tls.createSecureContext({ key: c.keyPem, cert: c.certPem + '\n' + c.caCertPem, minVersion: 'TLSv1.2' });
  }

  /** Stop accepting, send system-shutdown to every stream, wait briefly for them to close. */
  async stop(): Promise<void> {
    const l = this.listeners;
    this.listeners = null;
    if (l) {
      for (const s of l.servers) s.close();
      const closing = [...l.sessions].map((s) => {
        const closed = s.whenClosed();
        s.closeWithError('system-shutdown', 'the server is stopping');
        return closed;
      });
      // Clients get a moment to answer with their closing tag; whoever hasn't by then is dropped.
      const grace = setTimeout(() => l.sessions.forEach((s) => s.destroy()), 2000);
      await Promise.all(closing);
      clearTimeout(grace);
    }
    this.log.info('server', 'stopped');
  }
}
