// The server as the parts of AdminService see it: what every operation needs, and what only a running server has.
import type { SessionRegistry } from '../core/session-registry.js';
import type { ServerConfig } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Router } from '../core/router.js';
import type { AccountService } from '../accounts/account-service.js';
import type { InviteStore } from '../storage/invites.js';
import type { Storage } from '../storage/storage.js';
import type { CertBundle } from '../certs/index.js';
import type { MessageCounter } from './message-counter.js';

/** What AdminService needs of a server, running (ParleyServer) or not (the offline CLI). */
export interface AdminHost {
  /** The served domain, normalised (ServerConfig.domain after validation). */
  readonly domain: string;
  readonly dataDir: string;
  /**
   * The account lifecycle (server/accounts/): creation, re-keying and removal — with its account-removed event and
   * the disconnection of the account's sessions — go through it on every path (console, IPC, CLI, offline CLI).
   */
  readonly accounts: AccountService;
  /** Live sessions; null when no server is running. */
  readonly sessions: SessionRegistry | null;
  /** ms since the epoch; null when no server is running. */
  readonly startedAt: number | null;
  ports(): Record<string, number>;
  certificate(): Promise<CertBundle | null>;
  /** Invitations (XEP-0401); absent: this host offers none (the offline CLI). */
  readonly invites?: InviteStore;
  /** What only a running server has: its live configuration, log, traffic counters…; absent offline (CLI). */
  readonly runtime?: AdminRuntime;
  /** With no server running (the offline CLI): the data folder's stores and saved settings, e.g. to read its rooms. */
  readonly offline?: OfflineData;
}

export interface OfflineData {
  readonly storage: Storage;
  /** The configuration a start would use (config.json with defaults). */
  readonly config: ServerConfig;
}

/** The parts of a running server that the console's operations use. */
export interface AdminRuntime {
  /** The running configuration; settings that apply live are changed in it in place. */
  readonly config: ServerConfig;
  readonly log: Logger;
  readonly router: Router;
  readonly stats: { readonly logins: number; readonly failedLogins: number; readonly stanzasIn: number; readonly stanzasOut: number };
  readonly messages: MessageCounter;
  setDiscovery(on: boolean): Promise<void>;
}
