// ParleyServer: wires config, stores, certificates, router, modules and listeners together, and stops them
// gracefully (every stream gets <system-shutdown/>, CORE-63; stores are flushed).
import path from 'node:path';
import tls from 'node:tls';
import type { ServerConfig } from './core/config.js';
import { Logger } from './core/log.js';
import { Router } from './core/router.js';
import { PendingWork } from './core/pending-work.js';
import { SessionRegistry } from './core/session-registry.js';
import { AuthLockout } from './core/limits.js';
import type { StreamElementHandler, StreamFeatureProvider } from './core/context.js';
import type { BackendFactory, Storage } from './storage/storage.js';
import { openAccounts } from './accounts/open-accounts.js';
import type { AccountService } from './accounts/account-service.js';
import { ensureCertificates, type CertBundle } from './certs/index.js';
import { startC2sListeners, type C2sListeners } from './core/listeners.js';
import { DiscoRegistry } from './modules/disco-registry.js';
import type { ModuleContext, ServerModule } from './modules/module.js';
import { DEFAULT_MODULES } from './modules/index.js';
import { AdminService } from './admin/admin-service.js';
import { AdminSocketServer } from './admin/admin-socket.js';
import { acquireLock, type DataDirLock } from './admin/data-dir-lock.js';
import { Discovery } from './discovery/index.js';
import { HttpService } from './http/index.js';
import { countMessages } from './admin/message-counter.js';
import { PARLEY_VERSION } from './version.js';
import { S2sService } from './s2s/index.js';

export interface ServerOptions {
  modules?: ServerModule[];
  logger?: Logger;
  /** Take <data>/parley.lock and serve the admin socket (default true). */
  adminEndpoint?: boolean;
  /** Serve the headless admin console under /admin on the HTTP port (default true; the desktop app uses IPC). */
  httpConsole?: boolean;
  /** The storage backend (default NeDB); any implementation of server/storage/backend.ts. */
  storage?: BackendFactory;
}

export class ParleyServer {
  readonly log: Logger;
  private ctx: ModuleContext | null = null;
  private listeners: C2sListeners | null = null;
  private certs: CertBundle | null = null;
  private context: tls.SecureContext | null = null;
  /** The data dir's stores (open one with storage.open(def)); null until started. */
  storage: Storage | null = null;
  /** The account lifecycle; null until started. */
  accounts: AccountService | null = null;
  /** The admin operations of this server (for Electron IPC and the HTTP API); null until started. */
  admin: AdminService | null = null;
  private lock: DataDirLock | null = null;
  private adminSocket: AdminSocketServer | null = null;
  /** mDNS presence on the LAN; the GUI turns it on and off with discovery.setEnabled(). Null until started. */
  discovery: Discovery | null = null;
  /** Federation (config.s2sPort); null when off or not started. */
  s2s: S2sService | null = null;
  /** The HTTP listener (config.httpPort) with the headless admin console; null when off or not started. */
  http: HttpService | null = null;
  readonly startedAt = Date.now();

  constructor(readonly config: ServerConfig, private readonly options: ServerOptions = {}) {
    this.log = options.logger ?? new Logger(config.logLevel);
  }

  get ports(): Record<string, number> {
    const ports = { ...this.listeners?.ports };
    if (this.http) ports.http = this.http.port;
    if (this.http?.securePort != null) ports.https = this.http.securePort;
    if (this.s2s) ports.s2s = this.s2s.port;
    return ports;
  }

  /** The one-time link to the setup wizard of a fresh data folder; null once set up or without the console. */
  get setupLink(): string | null {
    return this.http?.setupLink() ?? null;
  }

  get certificate(): CertBundle | null {
    return this.certs;
  }

  get context_(): ModuleContext {
    if (!this.ctx) throw new Error('server not started');
    return this.ctx;
  }

  async start(): Promise<void> {
    if (this.options.adminEndpoint !== false) this.lock = await acquireLock(this.config.dataDir, 'server');
    try {
      await this.startServing();
    } catch (err) {
      // Undo what was started, quietly: the caller reports err.
      await this.discovery?.stop();
      await this.s2s?.stop();
      this.s2s = null;
      for (const s of this.listeners?.servers ?? []) s.close();
      this.listeners = null;
      await this.http?.close();
      this.http = null;
      await this.adminSocket?.close();
      this.adminSocket = null;
      await this.lock?.release();
      this.lock = null;
      throw err;
    }
  }

  private async startServing(): Promise<void> {
    const { config, log } = this;
    const sessions = new SessionRegistry();
    const { storage, accounts } = await openAccounts(config.dataDir, { domain: config.domain, scramIterations: config.scramIterations, sessions, log, backend: this.options.storage, durability: config.durability });
    this.storage = storage;
    this.accounts = accounts;
    this.certs = await ensureCertificates(path.join(config.dataDir, 'certs'), config.domain, {
      onProgress: (step) => log.info('certs', step),
    });
    this.context = this.makeSecureContext(this.certs);
    const router = new Router(config.domain, sessions, log);
    const streamElements = new Map<string, StreamElementHandler>();
    const featureProviders: StreamFeatureProvider[] = [];
    const ctx: ModuleContext = {
      config,
      log,
      router,
      sessions,
      storage,
      accounts,
      lockout: new AuthLockout(config.limits.authFailuresBeforeLockout, config.limits.lockoutBaseSeconds, config.limits.lockoutMaxSeconds),
      secureContext: () => this.context,
      streamElements,
      featureProviders,
      preAuthIq: new Map(),
      isLocalDomain: (d) => router.hostOf(d) !== undefined,
      stats: { logins: 0, failedLogins: 0, stanzasIn: 0, stanzasOut: 0 },
      pending: new PendingWork(),
      disco: new DiscoRegistry(),
    };
    this.ctx = ctx;
    for (const m of this.options.modules ?? DEFAULT_MODULES) {
      await m.load(ctx);
      log.debug('modules', `loaded ${m.name} (${m.spec})`);
    }
    this.listeners = await startC2sListeners(ctx);
    // Before discovery: its `ports` advertise _xmpp-server._tcp only when federation listens.
    if (config.s2sPort !== null) this.s2s = await S2sService.start(ctx, { certificate: () => this.certs });
    this.discovery = new Discovery({ domain: config.domain, version: PARLEY_VERSION, fingerprintSha256: this.certs.fingerprintSha256, ports: this.ports, interfaces: config.discoveryInterfaces, bind: config.bind, logger: log });
    if (config.discovery) await this.discovery.start();
    this.admin = new AdminService({
      domain: config.domain, dataDir: config.dataDir, accounts, invites: accounts.invites, sessions, startedAt: this.startedAt,
      ports: () => this.ports, certificate: async () => this.certs,
      runtime: {
        config, log, router, stats: ctx.stats, messages: countMessages(router),
        setDiscovery: async (on) => { await this.discovery?.setEnabled(on); },
      },
    });
    if (this.lock) this.adminSocket = await AdminSocketServer.start(config.dataDir, this.admin, log);
    if (config.httpPort !== null) this.http = await HttpService.start({ config, log, admin: this.admin, console: this.options.httpConsole !== false, certificate: () => this.certs });
    log.info('server', `Parley is serving ${config.domain}`);
  }

  private makeSecureContext(c: CertBundle): tls.SecureContext {
    // Node's defaults already follow RFC 7525 (forward-secret AEAD suites first); TLS 1.0/1.1 are refused (CORE-21).
    return tls.createSecureContext({ key: c.keyPem, cert: c.certPem + '\n' + c.caCertPem, minVersion: 'TLSv1.2' });
  }

  /**
   * Stop: modules say goodbye (rooms tell occupants 332), client streams get system-shutdown and a moment to close,
   * what their closing set off is sent (bounded wait), then federation, the web side and storage stop.
   */
  async stop(): Promise<void> {
    await this.discovery?.stop(); // goodbye packets first, so nobody keeps trying to connect
    // Modules say their goodbyes while every stream (federation included) is still open.
    const ctx = this.ctx;
    if (ctx) {
      for (const m of this.options.modules ?? DEFAULT_MODULES) {
        try {
          await m.stop?.(ctx);
        } catch (err) {
          this.log.warn('modules', `${m.name} failed to stop cleanly: ${String(err)}`);
        }
      }
    }
    const l = this.listeners;
    this.listeners = null;
    if (l) {
      for (const s of l.servers) s.close();
      const closing = [...l.connections].map((c) => {
        const closed = c.whenClosed();
        c.closeWithError('system-shutdown', 'the server is stopping');
        return closed;
      });
      // Clients get a moment to answer with their closing tag; whoever hasn't by then is dropped.
      const grace = setTimeout(() => l.connections.forEach((c) => c.destroy()), 2000);
      await Promise.all(closing);
      clearTimeout(grace);
    }
    // Sessions a resumption module kept without a connection end too.
    for (const s of [...this.ctx?.sessions.all() ?? []]) s.closeWithError('system-shutdown');
    // What the closed sessions set off (their unavailable presence, also to rooms and contacts on other servers)
    // goes out before federation stops, as Prosody does; bounded, so a stuck store cannot hold the shutdown.
    await this.ctx?.pending.settle(3000);
    const s2s = this.s2s;
    this.s2s = null;
    await s2s?.stop();
    const http = this.http;
    this.http = null;
    await http?.close();
    const adminSocket = this.adminSocket;
    this.adminSocket = null;
    await adminSocket?.close();
    // Last: a backend that holds files or handles (a database) releases them; NeDB has nothing buffered.
    await this.storage?.backend.close();
    await this.lock?.release();
    this.lock = null;
    this.log.info('server', 'stopped');
  }
}
