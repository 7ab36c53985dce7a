// The HTTP side of a running server: one listener on config.httpPort (config.bind), with the headless admin
// console under /admin. Later features (WebSocket, BOSH, uploads, invite pages) add their routes to `listener`.
import type { ServerConfig } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { AdminService } from '../admin/admin-service.js';
import { HttpListener } from './http-listener.js';
import { AdminConsole } from './admin-console.js';

export { HttpListener } from './http-listener.js';
export { AdminConsole } from './admin-console.js';

export interface HttpServiceOptions {
  config: ServerConfig;
  log: Logger;
  admin: AdminService;
  /** Serve the admin console under /admin (headless mode; the desktop app uses IPC instead). Default true. */
  console?: boolean;
}

export class HttpService {
  private constructor(readonly listener: HttpListener, readonly console: AdminConsole | null, private readonly config: ServerConfig) {}

  static async start(o: HttpServiceOptions): Promise<HttpService> {
    const listener = await HttpListener.start(o.config.bind, o.config.httpPort ?? 0, o.log);
    let console: AdminConsole | null = null;
    try {
      if (o.console !== false) {
        console = new AdminConsole({ admin: o.admin, config: o.config, log: o.log, setupNeeded: await o.admin.setupNeeded(), port: listener.port });
        listener.route('/admin', console.handle);
      }
    } catch (err) {
      await listener.close();
      throw err;
    }
    return new HttpService(listener, console, o.config);
  }

  get port(): number {
    return this.listener.port;
  }

  /** The console's address on this machine, e.g. http://127.0.0.1:5280/admin/ (null without a console). */
  consoleUrl(): string | null {
    if (!this.console) return null;
    return `http://${urlHost(this.config.bind)}:${this.port}/admin/`;
  }

  /** The one-time setup link of a fresh data folder; null once set up (or without a console). */
  setupLink(): string | null {
    const token = this.console?.setup.token ?? null;
    if (token === null) return null;
    return `http://${urlHost(this.config.bind)}:${this.port}/admin/setup?token=${token}`;
  }

  async close(): Promise<void> {
    this.console?.close();
    await this.listener.close();
  }
}

/** The host to put in links: 127.0.0.1 when listening on all addresses, else the bound address. */
function urlHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::' || bind === '' || bind === 'localhost') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}
