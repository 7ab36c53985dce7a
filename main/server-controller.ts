// The XMPP server inside the desktop app: start, stop and restart it, say what state it is in (for the tray and
// the window), and hand the IPC layer its AdminService. A new ParleyServer is made for every start.
import { EventEmitter } from 'node:events';
import type { AdminService } from '../server/admin/admin-service.js';
import type { ConsoleEvent } from '../server/admin/console-api.js';
import { readStoredSettings, resolveConfig, type ServerConfig, type StoredSettings } from '../server/core/config.js';
import { Logger } from '../server/core/log.js';
import { ParleyServer } from '../server/server.js';
import type { IpcBackend } from './ipc.js';

/** What the controller needs of a started server (ParleyServer has it). */
export interface RunningServer {
  readonly config: ServerConfig;
  readonly admin: AdminService | null;
  readonly ports: Record<string, number>;
  stop(): Promise<void>;
}

/** Starts a server and resolves once it serves (or rejects with why it could not). */
export type LaunchServer = () => Promise<RunningServer>;

export type ServerState = 'stopped' | 'starting' | 'running' | 'stopping';

export interface ServerSnapshot {
  state: ServerState;
  /** The served domain while running. */
  domain: string | null;
  ports: Record<string, number>;
  onlineSessions: number;
  /** Why the last start failed (a sentence), or null. */
  error: string | null;
}

/** The default launcher: the config in the data folder with the command line's overrides, one shared log. */
export function launchFromDataDir(dataDir: string, overrides: StoredSettings, logger: Logger): LaunchServer {
  return async () => {
    const config = resolveConfig(dataDir, await readStoredSettings(dataDir), overrides);
    logger.level = config.logLevel;
    const server = new ParleyServer(config, { logger });
    await server.start();
    return server;
  };
}

/** One line for the tray and the log; Parley's own errors (config, ports, data folder) are sentences already. */
function sentence(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s*\n\s*/g, ' ').trim();
}

export class ServerController extends EventEmitter<{ change: [ServerSnapshot] }> implements IpcBackend {
  private server: RunningServer | null = null;
  private current: ServerState = 'stopped';
  private lastError: string | null = null;
  private sessions = 0;
  private setupDue = false;
  /** Start/stop requests run one after another. */
  private queue: Promise<void> = Promise.resolve();
  private readonly consoleListeners = new Set<(e: ConsoleEvent) => void>();
  private unsubscribeServer: (() => void) | null = null;

  constructor(private readonly launch: LaunchServer, private readonly log: Pick<Logger, 'info' | 'warn' | 'error'> = new Logger('info')) {
    super();
  }

  get state(): ServerState {
    return this.current;
  }

  get running(): RunningServer | null {
    return this.server;
  }

  snapshot(): ServerSnapshot {
    return {
      state: this.current,
      domain: this.server?.config.domain ?? null,
      ports: this.server?.ports ?? {},
      onlineSessions: this.server ? this.sessions : 0,
      error: this.lastError,
    };
  }

  /** Start the server if it is not running; a failure is kept as `error` in the snapshot, not thrown. */
  start(): Promise<void> {
    return this.enqueue(async () => {
      if (this.server) return;
      this.set('starting');
      try {
        const server = await this.launch();
        this.server = server;
        this.lastError = null;
        this.sessions = 0;
        try {
          this.setupDue = (await server.admin?.setupNeeded()) ?? false;
        } catch (err) {
          this.log.warn('desktop', `could not tell whether setup is needed: ${sentence(err)}`);
        }
        this.attachEvents();
        this.set('running');
      } catch (err) {
        this.lastError = sentence(err);
        this.log.error('desktop', `the server did not start: ${this.lastError}`);
        this.set('stopped');
      }
    });
  }

  /** Stop gracefully: every stream gets <system-shutdown/>, stores are flushed, the data folder is unlocked. */
  stop(): Promise<void> {
    return this.enqueue(async () => {
      const server = this.server;
      if (!server) return;
      this.set('stopping');
      this.detachEvents();
      try {
        await server.stop();
      } catch (err) {
        this.log.error('desktop', `the server did not stop cleanly: ${sentence(err)}`);
      } finally {
        this.server = null;
        this.set('stopped');
      }
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // IpcBackend

  admin(): AdminService | null {
    return this.current === 'running' ? this.server?.admin ?? null : null;
  }

  unavailable(): string {
    switch (this.current) {
      case 'starting': return 'Parley’s server is starting; try again in a moment.';
      case 'stopping': return 'Parley’s server is stopping.';
      default: return this.lastError
        ? `Parley’s server is not running: it could not start (${this.lastError}). Start it again from the Parley icon in the tray or menu bar.`
        : 'Parley’s server is stopped. Start it from the Parley icon in the tray or menu bar.';
    }
  }

  setupNeeded(): boolean {
    return this.setupDue;
  }

  setupCompleted(): void {
    this.setupDue = false;
  }

  subscribe(listener: (e: ConsoleEvent) => void): () => void {
    this.consoleListeners.add(listener);
    this.attachEvents();
    return () => {
      this.consoleListeners.delete(listener);
    };
  }

  private attachEvents(): void {
    const admin = this.server?.admin;
    if (!admin || this.unsubscribeServer) return;
    this.unsubscribeServer = admin.subscribe((e) => {
      if (e.type === 'sessions' && e.onlineSessions !== this.sessions) {
        this.sessions = e.onlineSessions;
        this.emit('change', this.snapshot());
      }
      for (const l of this.consoleListeners) {
        try {
          l(e);
        } catch {
          // A closed window's listener is its own business.
        }
      }
    });
  }

  private detachEvents(): void {
    this.unsubscribeServer?.();
    this.unsubscribeServer = null;
  }

  private set(state: ServerState): void {
    this.current = state;
    this.emit('change', this.snapshot());
  }

  private enqueue(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task, task);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
