// Invitations over the console API and the web (XEP-0401 account invitations): creating, listing and revoking
// them; the landing page for everyone on the network over HTTPS with the server's own certificate (verified against
// its CA), and over plain HTTP only a page that points there with the fingerprint to compare (no password taken, no
// CA given out); the web sign-up form with its refusals as sentences, the account it creates logging in with
// @xmpp/client; expired, used, revoked and unknown invitations each refused with their own page.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option; the HTTPS checks below verify

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { xmppjsLogin, xmppjsLoginFailure } from '../helpers/clients.js';
import { CONTENT_SECURITY_POLICY } from '../../server/http/responses.js';
import { qrSvg } from '../../server/admin/invite-links.js';
import type { InviteInfo } from '../../server/admin/console-api.js';
import { inviteStore } from '../../server/storage/invites.js';

let t: TestServer;
let port: number;
let securePort: number;
let admin: { cookie: string; csrf: string };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: { result?: unknown; error?: string } | null;
  peerFingerprint?: string;
  /** HTTPS: whether the certificate chain verified against the CA (NODE_TLS_REJECT_UNAUTHORIZED notwithstanding). */
  authorized?: boolean;
}

interface RequestOptions {
  body?: string;
  headers?: Record<string, string>;
  /** HTTPS to securePort, verified against the server's CA for DOMAIN. */
  secure?: boolean;
}

/** A request to the server's web listener (127.0.0.1), named as a device on the network would: Host is DOMAIN. */
function request(method: string, path: string, o: RequestOptions = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const p = o.secure ? securePort : port;
    const headers = { host: `${DOMAIN}:${p}`, ...o.headers };
    const done = (res: http.IncomingMessage): void => {
      let text = '';
      const peerFingerprint = o.secure ? (res.socket as tls.TLSSocket).getPeerCertificate().fingerprint256 : undefined;
      const authorized = o.secure ? (res.socket as tls.TLSSocket).authorized : undefined;
      res.setEncoding('utf8').on('data', (s: string) => { text += s; }).on('end', () => {
        let json: Answer['json'] = null;
        try { json = JSON.parse(text) as Answer['json']; } catch { /* a page */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, peerFingerprint, authorized });
      });
    };
    const r = o.secure
      ? https.request({ host: '127.0.0.1', port: p, method, path, headers, servername: DOMAIN, ca: t.caPem, rejectUnauthorized: true, agent: false }, done)
      : http.request({ host: '127.0.0.1', port: p, method, path, headers, agent: false }, done);
    r.once('error', reject);
    r.end(o.body);
  });
}

/** A console API call as the logged-in administrator (the console itself answers loopback names only). */
function call(method: string, body: unknown = {}): Promise<Answer> {
  return request('POST', `/admin/api/${method}`, {
    body: JSON.stringify(body),
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', cookie: admin.cookie, 'x-parley-csrf': admin.csrf },
  });
}

async function createInvite(invite: Record<string, unknown>): Promise<InviteInfo> {
  const a = await call('createInvite', { invite });
  assert.equal(a.status, 200, a.text);
  return a.json!.result as InviteInfo;
}

/** The sign-up form as a browser on the invitation's own page sends it: over HTTPS unless `secure` is false. */
function signUp(token: string, fields: Record<string, string>, o: { origin?: string; secure?: boolean } = {}): Promise<Answer> {
  const secure = o.secure ?? true;
  const origin = o.origin ?? `${secure ? 'https' : 'http'}://${DOMAIN}:${secure ? securePort : port}`;
  return request('POST', `/invite/${token}/register`, {
    secure,
    body: new URLSearchParams({ token, ...fields }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin, 'sec-fetch-site': 'same-origin' },
  });
}

/** The text of a page without tags, entities decoded, whitespace collapsed. */
function words(html: string): string {
  return html.replace(/<[^>]*>/g, ' ').replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
}

before(async () => {
  t = await startServer({ httpPort: 0, httpsPort: 0 });
  port = t.server.ports.http;
  securePort = t.server.ports.https;
  assert.ok(securePort > 0 && securePort !== port, 'HTTPS listens on its own port');
  await t.server.accounts!.create('admin', 'admin-password-1', { admin: true });
  const login = await request('POST', '/admin/api/login', {
    body: JSON.stringify({ user: 'admin', password: 'admin-password-1' }),
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json' },
  });
  assert.equal(login.status, 200, login.text);
  admin = { cookie: login.headers['set-cookie']![0].split(';')[0], csrf: (login.json!.result as { csrfToken: string }).csrfToken };
});

after(async () => {
  await t.stop();
});

test('createInvite: a 128-bit base64url token, the XEP-0401 register URI, the HTTPS page as the link and QR code, the CA fingerprint; listed and checked', async () => {
  const before = Date.now();
  const i = await createInvite({ uses: 1, expiresInHours: 24 });
  assert.match(i.token, /^[A-Za-z0-9_-]{22}$/);
  assert.ok(Buffer.from(i.token, 'base64url').length >= 16, 'at least 128 random bits');
  assert.equal(i.xmppUri, `xmpp:${DOMAIN}?register;preauth=${i.token}`);
  assert.equal(i.landingUrl, `http://${DOMAIN}:${port}/invite/${i.token}`);
  assert.equal(i.secureLandingUrl, `https://${DOMAIN}:${securePort}/invite/${i.token}`);
  // Changed on purpose (issue 13): the link and the QR code name the HTTPS page, never the plain HTTP one.
  assert.equal(i.shareLink, i.secureLandingUrl, 'the link to send is the HTTPS page');
  assert.equal(i.qrSvg, qrSvg(i.secureLandingUrl!), 'the QR code encodes the HTTPS landing page');
  assert.equal(i.fingerprintSha256, t.server.certificate!.caFingerprintSha256, 'the fingerprint to compare is the CA’s');
  assert.match(i.fingerprintSha256 ?? '', /^(?:[0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'SHA-256 as uppercase hex pairs with colons');
  assert.match(i.qrSvg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 (\d+) \1"[^>]*><rect [^>]*\/><path fill="#000000" d="[M0-9 hvz-]+"\/><\/svg>$/);
  assert.doesNotMatch(i.qrSvg, /style=|<script/i, 'presentation attributes only: fine under a strict CSP');
  assert.equal(i.state, 'valid');
  assert.equal(i.createdBy, `admin@${DOMAIN}`);
  assert.deepEqual([i.maxUses, i.uses, i.revoked, i.reservedJid, i.accounts], [1, 0, false, null, []]);
  const expires = Date.parse(i.expiresAt);
  assert.ok(expires >= before + 24 * 3600_000 && expires <= Date.now() + 24 * 3600_000, i.expiresAt);

  const reserved = await createInvite({ uses: 1, expiresInHours: 48, username: ' Carol ' });
  assert.equal(reserved.reservedJid, `carol@${DOMAIN}`, 'the reserved name is PRECIS-prepared');
  assert.equal(reserved.xmppUri, `xmpp:carol@${DOMAIN}?register;preauth=${reserved.token}`);

  const list = (await call('listInvites')).json!.result as InviteInfo[];
  assert.deepEqual(list.slice(0, 2).map((x) => x.token), [reserved.token, i.token], 'newest first');

  const refusals: [Record<string, unknown>, RegExp][] = [
    [{ uses: 0, expiresInHours: 24 }, /^An invitation is for 1 to 100 people\.$/],
    [{ uses: 1.5, expiresInHours: 24 }, /^An invitation is for 1 to 100 people\.$/],
    [{ uses: 1, expiresInHours: 0 }, /works for 1 hour to 365 days/],
    [{ uses: 1, expiresInHours: 24 * 366 }, /works for 1 hour to 365 days/],
    [{ uses: 2, expiresInHours: 24, username: 'dora' }, /reserves a name .* for 1 person/],
    [{ uses: 1, expiresInHours: 24, username: 'admin' }, /The account admin@test\.local already exists/],
    [{ uses: 1, expiresInHours: 24, username: 'CAROL' }, /carol@test\.local is already reserved by another invitation/],
    [{ uses: 1, expiresInHours: 24, username: 'a b' }, /cannot be an account name/],
    [{ uses: 1, expiresInHours: 24, username: 'x@elsewhere.example' }, /must be at test\.local/],
  ];
  for (const [invite, message] of refusals) {
    const a = await call('createInvite', { invite });
    assert.equal(a.status, 400, `${JSON.stringify(invite)}: ${a.text}`);
    assert.match(a.json?.error ?? '', message, JSON.stringify(invite));
  }
  // The console's CSRF protection applies as to every call.
  const forged = await request('POST', '/admin/api/createInvite', {
    body: JSON.stringify({ invite: { uses: 1, expiresInHours: 1 } }),
    headers: { host: `127.0.0.1:${port}`, 'content-type': 'application/json', cookie: admin.cookie },
  });
  assert.equal(forged.status, 403);
});

test('the landing page answers any device of the network: apps per platform, the xmpp: button, the fingerprint, the CA, a QR code; no script', async () => {
  const i = await createInvite({ uses: 3, expiresInHours: 72 });
  // From another machine's point of view: a non-loopback Host name, which the console itself refuses.
  assert.equal((await request('GET', '/admin/')).status, 403, 'the console stays loopback-only');
  const android = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36';
  const a = await request('GET', `/invite/${i.token}`, { secure: true, headers: { 'user-agent': android } });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.headers['content-type'], 'text/html; charset=utf-8');
  assert.equal(a.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
  assert.equal(a.headers['cache-control'], 'no-store');
  // same-origin, not no-referrer: the sign-up form's POST then carries a real Origin; app sites linked get no referrer.
  assert.equal(a.headers['referrer-policy'], 'same-origin', 'the token does not leak to the app sites linked');
  assert.doesNotMatch(a.text, /<script|\son[a-z]+=|style="/i, 'no script and no inline style');
  const text = words(a.text);
  assert.match(text, /admin@test\.local invited you to chat on Parley/);
  assert.match(text, /for 3 more people/);
  assert.ok(a.text.includes(`href="${i.xmppUri}"`), 'a button with the xmpp: URI');
  assert.ok(a.text.includes(`href="/invite/${i.token}/register"`), 'a link to the web sign-up');
  for (const app of ['Conversations', 'Monal', 'Siskin IM', 'Gajim', 'Dino']) assert.ok(text.includes(app), app);
  assert.match(a.text, /<section class="platform this-device" aria-label="Android" data-platform="android">/, 'this device’s apps first');
  assert.ok(a.text.indexOf('data-platform="android"') < a.text.indexOf('data-platform="ios"'));
  assert.ok(a.text.includes(`<code class="fingerprint" data-testid="fingerprint">${t.server.certificate!.caFingerprintSha256}</code>`),
    'the fingerprint to compare: the CA’s, as on the invitation');
  assert.ok(text.includes(t.server.certificate!.fingerprintSha256), 'and the server certificate’s, for apps that ask about it');
  assert.ok(a.text.includes('href="/invite/ca.pem"'), 'the CA download');
  assert.ok(a.text.includes(qrSvg(`https://${DOMAIN}:${securePort}/invite/${i.token}`)), 'the QR code of this page as reached');
  assert.match(a.text, /<link rel="stylesheet" href="\/invite\/style\.css">/);

  const iphone = await request('GET', `/invite/${i.token}`, { secure: true, headers: { 'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148' } });
  assert.match(iphone.text, /class="platform this-device" aria-label="iPhone and iPad"/);

  const head = await request('HEAD', `/invite/${i.token}`, { secure: true });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');

  const css = await request('GET', '/invite/style.css');
  assert.equal(css.status, 200);
  assert.equal(css.headers['content-type'], 'text/css; charset=utf-8');
  assert.match(css.text, /prefers-color-scheme: dark/);

  const ca = await request('GET', '/invite/ca.pem', { secure: true });
  assert.equal(ca.status, 200);
  assert.equal(ca.headers['content-type'], 'application/x-x509-ca-cert');
  assert.equal(ca.headers['content-disposition'], `attachment; filename="parley-${DOMAIN}-ca.crt"`);
  assert.equal(ca.text.trim(), t.caPem.replace(/\r\n/g, '\n').trim());

  assert.equal((await request('DELETE', `/invite/${i.token}`, { secure: true })).status, 405);
});

test('over plain HTTP: a page that points to the HTTPS one with the CA fingerprint; no form, no password taken, no CA given out', async () => {
  const i = await createInvite({ uses: 1, expiresInHours: 24 });
  const caFingerprint = t.server.certificate!.caFingerprintSha256;
  for (const path of [`/invite/${i.token}`, `/invite/${i.token}/register`]) {
    const a = await request('GET', path);
    assert.equal(a.status, 200, path);
    assert.equal(a.headers['content-security-policy'], CONTENT_SECURITY_POLICY);
    assert.doesNotMatch(a.text, /<form|type="password"|name="password"/i, `${path}: no sign-up form over HTTP`);
    assert.doesNotMatch(a.text, /ca\.pem|BEGIN CERTIFICATE/, `${path}: no CA over HTTP`);
    assert.ok(a.text.includes(`href="https://${DOMAIN}:${securePort}/invite/${i.token}"`), `${path}: points to the HTTPS page`);
    assert.ok(a.text.includes(`<code class="fingerprint" data-testid="fingerprint">${caFingerprint}</code>`), `${path}: the fingerprint to compare`);
    assert.match(words(a.text), /continues on a secure page .*does not take a password/);
  }
  // A password POSTed over HTTP is refused, whatever else the request gets right, and nothing is created.
  const clear = await signUp(i.token, { username: 'eve', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, { secure: false });
  assert.equal(clear.status, 403);
  assert.match(words(clear.text), /Sign-up only works on the secure page .*Your password was not used/);
  assert.equal(await t.server.accounts!.exists('eve'), false);
  assert.equal(((await call('listInvites')).json!.result as InviteInfo[]).find((x) => x.token === i.token)!.uses, 0);
  const ca = await request('GET', '/invite/ca.pem');
  assert.equal(ca.status, 403);
  assert.doesNotMatch(ca.text, /BEGIN CERTIFICATE/);
});

test('over HTTPS with the server’s own certificate, trusted through its CA: the landing page, the CA, and a sign-up', async () => {
  const i = await createInvite({ uses: 1, expiresInHours: 1 });
  const a = await request('GET', `/invite/${i.token}`, { secure: true });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.authorized, true, 'the certificate verifies against the server’s CA for its domain');
  assert.equal(a.peerFingerprint, t.server.certificate!.fingerprintSha256, 'the server certificate, as XMPP presents it');
  assert.ok(a.text.includes(qrSvg(`https://${DOMAIN}:${securePort}/invite/${i.token}`)), 'the QR code names the HTTPS page');
  assert.equal((await request('GET', '/invite/ca.pem', { secure: true })).status, 200);
  // The console is not served over HTTPS.
  assert.equal((await request('GET', '/admin/', { secure: true })).status, 404);
  // An HTTPS origin is its own: the HTTP page's origin does not count here.
  const cross = await signUp(i.token, { username: 'hugo', password: 'maple-window-93', confirm: 'maple-window-93' },
    { secure: true, origin: `http://${DOMAIN}:${port}` });
  assert.equal(cross.status, 403);
  const ok = await signUp(i.token, { username: 'hugo', password: 'maple-window-93', confirm: 'maple-window-93' }, { secure: true });
  assert.equal(ok.status, 200, ok.text);
  assert.match(words(ok.text), /Your address is hugo@test\.local/);
});

test('web sign-up: refusals as sentences keep the name typed; then the account exists, @xmpp/client logs in, and the single-use invitation is used', async () => {
  const i = await createInvite({ uses: 1, expiresInHours: 24 });
  const form = await request('GET', `/invite/${i.token}/register`, { secure: true });
  assert.equal(form.status, 200);
  assert.ok(form.text.includes(`<form class="card" method="post" action="/invite/${i.token}/register" novalidate>`));
  assert.ok(form.text.includes(`<input type="hidden" name="token" value="${i.token}">`), 'the token rides in the form');
  assert.match(form.text, /autocomplete="new-password"/);

  const cases: [Record<string, string>, number, RegExp][] = [
    [{ username: 'alice', password: 'short', confirm: 'short' }, 400, /Your password needs at least 8 characters; it has 5\./],
    [{ username: 'alice', password: 'alice-1234', confirm: 'alice-1234' }, 400, /contains your user name/],
    [{ username: 'alice', password: 'password', confirm: 'password' }, 400, /one of the first that anyone would try/],
    [{ username: 'alice', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyOn' }, 400, /The two passwords are not the same/],
    [{ username: 'Alice Smith', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, 400, /cannot contain spaces/],
    [{ username: '', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, 400, /Choose a user name\./],
    [{ username: 'ADMIN', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, 409, /The name admin is already taken on test\.local\. Choose another\./],
    [{ username: 'carol', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, 409, /The name carol is already taken/],   // reserved by an invitation
    [{ username: 'alice@elsewhere.example', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, 400, /without “@”/],
  ];
  for (const [fields, status, message] of cases) {
    const a = await signUp(i.token, fields);
    assert.equal(a.status, status, `${JSON.stringify(fields)}: ${words(a.text)}`);
    assert.match(words(a.text), message, JSON.stringify(fields));
    assert.match(a.text, /role="alert"/);
    assert.ok(!a.text.includes(`value="${fields.password}"`), 'passwords are never echoed');
    if (fields.username) assert.ok(a.text.includes(`value="${fields.username}"`), 'the name typed is kept');
  }
  assert.equal(((await call('listInvites')).json!.result as InviteInfo[]).find((x) => x.token === i.token)!.uses, 0, 'refusals take no use');

  // Not from the invitation's own page: refused before anything else.
  assert.equal((await signUp(i.token, { username: 'alice', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }, { origin: 'http://evil.example' })).status, 403);
  const wrongToken = await request('POST', `/invite/${i.token}/register`, {
    secure: true,
    body: new URLSearchParams({ token: 'A'.repeat(22), username: 'alice', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: `https://${DOMAIN}:${securePort}` },
  });
  assert.equal(wrongToken.status, 403);
  assert.match(words(wrongToken.text), /does not belong to this invitation/);
  const json = await request('POST', `/invite/${i.token}/register`, { secure: true, body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(json.status, 415);

  const ok = await signUp(i.token, { username: 'Alice', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' });
  assert.equal(ok.status, 200, words(ok.text));
  assert.match(words(ok.text), /Your address is alice@test\.local .*Now open your app and log in .*log in as alice@test\.local with the password you just chose/);
  assert.equal(ok.headers['cache-control'], 'no-store');
  assert.equal(await t.server.accounts!.exists('alice'), true);

  const im = await xmppjsLogin(t, 'alice', 'tulip-orbit-canyon');
  assert.match(im.jid, /^alice@test\.local\//);
  await im.close();
  const { error, login } = await xmppjsLoginFailure(t, 'alice', 'wrong-password');
  assert.equal(error.condition, 'not-authorized');
  await login.close();

  const after = ((await call('listInvites')).json!.result as InviteInfo[]).find((x) => x.token === i.token)!;
  assert.deepEqual([after.state, after.uses, after.accounts, after.qrSvg], ['used', 1, [`alice@${DOMAIN}`], '']);
  const again = await request('GET', `/invite/${i.token}`);
  assert.equal(again.status, 410);
  assert.match(words(again.text), /This invitation has already been used/);
  const reuse = await signUp(i.token, { username: 'mallory', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' });
  assert.equal(reuse.status, 410);
  assert.equal(await t.server.accounts!.exists('mallory'), false);
});

test('a multi-use invitation takes one use per account; a reserved name is the only one it creates', async () => {
  const team = await createInvite({ uses: 2, expiresInHours: 24 });
  for (const name of ['ivan', 'judy']) {
    const a = await signUp(team.token, { username: name, password: 'spruce-meadow-41', confirm: 'spruce-meadow-41' });
    assert.equal(a.status, 200, words(a.text));
  }
  const third = await signUp(team.token, { username: 'karl', password: 'karl-spruce-meadow', confirm: 'karl-spruce-meadow' });
  assert.equal(third.status, 410);
  assert.match(words(third.text), /already been used/);

  const carol = ((await call('listInvites')).json!.result as InviteInfo[]).find((x) => x.reservedJid === `carol@${DOMAIN}`)!;
  const form = await request('GET', `/invite/${carol.token}/register`, { secure: true });
  assert.match(words(form.text), /Your address carol@test\.local/);
  assert.doesNotMatch(form.text, /name="username"/, 'no name to choose');
  const a = await signUp(carol.token, { username: 'someone-else', password: 'lilac-harbour-7', confirm: 'lilac-harbour-7' });
  assert.equal(a.status, 200, words(a.text));
  assert.match(words(a.text), /Your address is carol@test\.local/);
  assert.equal(await t.server.accounts!.exists('someone-else'), false);
  const im = await xmppjsLogin(t, 'carol', 'lilac-harbour-7');
  await im.close();
});

test('expired, revoked and unknown invitations, and closed sign-up, each get a page that says so', async () => {
  const store = t.server.storage!.get(inviteStore);
  const expired = await store.create({ maxUses: 1, expiresAt: Date.now() - 1000, createdBy: 'admin', username: null });
  const e = await request('GET', `/invite/${expired._id}`);
  assert.equal(e.status, 410);
  assert.match(words(e.text), /This invitation has expired\. Ask the person who invited you for a new one\./);
  assert.equal((await request('GET', `/invite/${expired._id}/register`)).status, 410);
  assert.equal((await signUp(expired._id, { username: 'late', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' })).status, 410);

  const i = await createInvite({ uses: 5, expiresInHours: 24 });
  const revoked = await call('revokeInvite', { token: i.token });
  assert.equal(revoked.status, 200, revoked.text);
  assert.equal((revoked.json!.result as InviteInfo).state, 'revoked');
  const r = await request('GET', `/invite/${i.token}`);
  assert.equal(r.status, 410);
  assert.match(words(r.text), /This invitation was cancelled/);
  assert.equal((await signUp(i.token, { username: 'late', password: 'tulip-orbit-canyon', confirm: 'tulip-orbit-canyon' })).status, 410);
  assert.equal(await t.server.accounts!.exists('late'), false);
  const gone = await call('revokeInvite', { token: 'B'.repeat(22) });
  assert.equal(gone.status, 400);
  assert.equal(gone.json?.error, 'There is no such invitation; it may have been removed.');

  for (const path of [`/invite/${'C'.repeat(22)}`, '/invite/short', '/invite/', '/invite', `/invite/${i.token}/other`]) {
    const u = await request('GET', path);
    assert.equal(u.status, 404, path);
    assert.match(words(u.text), /This invitation link is not valid/, path);
  }

  // Sign-up switched off: no new invitations, and the valid ones cannot be used meanwhile.
  const valid = await createInvite({ uses: 1, expiresInHours: 24 });
  assert.equal((await call('setSettings', { changes: { registration: 'closed' } })).status, 200);
  try {
    const refused = await call('createInvite', { invite: { uses: 1, expiresInHours: 24 } });
    assert.equal(refused.status, 400);
    assert.match(refused.json?.error ?? '', /Sign-up is switched off/);
    const c = await request('GET', `/invite/${valid.token}`);
    assert.equal(c.status, 403);
    assert.match(words(c.text), /Sign-up is switched off/);
  } finally {
    assert.equal((await call('setSettings', { changes: { registration: 'invite' } })).status, 200);
  }
  assert.equal((await request('GET', `/invite/${valid.token}`)).status, 200);
});
