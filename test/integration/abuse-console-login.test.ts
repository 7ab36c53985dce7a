// The console login's own limiter (issue 13): failing XMPP logins from the same (loopback) address do not lock the
// administrator out of the console, console failures do not lock XMPP, and console guessing is still slowed — from
// anywhere but the administrator's own browser (its device cookie), which guessing cannot lock out.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { startServer, DOMAIN, type TestServer } from '../helpers/server.js';
import { RawClient } from '../helpers/raw-client.js';

let t: TestServer;
const ADMIN_PW = 'admin-password-1';

interface Answer { status: number; cookies: string[]; json: { result?: unknown; error?: string } | null }

function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = JSON.stringify(body);
    const r = http.request({ host: '127.0.0.1', port: t.server.ports.http, method: 'POST', path, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => { text += s; }).on('end', () => {
        let json: Answer['json'] = null;
        try { json = JSON.parse(text) as Answer['json']; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, cookies: res.headers['set-cookie'] ?? [], json });
      });
    });
    r.once('error', reject);
    r.end(data);
  });
}

const consoleLogin = (password: string, cookie?: string): Promise<Answer> =>
  post('/admin/api/login', { user: 'admin', password }, cookie ? { cookie } : {});

/** One XMPP SASL attempt as admin on a fresh stream; true when it succeeded. */
async function xmppLogin(password: string): Promise<boolean> {
  const c = await RawClient.connect(t.c2sPort);
  try {
    await c.open();
    await c.startTls(t.caPem);
    await c.open();
    return (await c.authScram('admin', password)).name === 'success';
  } finally {
    c.destroy();
  }
}

// A fresh server for each test: what one test locks must not explain the other's outcome.
beforeEach(async () => {
  t = await startServer({ httpPort: 0, limits: { authFailuresBeforeLockout: 3, lockoutBaseSeconds: 600 } });
  const token = new URL(t.server.setupLink!).searchParams.get('token')!;
  const choices = { domain: DOMAIN, serverName: 'Test', adminUser: 'admin', adminPassword: ADMIN_PW, registration: 'invite', discovery: false, federation: false };
  const done = await post('/admin/api/setup/complete', { choices }, { 'x-parley-setup-token': token });
  assert.equal(done.status, 200, JSON.stringify(done.json));
});

afterEach(() => t.stop());

test('console guessing is slowed (lockout after 3 failures) without locking out the administrator\'s browser or XMPP', async () => {
  // The administrator's browser logged in once: it holds a device cookie.
  const first = await consoleLogin(ADMIN_PW);
  assert.equal(first.status, 200, JSON.stringify(first.json));
  const device = first.cookies.map((c) => c.split(';')[0]).find((c) => c.includes('_device='));
  assert.ok(device, `a device cookie was set: ${first.cookies.join(' | ')}`);
  // Someone else (no device cookie, or a forged one) guesses.
  for (let i = 0; i < 3; i++) {
    const wrong = await consoleLogin(`guess-${i}`, i === 2 ? device.replace(/=.*/, '=forged') : undefined);
    assert.equal(wrong.json?.error, 'That name or password is not right.');
  }
  const slowed = await consoleLogin(ADMIN_PW);
  assert.match(slowed.json?.error ?? '', /^Too many failed attempts\. Try again in \d+ seconds\.$/, 'even the right password waits, from anywhere');
  // The administrator's own browser is not locked out, and XMPP logins are not touched.
  const own = await consoleLogin(ADMIN_PW, device);
  assert.equal(own.status, 200, JSON.stringify(own.json));
  assert.equal(await xmppLogin(ADMIN_PW), true, 'console failures do not lock XMPP logins');
});

test('failing XMPP logins from the same address do not lock the administrator out of the console', async () => {
  for (let i = 0; i < 4; i++) assert.equal(await xmppLogin(`xmpp-guess-${i}`), false);
  assert.equal(await xmppLogin(ADMIN_PW), false, 'XMPP is locked out for admin from 127.0.0.1');
  // From a browser that never logged in (no device cookie): only console failures could slow it, and there were none.
  const ok = await consoleLogin(ADMIN_PW);
  assert.equal(ok.status, 200, JSON.stringify(ok.json));
});
