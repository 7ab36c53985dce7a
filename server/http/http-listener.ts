// The one HTTP listener (DESIGN.md: WebSocket, BOSH, uploads, invite pages and the headless admin console share
// it). Features register a path prefix; the longest matching prefix handles the request. A handler that fails is
// answered 500 with a sentence, and the details go to the log.
import http from 'node:http';
import https from 'node:https';
import type { Logger } from '../core/log.js';
import { listen } from '../core/listeners.js';
import { sendPage } from './responses.js';

export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void | Promise<void>;

export class HttpListener {
  private readonly routes: { prefix: string; handler: RouteHandler }[] = [];

  private constructor(readonly server: http.Server, readonly port: number, private readonly log: Logger) {}

  /** Plain HTTP; with `tls` (key and certificate chain in PEM) HTTPS instead. */
  static async start(host: string, port: number, log: Logger, tls?: { key: string; cert: string }): Promise<HttpListener> {
    let self: HttpListener | null = null;
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (self) self.dispatch(req, res);
      else res.destroy();
    };
    const timeouts = { requestTimeout: 30_000, headersTimeout: 15_000 };
    const server: http.Server = tls
      ? https.createServer({ ...timeouts, key: tls.key, cert: tls.cert, minVersion: 'TLSv1.2' }, handler)
      : http.createServer(timeouts, handler);
    // Browsers keep idle connections open; do not let them hold the listener open for long.
    server.keepAliveTimeout = 5000;
    const bound = tls
      ? await listen(server, host, port, 'invitation pages over HTTPS', '--https-port')
      : await listen(server, host, port, 'web and console', '--http-port');
    self = new HttpListener(server, bound, log);
    log.info('server', `listening for ${tls ? 'HTTPS' : 'HTTP'} on ${host}:${bound}`);
    return self;
  }

  /** Handle every path that starts with `prefix` ("/admin" takes "/admin", "/admin/…", not "/administer"). */
  route(prefix: string, handler: RouteHandler): void {
    this.routes.push({ prefix, handler });
    this.routes.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse): void {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://parley.invalid');
    } catch {
      sendPage(res, 400, 'Bad request', 'This address is not valid.');
      return;
    }
    const path = url.pathname;
    const route = this.routes.find((r) => path === r.prefix || path.startsWith(r.prefix.endsWith('/') ? r.prefix : r.prefix + '/'));
    if (!route) {
      sendPage(res, 404, 'Not found', 'There is nothing at this address. The admin console is at /admin/.');
      return;
    }
    let result: void | Promise<void>;
    try {
      result = route.handler(req, res, url);
    } catch (err) {
      this.failed(res, err);
      return;
    }
    if (result instanceof Promise) result.catch((err: unknown) => this.failed(res, err));
  }

  private failed(res: http.ServerResponse, err: unknown): void {
    this.log.error('http', `request failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendPage(res, 500, 'Something went wrong', 'Parley could not answer this request. The log has the details.');
  }

  /** Stop listening and end every connection, including long-lived ones (event streams). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
