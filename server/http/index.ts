// The HTTP side of a running server: one listener on config.httpPort (config.bind), with the headless admin
// console under /admin and the invitation pages under /invite; and, given the server's certificate, an HTTPS
// listener on config.httpsPort with the invitation pages only. Later features (WebSocket, BOSH, uploads) add their
// routes to `listener`.
import type { ServerConfig } from '../core/config.js';
import type { Logger } from '../core/log.js';
import { ListenError } from '../core/listeners.js';
import type { AdminService } from '../admin/admin-service.js';
import type { CertBundle } from '../certs/index.js';
import { HttpListener } from './http-listener.js';
import { AdminConsole } from './admin-console.js';
import { InvitePages, INVITE_PREFIX } from './invite-routes.js';

export { HttpListener } from './http-listener.js';
export { AdminConsole } from './admin-console.js';

export interface HttpServiceOptions {
  config: ServerConfig;
  log: Logger;
  admin: AdminService;
  /** Serve the admin console under /admin (headless mode; the desktop app uses IPC instead). Default true. */
  console?: boolean;
  /** The server's certificate, for HTTPS on config.httpsPort; absent or null: no HTTPS. */
  certificate?: () => CertBundle | null;
}

export class HttpService {
  private constructor(
    readonly listener: HttpListener,
    readonly console: AdminConsole | null,
    private readonly config: ServerConfig,
    /** HTTPS for the invitation pages; null when off, without a certificate, or when its port was taken. */
    readonly secure: HttpListener | null,
  ) {}

  static async start(o: HttpServiceOptions): Promise<HttpService> {
    const listener = await HttpListener.start(o.config.bind, o.config.httpPort ?? 0, o.log);
    let console: AdminConsole | null = null;
    let secure: HttpListener | null = null;
    try {
      const invites = new InvitePages({ admin: o.admin, log: o.log });
      listener.route(INVITE_PREFIX, invites.handle);
      if (o.console !== false) {
        console = new AdminConsole({ admin: o.admin, config: o.config, log: o.log, setupNeeded: await o.admin.setupNeeded(), port: listener.port });
        listener.route('/admin', console.handle);
      }
      secure = await startSecure(o);
      secure?.route(INVITE_PREFIX, invites.handle);
    } catch (err) {
      await secure?.close();
      await listener.close();
      throw err;
    }
    return new HttpService(listener, console, o.config, secure);
  }

  get port(): number {
    return this.listener.port;
  }

  /** The HTTPS port, or null when HTTPS does not run. */
  get securePort(): number | null {
    return this.secure?.port ?? null;
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
    await this.secure?.close();
    await this.listener.close();
  }
}

/**
 * HTTPS with the server's certificate (chain included) on config.httpsPort. A taken port is not fatal: the
 * invitation pages are still served over HTTP, and the log says why HTTPS is missing.
 */
async function startSecure(o: HttpServiceOptions): Promise<HttpListener | null> {
  const port = o.config.httpsPort ?? null;
  const cert = o.certificate?.() ?? null;
  if (port === null || !cert) return null;
  try {
    return await HttpListener.start(o.config.bind, port, o.log, { key: cert.keyPem, cert: cert.certPem + '\n' + cert.caCertPem });
  } catch (err) {
    if (!(err instanceof ListenError)) throw err;
    o.log.warn('http', `${err.message} Until then, invitation pages are served over plain HTTP only.`);
    return null;
  }
}

/** The host to put in links: 127.0.0.1 when listening on all addresses, else the bound address. */
function urlHost(bind: string): string {
  if (bind === '0.0.0.0' || bind === '::' || bind === '' || bind === 'localhost') return '127.0.0.1';
  return bind.includes(':') ? `[${bind}]` : bind;
}
