// The headless console's decisions that need no server: who may reach it (loopback only by default, also by Host
// name against DNS rebinding), which origins may post, the settings checks, and the SCRAM-based password check.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { consoleAccess, hostOfHeader, isLoopbackAddress } from '../../server/http/remote-policy.js';
import { ConsoleSessions, parseCookies, sameOrigin } from '../../server/http/console-sessions.js';
import { checkSettingChanges } from '../../server/admin/settings.js';
import { passwordMatches } from '../../server/admin/password-check.js';
import { deriveScramCredential } from '../../server/core/sasl/index.js';
import { AdminError } from '../../server/admin/admin-api.js';

test('loopback peer addresses are recognised, IPv4, IPv6 and IPv4-mapped', () => {
  for (const a of ['127.0.0.1', '127.8.9.10', '::1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) assert.equal(isLoopbackAddress(a), true, a);
  for (const a of ['192.168.1.20', '10.0.0.1', '::ffff:192.168.1.2', 'fe80::1', '128.0.0.1', '', undefined]) assert.equal(isLoopbackAddress(a), false, String(a));
});

test('the console refuses other addresses by default, with a sentence that says what to do', () => {
  const d = consoleAccess('192.168.1.20', '192.168.1.5:5280', false, 5280);
  assert.equal(d.allowed, false);
  assert.equal(d.allowed === false && d.reason, 'remote-address');
  assert.match(d.allowed === false ? d.message : '', /only be used on the computer Parley runs on.*http:\/\/127\.0\.0\.1:5280\/admin\//s);
  assert.match(d.allowed === false ? d.message : '', /consoleRemote/);
  assert.equal(consoleAccess('::ffff:10.0.0.3', 'parley.local', false).allowed, false);
});

test('consoleRemote lets other addresses and names in', () => {
  assert.deepEqual(consoleAccess('192.168.1.20', 'office.local:5280', true), { allowed: true });
});

test('loopback peers must use a loopback name, so that a rebinding web page cannot use the console', () => {
  for (const host of ['127.0.0.1:5280', 'localhost:5280', '[::1]:5280', 'LOCALHOST', 'app.localhost:1', '127.0.0.1']) {
    assert.deepEqual(consoleAccess('127.0.0.1', host, false), { allowed: true }, host);
  }
  for (const host of ['evil.example:5280', 'office.local', '192.168.1.5:5280', '', undefined]) {
    const d = consoleAccess('127.0.0.1', host, false, 5280);
    assert.equal(d.allowed, false, String(host));
    assert.equal(d.allowed === false && d.reason, 'host-name');
  }
  assert.equal(hostOfHeader('[::1]:80'), '::1');
  assert.equal(hostOfHeader('Example.ORG:8080'), 'example.org');
});

function req(headers: http.IncomingHttpHeaders): http.IncomingMessage {
  return { headers, socket: {} } as unknown as http.IncomingMessage;
}

test('POSTs must come from the console’s own origin', () => {
  assert.equal(sameOrigin(req({ host: '127.0.0.1:5280', origin: 'http://127.0.0.1:5280', 'sec-fetch-site': 'same-origin' })), true);
  assert.equal(sameOrigin(req({ host: '127.0.0.1:5280' })), true, 'non-browser clients send no Origin (the CSRF token still applies)');
  assert.equal(sameOrigin(req({ host: '127.0.0.1:5280', origin: 'http://evil.example' })), false);
  assert.equal(sameOrigin(req({ host: '127.0.0.1:5280', origin: 'http://127.0.0.1:5281' })), false);
  assert.equal(sameOrigin(req({ host: '127.0.0.1:5280', origin: 'null' })), false);
  assert.equal(sameOrigin(req({ host: '127.0.0.1:5280', 'sec-fetch-site': 'cross-site' })), false);
});

test('session cookies are HttpOnly, SameSite=Strict, scoped to /admin, Secure only over HTTPS', () => {
  const sessions = new ConsoleSessions('parley_console_5280');
  const s = sessions.create('alice', 'alice@office.local');
  const cookie = sessions.cookie(s, false);
  assert.match(cookie, /^parley_console_5280=[A-Za-z0-9_-]{43}; Path=\/admin; HttpOnly; SameSite=Strict$/);
  assert.match(sessions.cookie(s, true), /; Secure$/);
  assert.notEqual(s.csrfToken, s.id);
  const found = sessions.fromRequest(req({ cookie: `other=1; ${cookie.split(';')[0]}` }));
  assert.equal(found?.username, 'alice');
  sessions.destroyAccount('alice');
  assert.equal(sessions.fromRequest(req({ cookie: cookie.split(';')[0] })), null);
  assert.deepEqual([...parseCookies('a=1; b = 2;c=')], [['a', '1'], ['b', '2'], ['c', '']]);
});

test('console sessions expire after a day, or after eight idle hours', () => {
  let now = 0;
  const sessions = new ConsoleSessions('c', () => now);
  const s = sessions.create('alice', 'alice@office.local');
  const r = req({ cookie: `c=${s.id}` });
  now = 7 * 3600_000;
  assert.ok(sessions.fromRequest(r));
  now += 8 * 3600_000 + 1;
  assert.equal(sessions.fromRequest(r), null);
});

test('setting changes are checked key by key, with sentences', () => {
  assert.deepEqual(checkSettingChanges({ registration: 'open', discovery: false, s2sPort: null, httpPort: 8080 }),
    { registration: 'open', discovery: false, s2sPort: null, httpPort: 8080 });
  const refuses = (v: unknown, re: RegExp): void => assert.throws(() => checkSettingChanges(v), (e: unknown) => e instanceof AdminError && re.test(e.message));
  refuses({ registration: 'everyone' }, /Who may join must be one of: closed, invite, open/);
  refuses({ c2sPort: 70000 }, /client port must be a whole number from 1 to 65535/);
  refuses({ discovery: 'yes' }, /must be on or off/);
  refuses({ dataDir: '/etc' }, /"dataDir" is not a setting the console can change/);
  refuses({ c2sPort: null, tlsPort: null }, /at least one of the client ports/);
  refuses([], /names and values/);
});

test('console passwords are checked against the stored SCRAM-SHA-256 credential', async () => {
  const stored = { 'SHA-1': deriveScramCredential('SHA-1', 'pencil', 4096), 'SHA-256': deriveScramCredential('SHA-256', 'pencil', 4096) };
  assert.equal(await passwordMatches('alice', stored, 'pencil'), true);
  assert.equal(await passwordMatches('alice', stored, 'Pencil'), false);
  assert.equal(await passwordMatches('alice', stored, ''), false);
  assert.equal(await passwordMatches('nobody', null, 'pencil'), false);
  // SASLprep applies, as for XMPP logins: a non-ASCII space is a space.
  const spaced = { 'SHA-256': deriveScramCredential('SHA-256', 'a b', 4096) };
  assert.equal(await passwordMatches('bob', spaced, 'a\u00A0b'), true);
});
