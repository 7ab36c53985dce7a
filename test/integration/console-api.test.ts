// The headless console's HTTP API without a browser, against a real server: the setup token, login (wrong
// passwords, non-administrators), the session cookie, the CSRF token and origin checks, security headers, typed
// errors as sentences, and the event stream.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';   // @xmpp/client has no CA option

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { xml } from '@xmpp/client';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { xmppjsLogin } from '../helpers/clients.js';
import { seedAlice, expectContactTold, expectFreshAlice } from '../helpers/account-removal.js';
import { offlineStore } from '../../server/storage/offline.js';

let t: TestServer;
let port: number;
let setupToken: string;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: { result?: unknown; error?: string } | null;
}

function request(method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; raw?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    const headers: Record<string, string> = { ...(body !== undefined && opts.raw === undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
    const r = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => { text += s; }).on('end', () => {
        let json: Answer['json'] = null;
        try { json = JSON.parse(text) as Answer['json']; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    r.once('error', reject);
    r.end(body);
  });
}

interface Login { cookie: string; csrf: string }

function loginFrom(a: Answer): Login {
  const setCookie = a.headers['set-cookie']?.[0] ?? '';
  const result = a.json?.result as { csrfToken: string };
  return { cookie: setCookie.split(';')[0], csrf: result.csrfToken };
}

function call(login: Login, method: string, body: unknown = {}, extra: Record<string, string> = {}): Promise<Answer> {
  return request('POST', `/admin/api/${method}`, { body, headers: { cookie: login.cookie, 'x-parley-csrf': login.csrf, ...extra } });
}

let admin: Login;

before(async () => {
  t = await startServer({ httpPort: 0 });
  port = t.server.ports.http;
  const link = t.server.setupLink;
  assert.ok(link, 'a fresh data folder has a setup link');
  assert.match(link, new RegExp(`^http://127\\.0\\.0\\.1:${port}/admin/setup\\?token=[A-Za-z0-9_-]{32}$`));
  setupToken = new URL(link).searchParams.get('token')!;
});

after(async () => {
  await t.stop();
});

test('the setup wizard needs the printed token, and the token works only until setup is done', async () => {
  assert.equal((await request('GET', '/admin/setup')).status, 403);
  const wrong = await request('GET', '/admin/setup?token=not-the-token');
  assert.equal(wrong.status, 403);
  assert.match(wrong.text, /Use the setup link that &#34;parley serve&#34; printed/);
  assert.equal((await request('GET', `/admin/setup?token=${setupToken}`)).status, 200);

  const noToken = await request('POST', '/admin/api/setup/info', { body: {} });
  assert.equal(noToken.status, 403);
  assert.match(noToken.json?.error ?? '', /setup link is not valid/);
  const info = await request('POST', '/admin/api/setup/info', { body: {}, headers: { 'x-parley-setup-token': setupToken } });
  assert.equal(info.status, 200);
  assert.equal((info.json?.result as { domain: string }).domain, DOMAIN);

  // Before setup there is nobody to log in as.
  const early = await request('POST', '/admin/api/login', { body: { user: 'admin', password: 'x' } });
  assert.equal(early.status, 400);
  assert.match(early.json?.error ?? '', /not set up yet/);

  const choices = { domain: DOMAIN, serverName: 'Test', adminUser: 'admin', adminPassword: 'short', registration: 'invite', discovery: false, federation: false };
  const weak = await request('POST', '/admin/api/setup/complete', { body: { choices }, headers: { 'x-parley-setup-token': setupToken } });
  assert.equal(weak.status, 400);
  assert.equal(weak.json?.error, 'The administrator\'s password must have at least 8 characters.');

  const done = await request('POST', '/admin/api/setup/complete', {
    body: { choices: { ...choices, adminPassword: 'admin-password-1' } }, headers: { 'x-parley-setup-token': setupToken },
  });
  assert.equal(done.status, 200, done.text);
  const result = done.json?.result as { user: { jid: string }; setup: { jid: string; restartRequired: string[]; fingerprintSha256: string } };
  assert.equal(result.setup.jid, `admin@${DOMAIN}`);
  assert.deepEqual(result.setup.restartRequired, ['serverName'], 'the name in disco#info changes at the next start');
  assert.equal(result.setup.fingerprintSha256, t.server.certificate!.fingerprintSha256);
  admin = loginFrom(done);
  assert.equal((await call(admin, 'status')).status, 200, 'setup logs the new administrator in');

  assert.equal(t.server.setupLink, null);
  const spent = await request('GET', `/admin/setup?token=${setupToken}`);
  assert.equal(spent.status, 303);
  assert.equal(spent.headers.location, '/admin/');
  assert.equal((await request('POST', '/admin/api/setup/complete', { body: { choices }, headers: { 'x-parley-setup-token': setupToken } })).status, 409);
});

test('every API call needs a login; a wrong password and a non-administrator are refused with sentences', async () => {
  const anonymous = await request('POST', '/admin/api/listUsers', { body: {} });
  assert.equal(anonymous.status, 401);
  assert.equal(anonymous.json?.error, 'Log in to the console first.');
  assert.equal((await request('GET', '/admin/api/events')).status, 401);
  assert.equal((await request('GET', '/admin/api/ca.pem')).status, 401);
  const who = await request('GET', '/admin/api/session');
  assert.deepEqual(who.json?.result, { user: null, csrfToken: null });

  const wrong = await request('POST', '/admin/api/login', { body: { user: 'admin', password: 'wrong password' } });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.json?.error, 'That name or password is not right.');
  assert.equal(wrong.headers['set-cookie'], undefined);
  const unknown = await request('POST', '/admin/api/login', { body: { user: 'nobody', password: 'wrong password' } });
  assert.equal(unknown.json?.error, 'That name or password is not right.', 'the same answer whether or not the account exists');

  await t.addUser('carol', 'carol-password');
  const notAdmin = await request('POST', '/admin/api/login', { body: { user: `carol@${DOMAIN}`, password: 'carol-password' } });
  assert.equal(notAdmin.status, 400);
  assert.match(notAdmin.json?.error ?? '', /carol@test\.local is not an administrator/);

  const ok = await request('POST', '/admin/api/login', { body: { user: 'admin', password: 'admin-password-1' } });
  assert.equal(ok.status, 200);
  assert.match(ok.headers['set-cookie']?.[0] ?? '', new RegExp(`^parley_console_${port}=[^;]+; Path=/admin; HttpOnly; SameSite=Strict$`));
  const session = loginFrom(ok);
  const me = await request('GET', '/admin/api/session', { headers: { cookie: session.cookie } });
  assert.deepEqual(me.json?.result, { user: { username: 'admin', jid: `admin@${DOMAIN}` }, csrfToken: session.csrf });

  const out = await call(session, 'logout');
  assert.equal(out.status, 200);
  assert.equal((await call(session, 'status')).status, 401);
});

test('POSTs need the session’s CSRF token and the console’s own origin', async () => {
  const none = await request('POST', '/admin/api/listUsers', { body: {}, headers: { cookie: admin.cookie } });
  assert.equal(none.status, 403);
  assert.match(none.json?.error ?? '', /security token/);
  assert.equal((await call({ ...admin, csrf: 'x'.repeat(43) }, 'listUsers')).status, 403);
  assert.equal((await call(admin, 'listUsers', {}, { origin: 'http://evil.example' })).status, 403);
  assert.equal((await call(admin, 'listUsers', {}, { 'sec-fetch-site': 'cross-site' })).status, 403);
  const ok = await call(admin, 'listUsers', {}, { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'same-origin' });
  assert.equal(ok.status, 200);
  assert.deepEqual((ok.json?.result as { username: string }[]).map((u) => u.username).sort(), ['admin', 'carol']);
  // A login from another site is refused too (login CSRF).
  assert.equal((await request('POST', '/admin/api/login', { body: { user: 'admin', password: 'admin-password-1' }, headers: { origin: 'http://evil.example' } })).status, 403);
});

test('the console answers only under loopback names, with strict security headers', async () => {
  const page = await request('GET', '/admin/');
  assert.equal(page.status, 200);
  const csp = String(page.headers['content-security-policy']);
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal(page.headers['referrer-policy'], 'no-referrer');
  assert.doesNotMatch(page.text, /<script>|<script(?![^>]*\bsrc=)[^>]*>/, 'no inline scripts');

  const rebound = await request('GET', '/admin/', { headers: { host: `attacker.example:${port}` } });
  assert.equal(rebound.status, 403);
  assert.match(rebound.text, /Open the console at http:\/\/127\.0\.0\.1:/);
  assert.equal((await request('GET', '/admin')).headers.location, '/admin/');
  assert.equal((await request('GET', '/admin/../../etc/passwd')).status, 404);
  assert.equal((await request('GET', '/admin/assets/%2e%2e%2f%2e%2e%2fpackage.json')).status, 404);
  assert.equal((await request('GET', '/elsewhere')).status, 404);
});

test('API errors are sentences with 4xx statuses, never stack traces', async () => {
  const cases: [string, unknown, number, RegExp][] = [
    ['noSuchMethod', {}, 404, /no such API call/],
    ['addUser', { user: 'dave' }, 400, /The password is missing/],
    ['addUser', { user: 'carol', password: 'another' }, 400, /The account carol@test\.local already exists\./],
    ['removeUser', { user: 'admin' }, 400, /cannot delete the account you are logged in with/],
    ['setAdmin', { user: 'carol', admin: 'yes' }, 400, /Administrator must be true or false/],
    ['kickSession', { id: 'c2s999999' }, 400, /That session has already ended\./],
    ['setSettings', { changes: { c2sPort: 0 } }, 400, /client port must be a whole number/],
    ['setPassword', { user: 'eve@elsewhere.org', password: 'x' }, 400, /not an address of this server/],
  ];
  for (const [method, body, status, re] of cases) {
    const a = await call(admin, method, body);
    assert.equal(a.status, status, `${method}: ${a.text}`);
    assert.match(a.json?.error ?? '', re, method);
    assert.doesNotMatch(a.text, /\n\s+at /);
  }
  const notJson = await request('POST', '/admin/api/listUsers', { raw: 'user=x', headers: { cookie: admin.cookie, 'x-parley-csrf': admin.csrf, 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(notJson.status, 415);
  assert.equal((await request('GET', '/admin/api/listUsers', { headers: { cookie: admin.cookie } })).status, 405);
});

test('administrators manage accounts; the last administrator stays, and a demoted one is logged out', async () => {
  assert.equal((await call(admin, 'setAdmin', { user: 'carol', admin: true })).status, 200);
  const carolLogin = await request('POST', '/admin/api/login', { body: { user: 'carol', password: 'carol-password' } });
  assert.equal(carolLogin.status, 200);
  const carol = loginFrom(carolLogin);
  // carol removes admin's role, then admin is no longer let in.
  assert.equal((await call(carol, 'setAdmin', { user: 'admin', admin: false })).status, 200);
  const gone = await call(admin, 'listUsers');
  assert.equal(gone.status, 401);
  assert.match(gone.json?.error ?? '', /no longer an enabled administrator|session has ended/);
  // carol is now the only administrator: she cannot be disabled or demoted by anyone.
  const last = await t.server.admin!.disableUser('carol').catch((e: Error) => e);
  assert.match(String((last as Error).message), /only administrator/);
  assert.equal((await call(carol, 'setAdmin', { user: 'admin', admin: true })).status, 200);
  const disabled = await call(carol, 'disableUser', { user: 'admin' });
  assert.equal(disabled.status, 200);
  const relogin = await request('POST', '/admin/api/login', { body: { user: 'admin', password: 'admin-password-1' } });
  assert.match(relogin.json?.error ?? '', /is disabled/);
  assert.equal((await call(carol, 'enableUser', { user: 'admin' })).status, 200);
  admin = loginFrom(await request('POST', '/admin/api/login', { body: { user: 'admin', password: 'admin-password-1' } }));
  assert.equal((await call(admin, 'status')).status, 200);
});

test('the event stream sends log lines and traffic to a logged-in administrator', async () => {
  let change: Promise<Answer> | null = null;
  const events = await new Promise<string>((resolve, reject) => {
    const r = http.get({ host: '127.0.0.1', port, path: '/admin/api/events', headers: { cookie: admin.cookie } }, (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/event-stream/);
      let text = '';
      res.on('error', () => undefined); // the stream is cut below, on purpose
      res.setEncoding('utf8').on('data', (s: string) => {
        text += s;
        if (text.includes('event: traffic') && text.includes('settings changed: offlineQuota')) {
          r.destroy();
          resolve(text);
        }
      });
      // Something to log once the stream is open.
      setTimeout(() => { change = call(admin, 'setSettings', { changes: { offlineQuota: 100 } }); }, 50);
    });
    r.on('error', reject);
  });
  assert.equal((await change!)?.status, 200);
  assert.match(events, /event: log\ndata: \{"type":"log","line":\{"time":"[^"]+","level":"info","source":"admin","message":"settings changed: offlineQuota"\}\}/);
  assert.match(events, /event: traffic\ndata: \{"type":"traffic","traffic":\{"at":/);
  assert.equal(t.server.config.offlineQuota, 100, 'a live setting applies at once');
});

test('traffic counts chat messages from local clients; live sessions are listed and can be ended', async () => {
  await t.addUser('dora', 'dora-password');
  const dora = await xmppjsLogin(t, 'dora', 'dora-password', { resource: 'laptop' });
  try {
    const before = (await t.server.admin!.overview()).traffic!.messages;
    await dora.client.send(xml('message', { to: `carol@${DOMAIN}`, type: 'chat' }, xml('body', {}, 'hello')));
    await dora.client.send(xml('message', { to: `carol@${DOMAIN}`, type: 'chat' }, xml('active', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    let after = before;
    for (let i = 0; i < 50 && after === before; i++) {
      await new Promise((r) => setTimeout(r, 20));
      after = (await t.server.admin!.overview()).traffic!.messages;
    }
    assert.equal(after - before, 1, 'one message with a body; chat states do not count');

    const sessions = (await call(admin, 'listSessions')).json?.result as { id: string; jid: string; address: string; secure: boolean }[];
    const mine = sessions.find((s) => s.jid === `dora@${DOMAIN}/laptop`);
    assert.ok(mine, 'the live session is listed');
    assert.equal(mine.address, '127.0.0.1');
    assert.equal(mine.secure, true);
    const ended = new Promise<string>((resolve) => dora.client.on('error', (e: { condition?: string }) => { if (e.condition) resolve(e.condition); }));
    dora.client.reconnect.stop();
    assert.deepEqual((await call(admin, 'kickSession', { id: mine.id })).json?.result, { jid: `dora@${DOMAIN}/laptop` });
    assert.equal(await ended, 'policy-violation');
  } finally {
    await dora.close();
  }
});

test('SVC-18: an announcement from the console reaches every online session as a headline from the domain', async () => {
  await t.addUser('erin', 'erin-password');
  const erin = await xmppjsLogin(t, 'erin', 'erin-password', { resource: 'phone' });
  try {
    const headline = new Promise<{ from: string; type: string; subject: string | null; body: string | null }>((resolve) => {
      erin.client.on('stanza', (s: { name: string; attrs: Record<string, string>; getChildText(n: string): string | null }) => {
        if (s.name === 'message' && s.attrs.type === 'headline') resolve({ from: s.attrs.from, type: s.attrs.type, subject: s.getChildText('subject'), body: s.getChildText('body') });
      });
    });
    const sent = await call(admin, 'announce', { text: 'The server restarts at noon.', subject: 'Maintenance' });
    assert.equal(sent.status, 200);
    assert.ok((sent.json?.result as { sessions: number }).sessions >= 1);
    assert.deepEqual(await headline, { from: DOMAIN, type: 'headline', subject: 'Maintenance', body: 'The server restarts at noon.' });
    const empty = await call(admin, 'announce', { text: '  ', subject: '' });
    assert.equal(empty.status, 400);
    assert.equal(empty.json?.error, 'Write the announcement text first.');
  } finally {
    await erin.close();
  }
});

// The account lifecycle's removal, by the console's HTTP API (seams issue part 5; SVC-15, XEP-0077 §3.2, RFC 6121
// §3.2–3.3): removeUser used to delete the account record only, so an account added again under the name logged in
// to the old roster, offline messages, vCard and private data, and bob still saw it at subscription both.
test('SVC-15: removeUser from the console cancels alice\'s subscriptions (bob told) and drops her data; alice added again starts empty', async () => {
  assert.equal((await call(admin, 'addUser', { user: 'alice', password: 'alice-first' })).status, 200);
  assert.equal((await call(admin, 'addUser', { user: 'bob', password: 'bob-password' })).status, 200);
  const { alice, bob } = await seedAlice(t, 'alice-first', 'bob-password');
  try {
    assert.equal(await t.server.storage!.get(offlineStore).count('alice'), 1, 'a message is queued for alice');
    const removed = await call(admin, 'removeUser', { user: 'alice' });
    assert.equal(removed.status, 200, removed.text);
    assert.deepEqual(removed.json?.result, { jid: `alice@${DOMAIN}`, closedSessions: 1 });
    const streamError = await alice.nextElement((e) => e.name === 'stream:error', 'the stream error');
    assert.ok(streamError.getChild('not-authorized', 'urn:ietf:params:xml:ns:xmpp-streams'), streamError.toString());
    await expectContactTold(bob);
    assert.equal((await call(admin, 'addUser', { user: 'alice', password: 'alice-second' })).status, 200);
    await expectFreshAlice(t, 'alice-second');
  } finally {
    alice.destroy();
    bob.destroy();
  }
});
