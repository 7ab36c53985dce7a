// The headless admin console under /admin: the GUI's static files, its JSON API over AdminService, login with an
// administrator's password, the event stream, and the one-time setup wizard of a fresh data folder.
//
//   GET  /admin/                  the console (index.html + assets/)
//   GET  /admin/setup?token=…     the setup wizard, only with the token `parley serve` printed, until setup is done
//   GET  /admin/api/session       who is logged in, and the CSRF token ({ user: null } when nobody is)
//   POST /admin/api/login         { user, password } → sets the session cookie
//   POST /admin/api/logout
//   POST /admin/api/setup/info    (setup token header) what the wizard shows
//   POST /admin/api/setup/complete (setup token header) { choices } → logs the new administrator in
//   POST /admin/api/<method>      a CONSOLE_METHODS call; body = its parameters; answer { result } or { error }
//   GET  /admin/api/events        Server-Sent Events: log, traffic, sessions
//   GET  /admin/api/ca.pem        the CA certificate to install on devices
//
// Every request is first checked by remote-policy (loopback only unless consoleRemote); every POST by origin,
// and every POST of a logged-in page by its session's CSRF token.
import type http from 'node:http';
import type { ServerConfig } from '../core/config.js';
import type { Logger } from '../core/log.js';
import { UserFacingError } from '../core/user-error.js';
import type { AdminService } from '../admin/admin-service.js';
import type { SetupChoices } from '../admin/console-api.js';
import { consoleAccess } from './remote-policy.js';
import { ConsoleSessions, CSRF_HEADER, parseCookies, sameOrigin, sameSecret, type ConsoleSession } from './console-sessions.js';
import { SetupGate, SETUP_TOKEN_HEADER } from './setup-gate.js';
import { StaticFiles } from './static-files.js';
import { HttpError, Params, readJsonObject } from './json-body.js';
import { CONSOLE_METHODS, isConsoleMethod } from './console-methods.js';
import { redirect, securityHeaders, sendError, sendJson, sendPage } from './responses.js';

/** Methods after which the target account's console sessions are checked again at once. */
const ACCOUNT_CHANGES = new Set(['removeUser', 'disableUser', 'setAdmin']);
const SSE_KEEPALIVE_MS = 25_000;
/** An event stream whose client reads slower than this much backlog is dropped (it reconnects). */
const SSE_MAX_BACKLOG = 1024 * 1024;

export interface AdminConsoleOptions {
  admin: AdminService;
  /** The running configuration: consoleRemote is read on every request. */
  config: ServerConfig;
  log: Logger;
  /** Whether setup is still to be done (a fresh data folder): then a setup token is made. */
  setupNeeded: boolean;
  port: number;
  files?: StaticFiles;
}

export class AdminConsole {
  readonly sessions: ConsoleSessions;
  readonly setup: SetupGate;
  private readonly files: StaticFiles;

  constructor(private readonly o: AdminConsoleOptions) {
    this.sessions = new ConsoleSessions(`parley_console_${o.port}`);
    this.setup = new SetupGate(o.setupNeeded);
    this.files = o.files ?? new StaticFiles();
  }

  close(): void {
    this.sessions.destroyAll();
  }

  readonly handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname;
    // The notice pages' stylesheet and the icon hold nothing secret, and refusal pages need them.
    if ((path === '/admin/page.css' || path === '/admin/favicon.svg') && req.method === 'GET') {
      if (await this.files.serve(req, res, path.slice('/admin/'.length))) return;
    }
    const access = consoleAccess(req.socket.remoteAddress, req.headers.host, this.o.config.consoleRemote === true, this.o.port);
    if (!access.allowed) {
      if (access.reason === 'remote-address') this.o.log.info('console', `refused the console to ${req.socket.remoteAddress ?? 'an unknown address'}`);
      if (path.startsWith('/admin/api/')) sendError(res, 403, access.message.split('\n\n')[0]);
      else sendPage(res, 403, 'The console is not available here', access.message);
      return;
    }
    if (path.startsWith('/admin/api/')) return this.api(req, res, path.slice('/admin/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendPage(res, 405, 'Not allowed', 'This address only serves pages.', { Allow: 'GET, HEAD' });
      return;
    }
    if (path === '/admin') return redirect(res, '/admin/');
    if (path === '/admin/setup') return this.setupPage(req, res, url);
    if (path === '/admin/' || path === '/admin/index.html') return this.files.serveIndex(req, res);
    let relative: string;
    try {
      relative = decodeURIComponent(path.slice('/admin/'.length));
    } catch {
      sendPage(res, 400, 'Bad request', 'This address is not valid.');
      return;
    }
    if (await this.files.serve(req, res, relative)) return;
    sendPage(res, 404, 'Not found', 'There is no such page in the console. Go to /admin/.');
  };

  private async setupPage(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    if (!(await this.setupOpen())) return redirect(res, '/admin/');
    if (!this.setup.accepts(url.searchParams.get('token'))) {
      sendPage(res, 403, 'This setup link is not valid',
        'Parley is not set up yet. Use the setup link that "parley serve" printed when it started — it contains a one-time token. ' +
        'If you no longer have it, stop Parley and start it again to see the link.');
      return;
    }
    return this.files.serveIndex(req, res);
  }

  /** Setup is open while the gate has a token and the data folder still needs it. */
  private async setupOpen(): Promise<boolean> {
    if (this.setup.token === null) return false;
    if (await this.o.admin.setupNeeded()) return true;
    this.setup.close();
    return false;
  }

  private async api(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    try {
      if (req.method === 'GET' || req.method === 'HEAD') {
        if (name === 'session') return this.whoami(req, res);
        if (name === 'events') return await this.events(req, res);
        if (name === 'ca.pem') return await this.caPem(req, res);
        throw new HttpError(isConsoleMethod(name) || name === 'login' ? 405 : 404, isConsoleMethod(name) ? 'Call this with POST.' : 'There is no such API call.');
      }
      if (req.method !== 'POST') throw new HttpError(405, 'Call this with POST.');
      if (!sameOrigin(req)) throw new HttpError(403, 'This request came from another web site, so Parley refused it.');
      if (name === 'login') return await this.login(req, res);
      if (name === 'setup/info' || name === 'setup/complete') return await this.setupCall(req, res, name);
      const session = this.sessions.fromRequest(req);
      if (name === 'logout') return this.logout(req, res, session);
      if (!isConsoleMethod(name)) throw new HttpError(404, 'There is no such API call.');
      if (!session) throw this.notLoggedIn(req);
      const token = req.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !sameSecret(token, session.csrfToken)) {
        throw new HttpError(403, 'This request lacks the console’s security token. Reload the page and try again.');
      }
      if (!(await this.o.admin.isActiveAdmin(session.username))) {
        this.sessions.destroy(session.id);
        throw new HttpError(401, `${session.jid} is no longer an enabled administrator. Log in with another account.`);
      }
      const params = new Params(await readJsonObject(req));
      const result = await CONSOLE_METHODS[name](this.o.admin, params, { username: session.username, domain: this.o.config.domain });
      if (ACCOUNT_CHANGES.has(name)) await this.recheckAccount(result);
      sendJson(res, 200, { result });
    } catch (err) {
      this.apiFailed(res, err);
    }
  }

  private apiFailed(res: http.ServerResponse, err: unknown): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (err instanceof HttpError) return sendError(res, err.status, err.message);
    if (err instanceof UserFacingError || (err instanceof Error && err.name === 'ConfigError')) return sendError(res, 400, err.message);
    this.o.log.error('console', `API call failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
    sendError(res, 500, 'Something went wrong that Parley did not expect. The log has the details.');
  }

  /** After an account change, end the console sessions of an account that is no longer an enabled administrator. */
  private async recheckAccount(result: unknown): Promise<void> {
    const jid = (result as { jid?: unknown } | null)?.jid;
    if (typeof jid !== 'string') return;
    const username = jid.slice(0, jid.lastIndexOf('@'));
    if (!(await this.o.admin.isActiveAdmin(username))) this.sessions.destroyAccount(username);
  }

  private whoami(req: http.IncomingMessage, res: http.ServerResponse): void {
    const s = this.sessions.fromRequest(req);
    sendJson(res, 200, { result: s ? { user: { username: s.username, jid: s.jid }, csrfToken: s.csrfToken } : { user: null, csrfToken: null } });
  }

  private async login(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const body = await readJsonObject(req);
    if (this.setup.token !== null && await this.setupOpen()) {
      throw new HttpError(400, 'Parley is not set up yet, so there is no administrator to log in as. Open the setup link that "parley serve" printed.');
    }
    const device = parseCookies(req.headers.cookie).get(this.sessions.deviceCookieName) ?? null;
    const who = await this.o.admin.verifyAdmin(body.user, body.password, req.socket.remoteAddress ?? 'unknown', device);
    const session = this.sessions.create(who.username, who.jid);
    this.startSession(req, res, session, {}, this.sessions.deviceCookie(who.device, (req.socket as { encrypted?: boolean }).encrypted === true));
  }

  private startSession(req: http.IncomingMessage, res: http.ServerResponse, session: ConsoleSession, extra: Record<string, unknown> = {}, deviceCookie?: string): void {
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    const cookies = [this.sessions.cookie(session, secure)];
    if (deviceCookie !== undefined) cookies.push(deviceCookie);
    sendJson(res, 200, { result: { user: { username: session.username, jid: session.jid }, csrfToken: session.csrfToken, ...extra } },
      { 'Set-Cookie': cookies });
  }

  private logout(req: http.IncomingMessage, res: http.ServerResponse, session: ConsoleSession | null): void {
    if (session) {
      const token = req.headers[CSRF_HEADER];
      if (typeof token !== 'string' || !sameSecret(token, session.csrfToken)) {
        throw new HttpError(403, 'This request lacks the console’s security token. Reload the page and try again.');
      }
      this.sessions.destroy(session.id);
    }
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    sendJson(res, 200, { result: { user: null } }, { 'Set-Cookie': this.sessions.clearCookie(secure) });
  }

  private async setupCall(req: http.IncomingMessage, res: http.ServerResponse, name: string): Promise<void> {
    if (!(await this.setupOpen())) throw new HttpError(409, 'Parley is already set up. Log in to the console instead.');
    if (!this.setup.accepts(req.headers[SETUP_TOKEN_HEADER])) {
      throw new HttpError(403, 'This setup link is not valid. Use the link that "parley serve" printed.');
    }
    const body = await readJsonObject(req);
    if (name === 'setup/info') {
      sendJson(res, 200, { result: await this.o.admin.setupInfo() });
      return;
    }
    const choices = new Params(body).object('choices', 'The setup choices') as unknown as SetupChoices;
    const result = await this.o.admin.completeSetup(choices);
    this.setup.close();
    const session = this.sessions.create(result.jid.slice(0, result.jid.lastIndexOf('@')), result.jid);
    this.startSession(req, res, session, { setup: result });
  }

  private notLoggedIn(req: http.IncomingMessage): HttpError {
    return new HttpError(401, parseCookies(req.headers.cookie).has(this.sessions.cookieName)
      ? 'Your console session has ended. Log in again.'
      : 'Log in to the console first.');
  }

  private loggedIn(req: http.IncomingMessage): ConsoleSession {
    const session = this.sessions.fromRequest(req);
    if (!session) throw this.notLoggedIn(req);
    // Reads by GET carry no CSRF token; a browser sends them cross-site only without the SameSite=Strict cookie.
    const site = req.headers['sec-fetch-site'];
    if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw new HttpError(403, 'This request came from another web site, so Parley refused it.');
    return session;
  }

  private async caPem(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const session = this.loggedIn(req);
    if (!(await this.o.admin.isActiveAdmin(session.username))) throw new HttpError(401, 'Log in again.');
    const cert = await this.o.admin.certificate();
    if (!cert.caPem) throw new HttpError(404, 'This certificate has no CA certificate to install.');
    const name = `parley-${cert.domain.replace(/[^a-z0-9.-]/gi, '_')}-ca.pem`;
    securityHeaders(res);
    res.writeHead(200, {
      'Content-Type': 'application/x-pem-file',
      'Content-Disposition': `attachment; filename="${name}"`,
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(cert.caPem),
    });
    res.end(req.method === 'HEAD' ? undefined : cert.caPem);
  }

  private async events(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const session = this.loggedIn(req);
    if (!(await this.o.admin.isActiveAdmin(session.username))) throw new HttpError(401, 'Log in again.');
    securityHeaders(res);
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');
    session.streams.add(res);
    const unsubscribe = this.o.admin.subscribe((e) => {
      if (res.writableLength > SSE_MAX_BACKLOG) {
        res.destroy();
        return;
      }
      res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
    });
    const keepalive = setInterval(() => res.write(': keepalive\n\n'), SSE_KEEPALIVE_MS);
    keepalive.unref();
    const done = (): void => {
      clearInterval(keepalive);
      unsubscribe();
      session.streams.delete(res);
    };
    res.once('close', done);
    req.once('close', done);
  }
}
