// The invitation pages under /invite, for everyone on the network (not only this machine), over HTTP and HTTPS:
//
//   GET  /invite/TOKEN            the landing page (XEP-0401 §5.2, XEP-0379 §3.3): apps, the xmpp: button, trust, QR
//   GET  /invite/TOKEN/register   the web sign-up form
//   POST /invite/TOKEN/register   username + password + confirm (+ the token again) → the account, one use taken
//   GET  /invite/ca.pem           the CA certificate to install on devices
//   GET  /invite/style.css        the pages' stylesheet
//
// Over plain HTTP only the stylesheet and a page that points to the HTTPS one (with the fingerprint to compare)
// are served: no sign-up form, no password taken (a POST is refused unread), no CA handed out, since anyone on the
// network could read the password or swap the CA and its fingerprint there. Invitation links and QR codes name
// the HTTPS page (admin/invite-links.ts).
//
// A POST must come from the page itself: the token in the form must be the one in the address, and a browser's
// Origin / Sec-Fetch-Site must name this server. Pages carry no script; the CSP of responses.ts applies.
import type http from 'node:http';
import type { Logger } from '../core/log.js';
import { AdminError, INVITE_STATE_TEXT, SignupError, type AdminService, type InviteLanding } from '../admin/admin-service.js';
import { qrSvg } from '../admin/invite-links.js';
import { TOKEN_PATTERN } from '../storage/invites.js';
import { sameOrigin } from './console-sessions.js';
import { HttpError } from './json-body.js';
import { securityHeaders } from './responses.js';
import { INVITE_CSS } from './invite-style.js';
import { insecurePage, landingPage, platformOf, refusalPage, signedUpPage, signupPage, type FormView } from './invite-pages.js';

export const INVITE_PREFIX = '/invite';
const MAX_FORM_BYTES = 8 * 1024;

const STATE_TITLES = {
  expired: 'This invitation has expired',
  used: 'This invitation has already been used',
  revoked: 'This invitation was cancelled',
} as const;

export interface InvitePagesOptions {
  admin: AdminService;
  log: Logger;
}

export class InvitePages {
  constructor(private readonly o: InvitePagesOptions) {}

  readonly handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const rest = url.pathname.slice(INVITE_PREFIX.length);
    const parts = rest.startsWith('/') ? rest.slice(1).split('/') : [];
    const method = req.method ?? 'GET';
    const reading = method === 'GET' || method === 'HEAD';
    try {
      if (parts.length === 1 && parts[0] === 'style.css') {
        if (!reading) return notAllowed(res, req, 'GET, HEAD');
        return send(res, 200, 'text/css; charset=utf-8', INVITE_CSS, req, 'public, max-age=3600');
      }
      if (parts.length === 1 && parts[0] === 'ca.pem') {
        if (!reading) return notAllowed(res, req, 'GET, HEAD');
        if (!encrypted(req)) {
          return html(res, 403, refusalPage('The certificate is only given out on the secure page',
            'Open your invitation link as you were sent it (it starts with https://) and download the certificate there.'), req);
        }
        return await this.caPem(req, res);
      }
      const token = parts[0] ?? '';
      if (!TOKEN_PATTERN.test(token) || parts.length > 2 || (parts.length === 2 && parts[1] !== 'register')) {
        return html(res, 404, refusalPage('This invitation link is not valid',
          'Check that you opened the whole link you were sent, or ask the person who invited you for a new one.'), req);
      }
      if (!encrypted(req)) {
        // Refused before the body is read: a password sent in clear is not looked at, let alone used.
        if (method === 'POST') {
          return html(res, 403, refusalPage('Sign-up only works on the secure page',
            'Your password was not used: this page is not encrypted. Open your invitation link as you were sent it (it starts with https://) and sign up there.'), req);
        }
        if (!reading) return notAllowed(res, req, 'GET, HEAD');
        return await this.pointer(req, res, token);
      }
      if (parts.length === 1) {
        if (!reading) return notAllowed(res, req, 'GET, HEAD');
        return await this.landing(req, res, token);
      }
      if (reading) return await this.form(req, res, token);
      if (method !== 'POST') return notAllowed(res, req, 'GET, HEAD, POST');
      return await this.submit(req, res, token);
    } catch (err) {
      if (err instanceof HttpError) return html(res, err.status, refusalPage('This request was refused', err.message), req);
      throw err;
    }
  };

  /** The invitation, or the page that says why it cannot be used (sent already; then null). */
  private async usable(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<InviteLanding | null> {
    const landing = await this.o.admin.inviteLanding(token);
    if (!landing) {
      html(res, 404, refusalPage('This invitation link is not valid',
        'There is no such invitation on this server. Check that you opened the whole link you were sent, or ask the person who invited you for a new one.'), req);
      return null;
    }
    if (!landing.signupOpen) {
      html(res, 403, refusalPage('Sign-up is switched off',
        `${landing.serverName} does not accept new accounts right now, so this invitation cannot be used. Ask the person who invited you.`), req);
      return null;
    }
    const state = landing.invite.state;
    if (state !== 'valid') {
      html(res, 410, refusalPage(STATE_TITLES[state], INVITE_STATE_TEXT[state]), req);
      return null;
    }
    return landing;
  }

  private async landing(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    const landing = await this.usable(req, res, token);
    if (!landing) return;
    const pageUrl = ownUrl(req, `${INVITE_PREFIX}/${token}`) ?? landing.invite.shareLink;
    html(res, 200, landingPage({ landing, platform: platformOf(req.headers['user-agent']), pageUrl, qr: qrSvg(pageUrl) }), req);
  }

  /** Over plain HTTP: the page that sends the reader to the HTTPS one, with the fingerprint to compare. */
  private async pointer(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    const landing = await this.usable(req, res, token);
    if (!landing) return;
    html(res, 200, insecurePage(landing, landing.invite.secureLandingUrl), req);
  }

  private async form(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    const landing = await this.usable(req, res, token);
    if (!landing) return;
    html(res, 200, signupPage({ landing, username: '', errors: {} }), req);
  }

  private async submit(req: http.IncomingMessage, res: http.ServerResponse, token: string): Promise<void> {
    if (!sameOrigin(req)) {
      html(res, 403, refusalPage('This form came from another web site',
        'For your safety, this server only accepts its sign-up form from its own page. Open your invitation link again and sign up there.'), req);
      return;
    }
    const form = await readForm(req);
    if (form.get('token') !== token) {
      html(res, 403, refusalPage('This form does not belong to this invitation',
        'Open your invitation link again and sign up from its page.'), req);
      return;
    }
    const landing = await this.usable(req, res, token);
    if (!landing) return;
    const username = (form.get('username') ?? '').slice(0, 200);
    const password = form.get('password') ?? '';
    const view: FormView = { landing, username, errors: {} };
    if (password !== '' && password !== (form.get('confirm') ?? '')) {
      view.errors.confirm = 'The two passwords are not the same. Type your password twice, the same way.';
      html(res, 400, signupPage(view), req);
      return;
    }
    let jid: string;
    try {
      ({ jid } = await this.o.admin.redeemInvite(token, username, password));
    } catch (err) {
      if (!(err instanceof SignupError)) {
        if (err instanceof AdminError) throw new HttpError(400, err.message);
        throw err;
      }
      if (err.field === 'invite') {
        html(res, 410, refusalPage('This invitation cannot be used', err.message), req);
        return;
      }
      view.errors[err.field] = err.message;
      html(res, err.conflict ? 409 : 400, signupPage(view), req);
      return;
    }
    html(res, 200, signedUpPage(landing, jid, platformOf(req.headers['user-agent'])), req);
  }

  private async caPem(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let pem = '';
    let domain = 'server';
    try {
      const cert = await this.o.admin.certificate();
      pem = cert.caPem;
      domain = cert.domain;
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
    }
    if (!pem) {
      html(res, 404, refusalPage('There is no certificate to install', 'This server uses a certificate without a certificate authority to install.'), req);
      return;
    }
    inviteHeaders(res, req);
    res.writeHead(200, {
      // The type that makes phones offer to install it; the name ends in .crt, which every system recognises.
      'Content-Type': 'application/x-x509-ca-cert',
      'Content-Disposition': `attachment; filename="parley-${domain.replace(/[^a-z0-9.-]/gi, '_')}-ca.crt"`,
      'Cache-Control': 'no-cache',
      'Content-Length': Buffer.byteLength(pem),
    });
    res.end(req.method === 'HEAD' ? undefined : pem);
  }
}

function encrypted(req: http.IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true;
}

/** This page's address as the browser reached it, when its Host header is a plain host[:port]; else null. */
function ownUrl(req: http.IncomingMessage, path: string): string | null {
  const host = req.headers.host ?? '';
  if (!/^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i.test(host)) return null;
  const scheme = encrypted(req) ? 'https' : 'http';
  return `${scheme}://${host.toLowerCase()}${path}`;
}

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new HttpError(415, 'Send the sign-up form from its page.');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'The form is too large.');
    chunks.push(chunk as Buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: http.ServerResponse, status: number, type: string, body: string, req: http.IncomingMessage, cache = 'no-store'): void {
  inviteHeaders(res, req);
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': cache });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * The console's security headers, with two differences. Referrer-Policy is same-origin instead of no-referrer:
 * under no-referrer a browser sends "Origin: null" with the sign-up form's POST, and the origin check could not
 * tell the page's own form from any other; same-origin still sends nothing (so no token) to the app sites the pages
 * link to. And over plain HTTP to a LAN name there is no Cross-Origin-Opener-Policy, which browsers ignore there
 * with a console error.
 */
function inviteHeaders(res: http.ServerResponse, req: http.IncomingMessage): void {
  securityHeaders(res);
  res.setHeader('Referrer-Policy', 'same-origin');
  if (!encrypted(req)) res.removeHeader('Cross-Origin-Opener-Policy');
}

function html(res: http.ServerResponse, status: number, body: string, req: http.IncomingMessage): void {
  send(res, status, 'text/html; charset=utf-8', body, req);
}

function notAllowed(res: http.ServerResponse, req: http.IncomingMessage, allow: string): void {
  inviteHeaders(res, req);
  const body = refusalPage('Not allowed', 'This address does not take that kind of request.');
  res.writeHead(405, { Allow: allow, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(body);
}
