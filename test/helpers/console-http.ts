// The headless console's JSON API from a test: plain HTTP requests to a real server, the setup wizard's last step
// through its API (which logs the new administrator in), and logged-in calls with the session cookie and CSRF token.
import http from 'node:http';
import assert from 'node:assert/strict';

export interface Answer {
  status: number;
  text: string;
  json: { result?: unknown; error?: string } | null;
  setCookie: string[];
}

export interface ConsoleLogin { port: number; cookie: string; csrf: string }

export function request(port: number, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const r = http.request({ host: '127.0.0.1', port, method, path, headers: { ...(data !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (s: string) => { text += s; }).on('end', () => {
        let json: Answer['json'] = null;
        try { json = JSON.parse(text) as Answer['json']; } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, text, json, setCookie: res.headers['set-cookie'] ?? [] });
      });
    });
    r.once('error', reject);
    r.end(data);
  });
}

/** Finish the setup wizard of a fresh server (its printed link's token) and return the administrator's login. */
export async function setUpConsole(port: number, setupLink: string, domain: string, admin: { user: string; password: string }): Promise<ConsoleLogin> {
  const token = new URL(setupLink).searchParams.get('token') ?? '';
  const choices = { domain, serverName: 'Test', adminUser: admin.user, adminPassword: admin.password, registration: 'invite', discovery: false, federation: false };
  const done = await request(port, 'POST', '/admin/api/setup/complete', { choices }, { 'x-parley-setup-token': token });
  assert.equal(done.status, 200, done.text);
  const csrf = (done.json?.result as { csrfToken: string }).csrfToken;
  return { port, cookie: (done.setCookie[0] ?? '').split(';')[0], csrf };
}

/** A logged-in call of the console API: POST /admin/api/<method> with named parameters. */
export function call(login: ConsoleLogin, method: string, params: unknown = {}): Promise<Answer> {
  return request(login.port, 'POST', `/admin/api/${method}`, params, { cookie: login.cookie, 'x-parley-csrf': login.csrf });
}

/** A call that must succeed: its result. */
export async function ok<T>(login: ConsoleLogin, method: string, params: unknown = {}): Promise<T> {
  const a = await call(login, method, params);
  assert.equal(a.status, 200, `${method}: ${a.text}`);
  return a.json?.result as T;
}

/** A call that must be refused with 400 and exactly `message`. */
export async function refused(login: ConsoleLogin, method: string, params: unknown, message: string | RegExp): Promise<void> {
  const a = await call(login, method, params);
  assert.equal(a.status, 400, `${method}: ${a.text}`);
  if (typeof message === 'string') assert.equal(a.json?.error, message, method);
  else assert.match(a.json?.error ?? '', message, method);
  assert.doesNotMatch(a.text, /\n\s+at /);
}
